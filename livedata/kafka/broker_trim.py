"""Retention for the embedded broker, which has none of its own (issue 11).

Tansu 0.6 keeps every record in memory, ignores ``retention.ms`` and answers
DeleteRecords by closing the connection, so a demo grew by ~15 MB/s until the
kernel killed it. Deleting a topic does free its memory (measured: 319 MB back
to 17 MB), so when the broker's resident memory passes ``max_bytes`` the
trimmer deletes and re-creates the data topics (raw streams, results, ROI
requests) with their partition counts. Control topics (commands, responses,
heartbeats) are kept: the commands topic is the configuration state (G5).

What a trim costs: the records in the data topics are gone (their retention
is 30 s on a real Kafka anyway), and records produced during the re-create,
a few milliseconds, fail at their producers. Consumers notice the topics come
back and read them again from their start (``BackgroundMessageSource``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from .admin import RESULT_TOPIC, ROI_TOPIC, TopicSettings, ensure_topics_with

logger = logging.getLogger(__name__)

KEPT_SUFFIXES = ("_livedata_commands", "_livedata_responses", "_livedata_heartbeat")
DEFAULT_MAX_MB = 2048
MAX_MB_ENV = "LIVEDATA_BROKER_MAX_MB"


def max_bytes_from_env() -> int:
    """``$LIVEDATA_BROKER_MAX_MB`` (default 2048) in bytes; 0 disables trimming."""
    raw = os.environ.get(MAX_MB_ENV, "")
    try:
        mb = int(raw) if raw.strip() else DEFAULT_MAX_MB
    except ValueError:
        logger.warning(
            "%s=%r is not a number; using %d", MAX_MB_ENV, raw, DEFAULT_MAX_MB
        )
        mb = DEFAULT_MAX_MB
    return max(0, mb) * 1024 * 1024


def is_data_topic(name: str) -> bool:
    return not name.startswith("__") and not name.endswith(KEPT_SUFFIXES)


class BrokerTrimmer:
    """A daemon thread that trims the broker's data topics above ``max_bytes``."""

    def __init__(
        self,
        bootstrap: str,
        rss_bytes: Callable[[], int | None],
        max_bytes: int,
        *,
        interval: float = 5.0,
        timeout: float = 10.0,
    ) -> None:
        self._bootstrap = bootstrap
        self._rss_bytes = rss_bytes
        self._max_bytes = max_bytes
        self._interval = interval
        self._timeout = timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.trims = 0

    def start(self) -> BrokerTrimmer:
        if self._max_bytes > 0 and self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="broker-trimmer", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self._timeout)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            rss = self._rss_bytes()
            if rss is None or rss <= self._max_bytes:
                continue
            try:
                names = self.trim()
            except Exception as error:  # a failed trim is retried next interval
                logger.warning("trimming the broker failed: %r", error)
                continue
            logger.warning(
                "broker memory %d MB above %d MB: re-created %d data topics"
                " (their records are gone); now %s MB",
                rss // 2**20,
                self._max_bytes // 2**20,
                len(names),
                (self._rss_bytes() or 0) // 2**20,
            )

    def trim(self) -> list[str]:
        """Delete and re-create every data topic; the names trimmed."""
        from confluent_kafka.admin import AdminClient

        admin = AdminClient(
            {
                "bootstrap.servers": self._bootstrap,
                "logger": logging.getLogger("livedata.kafka.librdkafka"),
            }
        )
        metadata = admin.list_topics(timeout=self._timeout)
        topics = {
            name: TopicSettings(
                partitions=max(1, len(meta.partitions)),
                config=(
                    ROI_TOPIC if name.endswith("_livedata_roi") else RESULT_TOPIC
                ).config,
            )
            for name, meta in metadata.topics.items()
            if is_data_topic(name)
        }
        if not topics:
            return []
        for future in admin.delete_topics(
            list(topics), operation_timeout=self._timeout
        ).values():
            future.result(self._timeout)
        deadline = time.monotonic() + self._timeout
        while True:
            report = ensure_topics_with(admin, self._bootstrap, topics, self._timeout)
            if report.ok or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if not report.ok:
            raise RuntimeError(f"could not re-create {dict(report.failed)}")
        self.trims += 1
        return sorted(topics)
