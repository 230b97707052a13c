"""The accumulator protocol (B3, B4): per-stream state between wire and workflow."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from .stream import StreamId
from .timestamp import Timestamp

T_contra = TypeVar("T_contra", contravariant=True)
U_co = TypeVar("U_co", covariant=True)


class Accumulator(Protocol[T_contra, U_co]):
    """Turns raw messages of one stream into what workflows consume.

    ``get`` either clears (window semantics: the delta since the last read) or
    not (cumulative semantics: the full history); each implementation documents
    which. ``get`` on an accumulator that never saw data raises ``ValueError``.
    """

    def add(self, timestamp: Timestamp, data: T_contra) -> None: ...

    def get(self) -> U_co: ...

    def clear(self) -> None: ...

    @property
    def is_empty(self) -> bool: ...


class PreprocessorFactory(Protocol):
    """Makes the accumulator for a stream, or ``None`` for streams nobody uses."""

    def make_preprocessor(self, stream: StreamId) -> Accumulator[Any, Any] | None: ...
