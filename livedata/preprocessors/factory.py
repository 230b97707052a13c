"""Which accumulator each stream gets (B3, G8)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from livedata.core.accumulator import Accumulator
from livedata.core.log_attributes import LogDataAttributes
from livedata.core.metrics import Counters
from livedata.core.stream import StreamId, StreamKind

from .nxlog import ToNXlog

AccumulatorMaker = Callable[[StreamId], Accumulator[Any, Any]]
LogAccumulatorMaker = Callable[[StreamId, LogDataAttributes], Accumulator[Any, Any]]


class StreamPreprocessorFactory:
    """Makes accumulators by stream kind; log streams only if the registry has them.

    A log stream whose name is not in ``log_attributes`` (the f144 attribute
    registry, G8) gets ``None``, as does any kind without a maker; the processor
    then drops and counts its messages.
    """

    def __init__(
        self,
        makers: Mapping[StreamKind, AccumulatorMaker],
        log_attributes: Mapping[str, LogDataAttributes] | None = None,
        *,
        counters: Counters | None = None,
        make_log: LogAccumulatorMaker | None = None,
    ) -> None:
        if StreamKind.LOG in makers:
            raise ValueError(
                "log streams are made from log_attributes (and make_log), "
                "not from makers"
            )
        self._makers = dict(makers)
        self._log_attributes = dict(log_attributes or {})
        self._counters = counters if counters is not None else Counters()
        self._make_log = make_log or self._default_log_accumulator

    def make_preprocessor(self, stream: StreamId) -> Accumulator[Any, Any] | None:
        if stream.kind == StreamKind.LOG:
            attributes = self._log_attributes.get(stream.name)
            if attributes is None:
                return None
            return self._make_log(stream, attributes)
        maker = self._makers.get(stream.kind)
        return None if maker is None else maker(stream)

    def _default_log_accumulator(
        self, stream: StreamId, attributes: LogDataAttributes
    ) -> Accumulator[Any, Any]:
        return ToNXlog(attributes, counters=self._counters)
