"""Where geometry files and lookup tables live on disk, and where to download from.

Settings, first found wins: function arguments, environment (``LIVEDATA_DATA_DIR``,
``LIVEDATA_GEOMETRY_URL``, ``LIVEDATA_GEOMETRY_CACHE``), then ``geometry.yaml`` of
the configuration (``base_url``, ``cache_dir``), then pooch's cache folder. Kept
with configuration loading (not in ``geometry``) because the wavelength lookup
tables of ``workflows`` are cached in the same folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_ENV = "LIVEDATA_DATA_DIR"
URL_ENV = "LIVEDATA_GEOMETRY_URL"
CACHE_ENV = "LIVEDATA_GEOMETRY_CACHE"


@dataclass(frozen=True)
class FetchSettings:
    base_url: str | None
    cache_dir: Path
    data_dir: Path | None = None

    @classmethod
    def resolve(
        cls,
        *,
        base_url: str | None = None,
        cache_dir: str | Path | None = None,
        data_dir: str | Path | None = None,
    ) -> FetchSettings:
        """Arguments, else environment, else configuration, else pooch's cache."""
        config = _geometry_config()
        url = base_url or os.environ.get(URL_ENV) or config.get("base_url") or None
        cache = cache_dir or os.environ.get(CACHE_ENV) or config.get("cache_dir")
        if not cache:
            import pooch

            cache = pooch.os_cache("livedata") / "geometry"
        local = data_dir or os.environ.get(DATA_DIR_ENV) or None
        return cls(
            base_url=str(url) if url else None,
            cache_dir=Path(cache).expanduser(),
            data_dir=Path(local).expanduser() if local else None,
        )


def _geometry_config() -> dict:
    from .loader import ConfigError, load_config

    try:
        return load_config("geometry")
    except ConfigError:
        return {}
