"""Get a registered geometry file onto local disk, md5-verified (F3).

Order: ``LIVEDATA_DATA_DIR`` (a local folder of files, e.g. made with ``livedata
geometry make``; never touches the network), then the pooch cache, then a download
from the base URL. Where those are: ``FetchSettings`` (``config/data_dirs.py``).
"""

from __future__ import annotations

from pathlib import Path

from ..config.data_dirs import DATA_DIR_ENV, URL_ENV, FetchSettings
from .registry import DateLike, GeometryError, GeometryRegistry, load_registry


class GeometryFetchError(GeometryError):
    """The file is neither local nor downloadable."""


class GeometryChecksumError(GeometryError):
    """A file's md5 differs from the registry's."""


def file_md5(path: Path) -> str:
    import pooch

    return pooch.file_hash(str(path), alg="md5")


def verify_md5(path: Path, md5: str) -> Path:
    actual = file_md5(path)
    if actual != md5:
        raise GeometryChecksumError(
            f"{path}: md5 {actual} does not match the registered {md5}"
        )
    return path


def fetch_geometry(
    instrument: str,
    when: DateLike = None,
    *,
    registry: GeometryRegistry | None = None,
    settings: FetchSettings | None = None,
) -> Path:
    """Local path of the geometry file valid for ``instrument`` on ``when``."""
    registry = registry or load_registry(instrument)
    settings = settings or FetchSettings.resolve()
    entry = registry.file_for(when)
    return fetch_file(entry.filename, entry.md5, settings)


def fetch_file(filename: str, md5: str, settings: FetchSettings) -> Path:
    if settings.data_dir is not None:
        local = settings.data_dir / filename
        if local.is_file():
            return verify_md5(local, md5)
    cached = settings.cache_dir / filename
    if settings.base_url is None:
        if cached.is_file() and file_md5(cached) == md5:
            return cached
        local = settings.data_dir or "unset"
        raise GeometryFetchError(
            f"{filename} is not in {DATA_DIR_ENV} ({local}) nor in the "
            f"cache ({settings.cache_dir}) and no base URL is set ({URL_ENV}); "
            f"make it with `livedata geometry make` and point {DATA_DIR_ENV} at it"
        )
    return _download(filename, md5, settings)


def _download(filename: str, md5: str, settings: FetchSettings) -> Path:
    import pooch
    import requests

    base_url = settings.base_url or ""
    # pooch logs "Downloading ..." to the stderr it saw at import; the CLI prints
    # its own one-line result and services log their own line.
    pooch.get_logger().setLevel("WARNING")
    fetcher = pooch.create(
        path=settings.cache_dir,
        base_url=base_url if base_url.endswith("/") else f"{base_url}/",
        registry={filename: f"md5:{md5}"},
        retry_if_failed=0,
    )
    try:
        return Path(fetcher.fetch(filename, progressbar=False))
    except ValueError as err:
        # pooch reports a hash mismatch of the downloaded file as ValueError.
        if "hash" not in str(err).lower():
            raise
        raise GeometryChecksumError(
            f"{filename} from {base_url}: md5 does not match the registered {md5}"
        ) from None
    except requests.RequestException as err:
        raise GeometryFetchError(
            f"cannot download {filename} from {base_url}: {err}"
        ) from None
