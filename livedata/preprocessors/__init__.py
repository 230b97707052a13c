"""Accumulators between the wire and the workflows (B3, B4).

Window semantics (``get`` returns what arrived since the last ``get``):
``EventChunks``, ``ToNXeventData``, ``Cumulative(clear_on_get=True)``,
``NoCopyWindowAccumulator``. Cumulative semantics (``get`` returns the history
until ``clear``): ``Cumulative()``, ``ToNXlog``, ``NoCopyAccumulator``.
``LatestValue`` keeps one value. ``NoCopyAccumulator`` and
``NoCopyWindowAccumulator`` are essreduce accumulators, used inside
StreamProcessor workflows; they are imported lazily because ``ess.reduce`` is
slow to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .events import EventChunks, ToNXeventData
from .factory import StreamPreprocessorFactory
from .nxlog import ToNXlog
from .values import Cumulative, LatestValue

if TYPE_CHECKING:
    from .essreduce_accumulators import NoCopyAccumulator, NoCopyWindowAccumulator

_LAZY = {"NoCopyAccumulator", "NoCopyWindowAccumulator"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import essreduce_accumulators

        return getattr(essreduce_accumulators, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Cumulative",
    "EventChunks",
    "LatestValue",
    "NoCopyAccumulator",
    "NoCopyWindowAccumulator",
    "StreamPreprocessorFactory",
    "ToNXeventData",
    "ToNXlog",
]
