"""``livedata kafka peek``: show records of any topic, decoded to one line each.

Also home of the small record reader that ``results tail`` shares: a consumer of
its own group, partitions assigned explicitly (no group join, C4), which stops
once it has caught up with the end offsets seen at the start unless following.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import BootstrapOption, ExitCode, JsonOption, fail, reachable_settings
from .output import emit_json, progress

if TYPE_CHECKING:
    from ..kafka.raw import RawMessage

POLL_S = 0.2
GRACE_S = 0.5  # reading on after the reported end offsets (see read_records)


@dataclass(frozen=True)
class StartAt:
    """Where reading starts: ``beginning``, ``end``, ``end-N`` or a time."""

    kind: str  # "beginning" | "end" | "back" | "time"
    back: int = 0  # records before the end of each partition ("back")
    time_ms: int = 0  # first Kafka message time to show ("time")


def parse_start(text: str) -> StartAt:
    """Parse ``--from``; raises ``ValueError`` with a one-line reason."""
    from datetime import UTC, datetime

    value = text.strip().lower()
    if value in ("beginning", "start", "earliest"):
        return StartAt("beginning")
    if value in ("end", "latest"):
        return StartAt("end")
    if value.startswith("end-"):
        try:
            back = int(value[4:])
        except ValueError:
            raise ValueError(f"--from {text!r}: end-N needs an integer N") from None
        if back < 0:
            raise ValueError(f"--from {text!r}: N must not be negative")
        return StartAt("back", back=back)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--from {text!r}: use beginning, end, end-N or an ISO time"
        ) from None
    if moment.tzinfo is None:  # no zone means UTC, as everywhere in the CLI
        moment = moment.replace(tzinfo=UTC)
    return StartAt("time", time_ms=int(moment.timestamp() * 1000))


@dataclass(frozen=True)
class Record:
    """A record with its coordinates, which ``RawMessage`` does not carry."""

    raw: RawMessage
    partition: int
    offset: int


def open_consumer(bootstrap: str | None, group_prefix: str, timeout: float):
    """A confluent-kafka consumer with the configured security settings.

    Exits 1 with the same line as every command ("no Kafka broker answered at
    HOST:PORT within N s") when the broker does not answer in ``timeout``.
    """
    from confluent_kafka import Consumer

    from ..kafka.consumer import make_consumer_config

    address, settings = reachable_settings(bootstrap, timeout)
    return Consumer(make_consumer_config(address, group_prefix, settings)), address


def assign_from(
    consumer,
    topics: list[str],
    start: StartAt,
    timeout: float,
    *,
    missing_ok: bool = False,
):
    """Assign every partition of ``topics`` at ``start``.

    Returns the end offsets (at assignment time) of the partitions that have
    records to read from ``start`` on.

    Exits 1 if the broker does not answer and 2 if a topic does not exist
    (raises ``TopicsNotFound`` instead with ``missing_ok``).
    """
    from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, KafkaException

    from ..kafka.consumer import TopicsNotFound, topic_partitions

    try:
        partitions = topic_partitions(consumer, topics, timeout)
        ends: dict[tuple[str, int], int] = {}
        for tp in partitions:
            low, high = consumer.get_watermark_offsets(tp, timeout=timeout)
            first = low
            if start.kind == "end":
                tp.offset, first = OFFSET_END, high
            elif start.kind == "back" and high - start.back > low:
                tp.offset = first = high - start.back
            else:
                # Logical "beginning", never an explicit first offset: the
                # embedded broker's fetches crawl from an explicit offset 0.
                tp.offset = OFFSET_BEGINNING
            if first < high:
                ends[(tp.topic, tp.partition)] = high
        # The embedded broker (Tansu) does not implement offsets_for_times, so
        # a start time is applied by reading from the beginning and skipping
        # older records (see read_records) rather than by seeking.
        consumer.assign(partitions)
    except TopicsNotFound as err:
        if missing_ok:
            raise
        fail(str(err), ExitCode.USAGE)
    except KafkaException as err:
        # The broker answered the reachability check, then failed a request.
        fail(f"Kafka request failed: {err.args[0].str() if err.args else err}")
    return ends


def read_records(
    consumer,
    ends: dict[tuple[str, int], int],
    start: StartAt,
    *,
    follow: bool,
    idle_timeout: float,
) -> Iterator[Record | None]:
    """Records in arrival order; ``None`` once the history is read.

    The history ends GRACE_S after every partition reached its end offset from
    ``ends``: the embedded broker reports a high watermark that can trail the
    last record by a batch, so a little more is read after reaching it. Without
    ``follow`` reading stops there; it also stops after ``idle_timeout``
    seconds without a record.
    """
    from ..kafka.raw import from_confluent

    pending = set(ends)
    history_done = False
    began = last_record = time.monotonic()
    emptied_at = began if not pending else None
    while True:
        msg = consumer.poll(POLL_S)
        now = time.monotonic()
        if not history_done and emptied_at is not None and now - emptied_at >= GRACE_S:
            history_done = True
            yield None
            if not follow:
                return
        if msg is None:
            if now - last_record > idle_timeout:
                return
            continue
        if msg.error() is not None:
            progress(f"warning: {msg.error()}")
            continue
        last_record = now
        key = (msg.topic(), msg.partition())
        if key in pending and msg.offset() + 1 >= ends[key]:
            pending.discard(key)
            if not pending:
                emptied_at = now
        raw = from_confluent(msg)
        if start.kind == "time" and raw.timestamp_ms < start.time_ms:
            continue
        yield Record(raw, msg.partition(), msg.offset())


def last_per_partition(records: list[Record], n: int) -> list[Record]:
    """The last ``n`` records of each partition, by partition and offset."""
    by_partition: dict[int, list[Record]] = {}
    for record in records:
        by_partition.setdefault(record.partition, []).append(record)
    return [
        record
        for partition in sorted(by_partition)
        for record in sorted(by_partition[partition], key=lambda r: r.offset)[-n:]
    ]


def in_display_order(
    records: Iterator[Record | None], start: StartAt
) -> Iterator[Record]:
    """Drop the end-of-history marker; for ``end-N`` hold the history back until
    it is complete, then keep only the last N of each partition."""
    history: list[Record] | None = [] if start.kind == "back" else None
    for record in records:
        if record is None:
            if history is not None:
                yield from last_per_partition(history, start.back)
                history = None
        elif history is not None:
            history.append(record)
        else:
            yield record
    if history:  # stopped (idle) before the end of the history was seen
        yield from last_per_partition(history, start.back)


def _describe_json(record: Record) -> dict[str, Any]:
    from ..control.describe import describe_json

    return {
        "partition": record.partition,
        "offset": record.offset,
        **describe_json(record.raw),
    }


def peek(
    topic: Annotated[str, typer.Argument(metavar="TOPIC", help="Topic to read.")],
    start: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="WHERE",
            help="beginning, end, end-N (N records back) or an ISO 8601 time"
            " (no zone means UTC).",
        ),
    ] = "end-10",
    count: Annotated[
        int,
        typer.Option("--count", "-n", min=1, metavar="N", help="Stop after N records."),
    ] = 10,
    follow: Annotated[
        bool,
        typer.Option("--follow", "-f", help="Wait for new records after the end."),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            metavar="SECONDS",
            help="Seconds to wait for the broker and for records.",
        ),
    ] = 10.0,
    bootstrap: BootstrapOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print records of TOPIC, one decoded line each.

    The schema is detected per record: ev44, da00, f144, ad00, x5f2 or JSON.
    """
    try:
        position = parse_start(start)
    except ValueError as err:
        fail(str(err), ExitCode.USAGE)
    from ..control.describe import describe

    follow = follow or position.kind == "end"
    consumer, address = open_consumer(bootstrap, "livedata_cli_peek", timeout)
    documents: list[dict[str, Any]] = []
    shown = 0

    def show(record: Record) -> None:
        if as_json and follow:
            emit_json(_describe_json(record), ndjson=True)
        elif as_json:
            documents.append(_describe_json(record))
        else:
            where = f"{record.partition}:{record.offset}"
            typer.echo(f"{where:<8} {describe(record.raw, with_topic=False)}")

    try:
        ends = assign_from(consumer, [topic], position, timeout)
        progress(f"reading {topic} on {address} from {start}")
        records = read_records(
            consumer, ends, position, follow=follow, idle_timeout=timeout
        )
        for record in in_display_order(records, position):
            show(record)
            shown += 1
            if shown >= count:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    if as_json and not follow:
        emit_json(documents)
    progress(f"{shown} record(s)")
