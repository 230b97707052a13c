"""``livedata broker``: the embedded Kafka-protocol broker, in memory on loopback."""

from __future__ import annotations

from typing import Annotated

import typer

from ..core.stop_signal import StopSignal, stop_on_signals
from .common import fail


def broker(
    port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Port on 127.0.0.1 (default: a free one).",
            show_default=False,
        ),
    ] = None,
    memory_limit: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            help="Stop the broker, with exit code 1, when it holds this many "
            "GiB (it keeps every record; default: half the machine's memory).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run an in-memory Kafka-protocol broker (Tansu) until Ctrl-C."""
    from ..kafka.broker import BrokerStartError, EmbeddedBroker, memory_limit_bytes

    stop = StopSignal()
    stop_on_signals(stop)
    try:
        limit = memory_limit_bytes(memory_limit)
        embedded = EmbeddedBroker(port, memory_limit=limit).start()
    except BrokerStartError as err:
        fail(str(err).splitlines()[0])
    typer.echo(embedded.bootstrap)
    typer.echo(
        "broker running; Ctrl-C stops it (data is kept in memory only"
        + (f", up to {limit / 2**30:.1f} GiB)" if limit else ")"),
        err=True,
    )
    death = None
    try:
        while not stop.wait(0.5):
            death = embedded.death()
            if death is not None:
                break
    finally:
        embedded.stop()
    if death is not None:
        fail(death)
    typer.echo("broker stopped", err=True)
