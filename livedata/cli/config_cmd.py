"""``livedata config``: the effective configuration, secrets redacted.

Named ``config_cmd`` so it does not shadow the ``livedata.config`` package.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    BootstrapOption,
    ExitCode,
    JsonOption,
    config_problem,
    fail,
    instrument_option,
    new_app,
)
from .output import emit_json

app = new_app("Effective configuration (YAML + environment).")


def namespaces(root) -> list[str]:
    """Namespaces are the ``defaults/<ns>.yaml`` files without an environment suffix."""
    from ..config.loader import ENVIRONMENTS

    names = []
    for path in sorted((root / "defaults").glob("*.yaml")):
        stem = path.stem
        if "." in stem and stem.rsplit(".", 1)[1] in ENVIRONMENTS:
            continue
        names.append(stem)
    return names


def effective_config(
    instrument: str | None = None,
    env: str | None = None,
    only: str | None = None,
    bootstrap: str | None = None,
) -> dict:
    """Every namespace merged and redacted, plus where it came from."""
    import os

    from ..config import kafka_client_config, load_config, redact
    from ..config.loader import config_root, current_env

    root = config_root()
    chosen = namespaces(root)
    if only is not None:
        if only not in chosen:
            raise LookupError(f"unknown namespace {only!r}; valid: {', '.join(chosen)}")
        chosen = [only]
    layers = {
        ns: load_config(ns, env, instrument=instrument, bootstrap=bootstrap)
        for ns in chosen
    }
    if "kafka" in layers:
        # The bootstrap actually used: LIVEDATA_KAFKA_BOOTSTRAP overrides the YAML.
        layers["kafka"] = {**layers["kafka"], **kafka_client_config(bootstrap, env)}
    return {
        "env": current_env(env),
        "config_root": str(root),
        "config_dir_override": os.environ.get("LIVEDATA_CONFIG_DIR"),
        "instrument": instrument,
        "namespaces": redact(layers),
    }


@app.command("show")
def show(
    namespace: Annotated[
        str | None,
        typer.Argument(
            metavar="NAMESPACE", help="Only this namespace (kafka, consumer, ...)."
        ),
    ] = None,
    instrument: Annotated[
        str | None, instrument_option("Include the instrument's overrides.")
    ] = None,
    env: Annotated[
        str | None,
        typer.Option(
            "--env",
            metavar="ENV",
            help="dev, staging or production (else LIVEDATA_ENV, else dev).",
            show_default=False,
        ),
    ] = None,
    bootstrap: BootstrapOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the effective configuration, with passwords and tokens as ***.

    With --bootstrap the kafka namespace shows that address, as every command
    given it would use.
    """
    from ..config import ConfigError
    from ..config.loader import ENVIRONMENTS

    if env is not None and env not in ENVIRONMENTS:
        fail(f"--env {env!r} is not one of {', '.join(ENVIRONMENTS)}", ExitCode.USAGE)
    try:
        config = effective_config(instrument, env, namespace, bootstrap)
    except (ConfigError, LookupError) as err:
        fail(config_problem(err), ExitCode.USAGE)
    if as_json:
        emit_json(config)
        return
    import yaml

    typer.echo(f"# env: {config['env']}   config root: {config['config_root']}")
    if config["instrument"]:
        typer.echo(f"# instrument overrides: {config['instrument']}")
    typer.echo(
        yaml.safe_dump(
            config["namespaces"], sort_keys=False, default_flow_style=False
        ).rstrip()
    )
