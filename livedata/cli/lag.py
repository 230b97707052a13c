"""``livedata kafka lag``: how far the services' consumers are behind, per partition.

The measuring is ``livedata.control.lag.LagProbe`` (committed offsets against
the log end, at the broker); this module renders its ``LagRow`` values and
applies ``--max-lag``. An unknown lag is shown as '-' (``null`` in JSON), never
0: "no lag" and "cannot tell" must not look alike.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    BootstrapOption,
    InstrumentOption,
    JsonOption,
    WatchOption,
    fail,
    kafka_settings,
    resolve_instrument,
)
from .output import (
    MISSING,
    emit_json,
    make_console,
    print_table,
    progress,
    rich_table,
)

if TYPE_CHECKING:
    from ..control.snapshots import LagRow

COLUMNS = (
    "SERVICE", "TOPIC", "PART", "END", "COMMITTED", "LAG", "TIME LAG [s]",
    "PEAK", "DROPPED", "TREND",
)  # fmt: skip
SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """Recent lags as block characters, scaled to their own maximum."""
    if not values:
        return MISSING
    top = max(values)
    if top <= 0:
        return SPARK[0] * len(values)
    return "".join(SPARK[min(7, int(v / top * 7))] for v in values)


def short_service(group: str) -> str:
    """``inst:service:worker`` as ``service:worker[:8]`` (fits 80 columns)."""
    parts = group.split(":")
    if len(parts) == 3:
        return f"{parts[1]}:{parts[2][:8]}"
    return group


def lag_cells(row: LagRow) -> tuple:
    return (
        short_service(row.group),
        row.topic,
        row.partition,
        row.end_offset,
        row.committed,
        row.offset_lag,  # None renders as '-'
        None if row.time_lag_s is None else round(row.time_lag_s, 2),
        row.peak_lag,
        row.dropped,
        sparkline(row.trend),
    )


def parse_max_lag(text: str) -> tuple[int | None, float | None]:
    """``N`` (messages) or ``Ds`` (seconds, e.g. ``30s`` or ``2.5s``)."""
    value = text.strip().lower()
    try:
        if value.endswith("s"):
            seconds = float(value[:-1])
            if seconds >= 0:
                return None, seconds
        else:
            messages = int(value)
            if messages >= 0:
                return messages, None
    except ValueError:
        pass
    raise ValueError(f"--max-lag {text!r}: expected N (messages) or Ds (seconds)")


def over_limit(
    rows: Sequence[LagRow], messages: int | None, seconds: float | None
) -> list[LagRow]:
    """Rows whose lag is above the limit."""
    return [
        r
        for r in rows
        if (messages is not None and (r.offset_lag or 0) > messages)
        or (seconds is not None and (r.time_lag_s or 0.0) > seconds)
    ]


def lag_json(rows: Sequence[LagRow]) -> dict:
    from .output import to_jsonable

    return {"time": time.time(), "rows": [to_jsonable(r) for r in rows]}


# Recent heartbeats per partition: every live service's last (they name the
# consumer groups to measure), with their jobs' statuses in between.
HEARTBEATS_BACK = 2000


class HeartbeatFeed:
    """Feeds service heartbeats into the probe: they name each service's
    consumer group (and carry the lag of services that commit nothing)."""

    def __init__(self, bootstrap: str | None, instrument: str, timeout: float):
        from ..core.metrics import Counters
        from ..core.stream import StreamKind
        from ..kafka.consumer import TopicsNotFound
        from ..kafka.routing import build_client_adapter
        from ..kafka.stream_mapping import livedata_topic
        from .peek import StartAt, assign_from, open_consumer

        self._adapter = build_client_adapter(instrument, Counters())
        self._consumer, _ = open_consumer(bootstrap, "livedata_cli_lag", timeout)
        self._timeout = timeout
        topic = livedata_topic(instrument, StreamKind.LIVEDATA_STATUS)
        try:
            self._ends = assign_from(
                self._consumer,
                [topic],
                StartAt("back", back=HEARTBEATS_BACK),
                timeout,
                missing_ok=True,
            )
        except TopicsNotFound:
            self._ends = {}

    def feed(self, probe) -> None:
        """Recent heartbeats on the first call, then whatever arrived since."""
        from ..core.status import ServiceStatus
        from ..kafka.raw import from_confluent
        from .peek import StartAt, read_records

        if self._ends is not None:
            records = read_records(
                self._consumer,
                self._ends,
                StartAt("back"),
                follow=False,
                idle_timeout=self._timeout,
            )
            raws = [r.raw for r in records if r is not None]
            self._ends = None
        else:
            messages = self._consumer.consume(1000, timeout=0.05)
            raws = [from_confluent(m) for m in messages if m.error() is None]
        for raw in raws:
            message = self._adapter.adapt(raw)
            if message is not None and isinstance(message.value, ServiceStatus):
                probe.observe(message.value)

    def close(self) -> None:
        self._consumer.close()


def _sample(probe, feed: HeartbeatFeed) -> tuple:
    try:
        feed.feed(probe)
        return tuple(probe.sample())
    except Exception as err:  # a broker that went away mid-watch, etc.
        fail(f"lag probe failed: {err}")


def lag(
    instrument: InstrumentOption = "dummy",
    bootstrap: BootstrapOption = None,
    watch: WatchOption = False,
    interval: Annotated[
        float, typer.Option(min=0.2, help="Seconds between samples with --watch.")
    ] = 2.0,
    timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for the broker.")
    ] = 5.0,
    as_json: JsonOption = False,
    max_lag: Annotated[
        str | None,
        typer.Option(
            "--max-lag",
            metavar="N|Ds",
            help="Exit 6 when a partition is more than N messages or D seconds"
            " behind (e.g. 1000 or 30s); without --watch.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Consumer lag of the instrument's services, per topic partition, at the broker.

    Each service commits what it processed (its own consumer group); the lag is
    the log-end offset minus the committed one, and the time between the
    records at both. PEAK is the largest lag seen by this command, DROPPED the
    messages the service skipped when overloaded. Unknown lag is shown as '-'.
    """
    from .common import ExitCode

    limit: tuple[int | None, float | None] | None = None
    if max_lag is not None:
        try:
            limit = parse_max_lag(max_lag)
        except ValueError as err:
            fail(str(err), ExitCode.USAGE)
        if watch:
            fail("--max-lag is for one sample: leave out --watch", ExitCode.USAGE)
    inst = resolve_instrument(instrument)
    settings = kafka_settings(bootstrap)
    address = settings.pop("bootstrap.servers")
    feed = HeartbeatFeed(bootstrap, inst.name, timeout)
    from ..control.lag import LagProbe

    probe = LagProbe(address, inst.name, client_config=settings)
    try:
        if not watch:
            rows = _sample(probe, feed)
            if as_json:
                emit_json(lag_json(rows))
            else:
                print_table(COLUMNS, (lag_cells(r) for r in rows))
                if not rows:
                    progress(
                        "no lag known: no service heartbeat names a consumer"
                        " group and none reports its lag"
                    )
            if limit is not None and (behind := over_limit(rows, *limit)):
                worst = behind[0]
                progress(
                    f"{len(behind)} partition(s) above --max-lag {max_lag}, e.g."
                    f" {short_service(worst.group)} {worst.topic}/{worst.partition}"
                    f" {worst.offset_lag} messages"
                )
                raise typer.Exit(ExitCode.UNHEALTHY)
            return
        _watch(probe, feed, interval, as_json)
    except KeyboardInterrupt:
        pass
    finally:
        probe.close()
        feed.close()


def _watch(probe, feed: HeartbeatFeed, interval: float, as_json: bool) -> None:
    """Repeat until Ctrl-C: NDJSON, a live table on a terminal, else tables."""
    import sys

    if as_json or not sys.stdout.isatty():
        while True:
            rows = _sample(probe, feed)
            if as_json:
                emit_json(lag_json(rows), ndjson=True)
            else:
                typer.echo(time.strftime("# %H:%M:%S"))
                print_table(COLUMNS, (lag_cells(r) for r in rows))
                typer.echo("")
            time.sleep(interval)
    from rich.live import Live

    with Live(console=make_console(), auto_refresh=False) as live:
        while True:
            rows = _sample(probe, feed)
            title = time.strftime("consumer lag at %H:%M:%S (Ctrl-C stops)")
            live.update(rich_table(COLUMNS, [lag_cells(r) for r in rows], title))
            live.refresh()
            time.sleep(interval)
