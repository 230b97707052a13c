"""Finding instruments: discovered by folder, imported only when asked for."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

from .instrument import Instrument

INSTRUMENTS_PACKAGE = "livedata.instruments"


class UnknownInstrument(LookupError):
    """No instrument package of that name; the message lists the available ones."""


def available_instruments(package: str = INSTRUMENTS_PACKAGE) -> list[str]:
    """Instrument packages that have a ``specs`` module, without importing them."""
    pkg = importlib.import_module(package)
    names = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if not info.ispkg:
            continue
        sub = f"{package}.{info.name}"
        spec = importlib.util.find_spec(f"{sub}.specs")
        if spec is not None:
            names.append(info.name)
    return sorted(names)


def get_instrument(name: str, package: str = INSTRUMENTS_PACKAGE) -> Instrument:
    """The instrument defined by ``<package>.<name>.specs`` (phase 1 only)."""
    available = available_instruments(package)
    if name not in available:
        raise UnknownInstrument(
            f"unknown instrument {name!r}; available: {', '.join(available) or 'none'}"
        )
    module = importlib.import_module(f"{package}.{name}.specs")
    instrument = getattr(module, "instrument", None)
    if not isinstance(instrument, Instrument):
        raise UnknownInstrument(f"{package}.{name}.specs defines no `instrument`")
    return instrument
