"""``livedata results tail``: the next results of a workflow, one line each.

Reads the instrument's ``livedata_data`` topic from its end and decodes with the
same adapter chain the clients use (``build_client_adapter``), so what is shown
is what the console would plot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import (
    BootstrapOption,
    ExitCode,
    JsonOption,
    OptionalInstrumentOption,
    fail,
    new_app,
)
from .output import emit_json, progress
from .workflows import complete_workflow, resolve_workflow

if TYPE_CHECKING:
    from ..core.message import Message

app = new_app("Results published by the services.")


@dataclass(frozen=True)
class ResultLine:
    """What one result message says, small enough for a line or a JSON object."""

    timestamp_ns: int
    workflow_id: str
    job_id: str
    output_name: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    unit: str | None
    value: float | None  # the value of a 0-d result
    total: float | None = None  # an n-d result of counts: their NaN-ignoring sum
    last: float | None = None  # a time series: its latest value
    mean: float | None = None  # any other n-d result: its NaN-ignoring mean

    def text(self) -> str:
        from datetime import UTC, datetime

        when = datetime.fromtimestamp(self.timestamp_ns / 1e9, UTC)
        if self.dims:
            sizes = ", ".join(
                f"{d}: {n}" for d, n in zip(self.dims, self.shape, strict=True)
            )
            name, number = self.headline()
            amount = f"{name}={_number(number)}"
        else:
            sizes = "scalar"
            amount = f"value={_number(self.value)}"
        from ..core.unit_text import readable_unit

        unit = readable_unit(self.unit) if self.unit is not None else "dimensionless"
        return (
            f"{when:%H:%M:%S.%f}"[:-3]
            + f"  {self.workflow_id}  {self.job_id}  {self.output_name}"
            + f"  [{sizes}]  {amount} {unit}"
        )

    def headline(self) -> tuple[str, float | None]:
        """The one number that stands for an n-d result, and its name."""
        if self.last is not None:
            return "last", self.last
        if self.mean is not None:
            return "mean", self.mean
        return "sum", self.total


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def summarise(message: Message) -> ResultLine:
    """A ResultLine from a decoded result message (value: a scipp DataArray)."""
    import math

    from ..core.identifiers import ResultKey

    key = ResultKey.from_json(message.stream.name)
    data = message.value
    unit = None if data.unit is None else str(data.unit)
    value = None
    numbers: dict[str, Any] = {}
    if data.ndim == 0:
        value = float(data.value) if _is_number(data.value) else None
    else:
        from ..control.data_service import summarise as summarise_frame

        summary, _ = summarise_frame(data)
        numbers = {
            field: summary[name]
            for name, field in (("sum", "total"), ("last", "last"), ("mean", "mean"))
            if name in summary
        }
    if value is not None and math.isnan(value):
        value = None
    # The message time is the job's start (docs/wire.md); the 0-d ``time`` coordinate is
    # the end of the data the result covers, which is what a reader wants to see.
    end = data.coords.get("time")
    when = int(end.value) if end is not None and end.ndim == 0 else None
    return ResultLine(
        timestamp_ns=when if when is not None else message.timestamp.ns,
        workflow_id=str(key.workflow_id),
        job_id=str(key.job_id),
        output_name=key.output_name,
        dims=tuple(data.dims),
        shape=tuple(int(n) for n in data.shape),
        unit=unit,
        value=value,
        **numbers,
    )


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


@app.command("tail")
def tail(
    workflow: Annotated[
        str,
        typer.Option(
            "--workflow",
            "-w",
            help="inst/name/version, inst/name or name (with --instrument).",
            autocompletion=complete_workflow,
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Only this output.", show_default=False),
    ] = None,
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, help="Stop after N results.")
    ] = 10,
    timeout: Annotated[
        float,
        typer.Option(min=0.1, help="Give up after this many seconds without one."),
    ] = 30.0,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            "-f",
            help="Keep printing until Ctrl-C (NDJSON with --json); no --count"
            " limit, no --timeout.",
        ),
    ] = False,
    instrument: OptionalInstrumentOption = None,
    bootstrap: BootstrapOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the next N results of a workflow (from the end of the data topic),
    or every result until Ctrl-C with --follow."""
    spec = resolve_workflow(workflow, instrument)
    if output is not None and output not in spec.outputs:
        fail(
            f"workflow {spec.workflow_id} has no output {output!r}; "
            f"valid: {', '.join(spec.outputs)}",
            ExitCode.USAGE,
        )
    from ..core.metrics import Counters
    from ..core.stream import StreamKind
    from ..kafka.routing import build_client_adapter
    from ..kafka.stream_mapping import livedata_topic
    from .peek import StartAt, assign_from, open_consumer, read_records

    topic = livedata_topic(spec.instrument, StreamKind.LIVEDATA_DATA)
    adapter = build_client_adapter(spec.instrument, Counters())
    wanted = str(spec.workflow_id)
    name_bytes = f'"{spec.name}"'.encode()
    consumer, address = open_consumer(bootstrap, "livedata_cli_results", timeout)
    lines: list[ResultLine] = []
    start = StartAt("end")
    try:
        ends = assign_from(consumer, [topic], start, timeout)
        progress(f"waiting for results of {wanted} on {topic} at {address}")
        idle = float("inf") if follow else timeout
        records = read_records(consumer, ends, start, follow=True, idle_timeout=idle)
        for record in records:
            if record is None:  # the end of the history: nothing to do
                continue
            if name_bytes not in record.raw.value:
                continue  # cheap pre-filter: the key (JSON) holds the name
            message = adapter.adapt(record.raw)
            if message is None:
                continue
            line = summarise(message)
            if line.workflow_id != wanted or output not in (None, line.output_name):
                continue
            lines.append(line)
            if follow and as_json:
                emit_json(line, ndjson=True)
            elif not as_json:
                typer.echo(line.text())
            if not follow and len(lines) >= count:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    if as_json and not follow:
        emit_json(lines)
    if not lines and not follow:
        fail(f"no results of {wanted} within {timeout:g} s")
