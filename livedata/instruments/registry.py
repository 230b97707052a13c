"""Finding instruments: discovered by folder, imported only when asked for."""

from __future__ import annotations

from .instrument import Instrument
from .loader import INSTRUMENTS_PACKAGE, import_part, instruments_with, part_module


class UnknownInstrument(LookupError):
    """No instrument package of that name; the message lists the available ones."""


def available_instruments(package: str = INSTRUMENTS_PACKAGE) -> list[str]:
    """Instrument packages that have a ``specs`` module, without importing them."""
    return instruments_with("specs", package)


def get_instrument(name: str, package: str = INSTRUMENTS_PACKAGE) -> Instrument:
    """The instrument defined by ``<package>.<name>.specs`` (phase 1 only)."""
    available = available_instruments(package)
    if name not in available:
        raise UnknownInstrument(
            f"unknown instrument {name!r}; available: {', '.join(available) or 'none'}"
        )
    module = import_part(name, "specs", package)
    instrument = getattr(module, "instrument", None)
    if not isinstance(instrument, Instrument):
        raise UnknownInstrument(
            f"{part_module(name, 'specs', package)} defines no `instrument`"
        )
    return instrument
