"""The detector geometry services use: the registered NeXus file valid on a date (E3).

``NeXusDetectorSource(instrument).load()`` finds ``geometry-<instrument>-<date>.nxs``
for the date (default today) as ``fetch_geometry`` does (``LIVEDATA_DATA_DIR``,
the cache, a download only if a base URL is configured) and reads it with
scippnexus. If no file is available and none can be downloaded, the file is made
locally from the instrument's ``layout.py`` into the cache (the same bytes
``livedata geometry make`` writes) and a log line says so; nothing reaches the web.

Reads are cached per file (name and md5), so every factory of a process shares one
``InstrumentGeometry``. ``install_nexus_geometry`` makes this the provider that
instrument packages get their geometry from (``instrument_geometry``).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..instruments.instrument_geometry import (
    InstrumentGeometry,
    install_geometry_provider,
)
from ..instruments.loader import load_layout
from .fetch import (
    DATA_DIR_ENV,
    FetchSettings,
    GeometryFetchError,
    fetch_file,
    file_md5,
)
from .registry import DateLike, GeometryFile, load_registry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NeXusDetectorSource:
    """Geometry of ``instrument`` from the registered file valid on ``when``."""

    instrument: str
    when: DateLike = None
    settings: FetchSettings | None = None

    def entry(self) -> GeometryFile:
        return load_registry(self.instrument).file_for(self.when)

    def path(self, entry: GeometryFile | None = None) -> Path:
        """The local file, md5-checked once per process (while it is unchanged)."""
        entry = entry or self.entry()
        settings = self.settings or FetchSettings.resolve()
        known = _VERIFIED.get((entry, settings))
        if known is not None and known[1] is not None and _stamp(known[0]) == known[1]:
            return known[0]
        try:
            path = fetch_file(entry.filename, entry.md5, settings)
        except GeometryFetchError as err:
            if settings.base_url is not None:
                logger.warning("%s; making it locally instead", err)
            path = make_into_cache(self.instrument, entry, settings)
        _VERIFIED[(entry, settings)] = (path, _stamp(path))
        return path

    def load(self) -> InstrumentGeometry:
        entry = self.entry()
        return _read(entry, self.path(entry))


# Files found (and md5-checked) in this process under these settings, with
# their size and mtime then.
_VERIFIED: dict[
    tuple[GeometryFile, FetchSettings], tuple[Path, tuple[int, int] | None]
] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns)


@cache
def _read(entry: GeometryFile, path: Path) -> InstrumentGeometry:
    from .nexus_reader import read_layout

    return InstrumentGeometry(path=path, layout=read_layout(path))


def make_into_cache(
    instrument: str, entry: GeometryFile, settings: FetchSettings
) -> Path:
    """Write the registered file from the layout into the cache, atomically.

    Several services of one instrument may start at once: each writes its own
    temporary file and renames it into place, and all write the same bytes.
    """
    from .nexus_writer import write_nexus_geometry

    target = settings.cache_dir / entry.filename
    temporary = target.with_name(f".{entry.filename}.{os.getpid()}.tmp")
    write_nexus_geometry(load_layout(instrument), temporary)
    md5 = file_md5(temporary)
    os.replace(temporary, target)
    if md5 == entry.md5:
        logger.info(
            "made %s from the %s layout into %s (not in %s nor the cache)",
            entry.filename,
            instrument,
            settings.cache_dir,
            DATA_DIR_ENV,
        )
    else:
        # Same layout, other bytes: another HDF5 library version. The positions
        # are right; only the registry's checksum no longer describes the file.
        logger.warning(
            "made %s from the %s layout into %s, but its md5 %s differs from the "
            "registered %s (layout or h5py changed?); using it",
            entry.filename,
            instrument,
            settings.cache_dir,
            md5,
            entry.md5,
        )
    return target


class _RegisteredFiles:
    """The ``GeometryProvider`` of services: the registered file valid today."""

    def load(self, instrument: str) -> InstrumentGeometry:
        return NeXusDetectorSource(instrument).load()


def install_nexus_geometry() -> None:
    """Instruments read their geometry from the registered NeXus files (once per
    process, at start-up; installing again is harmless)."""
    install_geometry_provider(_RegisteredFiles())
