"""``livedata bench``: throughput figures operators use to size hardware."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..core.timestamp import PULSE_FREQUENCY_HZ
from .common import fail

app = typer.Typer(help="Measure processing throughput.", no_args_is_help=True)


def _whole_seconds(pulses: int) -> int:
    if pulses % PULSE_FREQUENCY_HZ:
        raise typer.BadParameter(
            f"{pulses} is not a multiple of {PULSE_FREQUENCY_HZ} (whole seconds)"
        )
    return pulses


@app.command("detector")
def detector(
    json_output: Annotated[
        bool, typer.Option("--json", help="Last line is a JSON object.")
    ] = False,
    pulses: Annotated[
        int,
        typer.Option(
            min=PULSE_FREQUENCY_HZ,
            callback=_whole_seconds,
            help="Timed pulses (14 Hz); a multiple of 14, i.e. whole 1 s windows.",
        ),
    ] = 56,
    events_per_pulse: Annotated[
        int, typer.Option(min=1000, help="Events in each ev44 message.")
    ] = 1_000_000,
) -> None:
    """Full detector_data path in one process: decode, batch, histogram, publish."""
    from ..services.bench_detector import as_dict, run_detector_bench

    typer.echo("preparing ev44 messages and the panel_0_xy job ...", err=True)
    result = run_detector_bench(pulses=pulses, events_per_pulse=events_per_pulse)
    typer.echo(
        f"{result.events:,} events histogrammed in {result.seconds:.3f} s: "
        f"{result.events_per_s:.3g} events/s, {result.ns_per_event:.2f} ns/event "
        f"({result.results_published} results published)"
    )
    if json_output:
        typer.echo(json.dumps(as_dict(result)))


_REDUCTIONS = ("dream/powder", "loki/i_of_q", "bifrost/qe_map")


def _reduction_workflow(value: str) -> str:
    if value not in _REDUCTIONS:
        raise typer.BadParameter(
            f"{value!r} is not a benchmarked reduction; choose from "
            + ", ".join(_REDUCTIONS)
        )
    return value


@app.command("reduction")
def reduction(
    workflow: Annotated[
        str,
        typer.Option(
            "--workflow",
            callback=_reduction_workflow,
            help="One of: " + ", ".join(_REDUCTIONS) + ".",
        ),
    ],
    rate: Annotated[
        float,
        typer.Option(min=1e3, help="Detector events/s fed (monitors get 1 %)."),
    ] = 1e7,
    seconds: Annotated[
        int, typer.Option(min=1, max=60, help="Timed seconds of data (1 s windows).")
    ] = 3,
    json_output: Annotated[
        bool, typer.Option("--json", help="Last line is a JSON object.")
    ] = False,
) -> None:
    """One reduction through the data_reduction path in one process: decode,
    batch, preprocess, the job's kernel and library steps, publish. Reports
    events per CPU second (per core) and whether it keeps up with RATE."""
    from ..services.bench_reduction import as_dict, run_reduction_bench

    typer.echo(f"preparing {workflow} at {rate:.3g} events/s ...", err=True)
    try:
        result = run_reduction_bench(workflow, rate=rate, seconds=seconds)
    except (RuntimeError, ValueError) as error:
        fail(f"bench reduction: {error}")
    verdict = "keeps up" if result.keeps_up else "falls behind"
    typer.echo(
        f"{result.events:,} events of {workflow} in {result.cpu_seconds:.3f} CPU s "
        f"({result.seconds:.3f} s wall): {result.events_per_cpu_s:.3g} events/s "
        f"per core, {result.ns_per_event:.1f} ns/event; {verdict} at "
        f"{rate:.3g} events/s ({result.results_published} results published)"
    )
    if json_output:
        typer.echo(json.dumps(as_dict(result)))
