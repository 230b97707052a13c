"""Rate-limited Kafka client logging (issue 11).

While a broker is down librdkafka and the consumer loop report every failed
connect and every errored fetch: ~22 lines a second per service, which buries
the one line that says what happened. This filter lets the first line of a
kind through, then at most one per ``interval`` seconds, with the number
suppressed in between appended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

DEFAULT_INTERVAL_S = 10.0
KAFKA_LOGGERS = (
    "livedata.kafka.librdkafka",
    "livedata.kafka.source",
    "livedata.kafka.sink",
)


class RateLimitFilter(logging.Filter):
    """At most one record per (logger, message template) per interval."""

    def __init__(
        self,
        interval: float = DEFAULT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], float] = {}
        self._suppressed: dict[tuple[str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, _template(record))
        now = self._clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self._interval:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return False
            self._last[key] = now
            suppressed = self._suppressed.pop(key, 0)
        if suppressed:
            record.msg = f"{record.msg} ({suppressed} similar lines suppressed)"
        return True


def _template(record: logging.LogRecord) -> str:
    """What makes two lines "the same": the format string, or for librdkafka
    (whose lines arrive formatted) the text up to the first digit-bearing word."""
    text = str(record.msg)
    if record.args:
        return text
    words = []
    for word in text.split():
        if any(ch.isdigit() for ch in word):
            break
        words.append(word)
    return " ".join(words[:8])


def limit_kafka_logs(interval: float = DEFAULT_INTERVAL_S) -> None:
    """Install the filter on the Kafka loggers once per process."""
    for name in KAFKA_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RateLimitFilter) for f in logger.filters):
            logger.addFilter(RateLimitFilter(interval))
