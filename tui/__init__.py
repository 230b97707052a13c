"""The Textual console for livedata (``livedata tui``), installed as ``livedata_tui``.

It renders control-plane snapshots (livedata.control.api.ControlApi) and sends
commands through the same API; it never touches Kafka itself.
"""

from __future__ import annotations

__all__ = ["LivedataApp"]


def __getattr__(name: str):
    # Lazy so ``import livedata_tui`` stays cheap for the CLI.
    if name == "LivedataApp":
        from .app import LivedataApp

        return LivedataApp
    raise AttributeError(name)
