"""Which NeXus geometry file applies when, and which instruments have one (F3).

Each instrument lists its dated files ``geometry-<instrument>-<YYYY-MM-DD>.nxs``
with their md5 in ``instruments/<instrument>/geometry.yaml`` of the configuration
tree (shipped as ``livedata_config``; ``LIVEDATA_CONFIG_DIR`` replaces it)::

    files:
      geometry-dummy-2025-01-01.nxs: 0123456789abcdef0123456789abcdef

A file is valid from its date until the next file's date. The numbers a file is
made from come from ``livedata/instruments/<instrument>/layout.py``, found by
``livedata.instruments.loader``. Instruments never import this package: they
ask ``livedata.instruments.instrument_geometry``, whose provider it installs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..instruments.geometry_error import GeometryError

_FILENAME = re.compile(
    r"^geometry-(?P<instrument>[A-Za-z0-9_]+)-(?P<date>\d{4}-\d{2}-\d{2})\.nxs$"
)
_MD5 = re.compile(r"^[0-9a-f]{32}$")
REGISTRY_FILE = "geometry.yaml"

DateLike = date | datetime | str | None


class NoGeometryFile(GeometryError):
    """No registered file is valid for the requested instrument and date."""


def as_date(value: DateLike) -> date:
    """``None`` means today (UTC); strings are ISO dates (``YYYY-MM-DD``)."""
    if value is None:
        return datetime.now(UTC).date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise GeometryError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def geometry_filename(instrument: str, valid_from: DateLike) -> str:
    return f"geometry-{instrument}-{as_date(valid_from).isoformat()}.nxs"


@dataclass(frozen=True)
class GeometryFile:
    filename: str
    instrument: str
    valid_from: date
    md5: str


def parse_geometry_file(filename: str, md5: str) -> GeometryFile:
    match = _FILENAME.match(filename)
    if match is None:
        raise GeometryError(
            f"{filename!r} is not named geometry-<instrument>-<YYYY-MM-DD>.nxs"
        )
    md5 = str(md5).strip().lower().removeprefix("md5:")
    if not _MD5.match(md5):
        raise GeometryError(f"{filename}: {md5!r} is not an md5 checksum")
    return GeometryFile(
        filename=filename,
        instrument=match["instrument"],
        valid_from=as_date(match["date"]),
        md5=md5,
    )


@dataclass(frozen=True)
class GeometryRegistry:
    """The dated geometry files of one instrument, oldest first."""

    instrument: str
    files: tuple[GeometryFile, ...]

    @classmethod
    def from_mapping(
        cls, instrument: str, files: Mapping[str, str] | None
    ) -> GeometryRegistry:
        parsed = [parse_geometry_file(name, md5) for name, md5 in (files or {}).items()]
        for item in parsed:
            if item.instrument != instrument:
                raise GeometryError(
                    f"{item.filename} is listed in the registry of {instrument!r}"
                )
        return cls(instrument, tuple(sorted(parsed, key=lambda f: f.valid_from)))

    def file_for(self, when: DateLike = None) -> GeometryFile:
        """The latest file dated on or before ``when`` (default today)."""
        day = as_date(when)
        valid = [f for f in self.files if f.valid_from <= day]
        if not valid:
            dates = ", ".join(f.valid_from.isoformat() for f in self.files) or "none"
            raise NoGeometryFile(
                f"no geometry file for {self.instrument} valid on {day.isoformat()} "
                f"(registered dates: {dates})"
            )
        return valid[-1]

    def get(self, filename: str) -> GeometryFile | None:
        return next((f for f in self.files if f.filename == filename), None)

    def pooch_registry(self) -> dict[str, str]:
        return {f.filename: f"md5:{f.md5}" for f in self.files}


def load_registry(instrument: str) -> GeometryRegistry:
    """The registry of ``instrument`` from the configuration tree (may be empty)."""
    from ..config.loader import ConfigError, load_config

    try:
        config = load_config("geometry", instrument=instrument)
    except ConfigError as err:
        raise GeometryError(str(err)) from None
    return GeometryRegistry.from_mapping(instrument, config.get("files"))


def registered_instruments() -> list[str]:
    """Instruments whose configuration lists geometry files."""
    from ..config.loader import config_root

    folder = config_root() / "instruments"
    if not folder.is_dir():
        return []
    return sorted(p.parent.name for p in folder.glob(f"*/{REGISTRY_FILE}"))


def get_nexus_geometry_filename(instrument: str, when: DateLike = None) -> str:
    """Name of the geometry file valid for ``instrument`` on ``when`` (F3)."""
    return load_registry(instrument).file_for(when).filename
