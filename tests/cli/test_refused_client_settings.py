"""SASL settings without a username: one line and exit 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "command",
    [
        ["services", "status"],
        ["job", "list"],
        ["kafka", "lag"],
        ["kafka", "topics", "create", "-i", "dummy"],
    ],
)
def test_refused_sasl_settings_are_one_line(command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEDATA_")}
    env |= {
        "LIVEDATA_KAFKA_BOOTSTRAP": "127.0.0.1:1",
        "LIVEDATA_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "LIVEDATA_KAFKA_SASL_MECHANISM": "PLAIN",
        "LIVEDATA_KAFKA_SASL_PASSWORD": "s3cret-not-shown",
    }
    done = subprocess.run(
        [sys.executable, "-m", "livedata", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: Kafka client settings refused:")
    assert "sasl.username" in lines[0]
    assert "s3cret" not in done.stderr + done.stdout
