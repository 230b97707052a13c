"""Running the CLI in-process (CliRunner) or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from livedata.cli.main import app

CLEAN_ENV_VARS = ("LIVEDATA_INSTRUMENT", "LIVEDATA_KAFKA_BOOTSTRAP", "LIVEDATA_ENV")


def invoke(*args: str, env: dict[str, str] | None = None):
    """Run ``livedata ARGS`` in-process; stdout and stderr kept apart."""
    runner = CliRunner()
    base = dict.fromkeys(CLEAN_ENV_VARS)  # None removes the variable
    return runner.invoke(
        app,
        list(args),
        env={**base, **(env or {})},
        prog_name="livedata",
    )


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run ``python -m livedata ARGS`` as a subprocess (a real terminal-less run)."""
    full_env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV_VARS}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "livedata", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )
