"""One package per instrument: specs.py (light), streams.py, factories.py (heavy)."""

from .registry import UnknownInstrument, available_instruments, get_instrument

__all__ = ["UnknownInstrument", "available_instruments", "get_instrument"]
