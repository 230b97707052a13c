"""``livedata service run`` that cannot start: one clear line, a non-zero exit,
no traceback and no secret in the log. Real subprocesses; no broker listens."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from livedata.config.loader import config_root
from livedata.kafka.broker import find_free_port

SECRET = "pw#s3cret: x"  # '#' and ': ' would break an unquoted YAML value
SASL = {
    "LIVEDATA_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "LIVEDATA_KAFKA_SASL_MECHANISM": "PLAIN",
    "LIVEDATA_KAFKA_SASL_USERNAME": "operator",
    "LIVEDATA_KAFKA_SASL_PASSWORD": SECRET,
}


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A copy of the shipped configuration whose broker timeout is 1 s."""
    root = tmp_path / "config"
    shutil.copytree(config_root(), root)
    service = root / "defaults" / "service.yaml"
    service.write_text(
        service.read_text().replace("kafka_timeout_s: 10.0", "kafka_timeout_s: 1.0")
    )
    return root


def livedata(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LIVEDATA_") and k != "NO_COLOR"
    }
    return subprocess.run(
        [sys.executable, "-m", "livedata", *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=60,
    )


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one line that says what is wrong: last, and the only ``error:``."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert errors == lines[-1:], result.stderr
    return errors[0]


def test_unreachable_broker_is_one_line_and_the_password_never_logged(
    config_dir: Path,
) -> None:
    address = f"127.0.0.1:{find_free_port()}"
    env = {"LIVEDATA_CONFIG_DIR": str(config_dir), **SASL}
    result = livedata(
        "service", "run", "timeseries", "--bootstrap", address,
        "--log-level", "DEBUG",
        env=env,
    )  # fmt: skip
    assert result.returncode == 1
    line = error_line(result)
    assert line.startswith(f"error: no Kafka broker answered at {address} within 1 s")
    assert SECRET not in result.stderr + result.stdout
    assert "s3cret" not in result.stderr + result.stdout
    # What was used is logged, with the secrets redacted.
    assert "'security.protocol': 'SASL_PLAINTEXT'" in result.stderr
    assert "'sasl.password': '***'" in result.stderr


def test_production_with_bootstrap_given_needs_no_bootstrap_variable(
    config_dir: Path,
) -> None:
    """The production layer takes its broker from LIVEDATA_KAFKA_BOOTSTRAP;
    given --bootstrap, the service gets as far as asking that broker."""
    address = f"127.0.0.1:{find_free_port()}"
    env = {"LIVEDATA_CONFIG_DIR": str(config_dir), "LIVEDATA_ENV": "production", **SASL}
    result = livedata("service", "run", "timeseries", "--bootstrap", address, env=env)
    assert result.returncode == 1, result.stderr
    line = error_line(result)
    assert line.startswith(f"error: no Kafka broker answered at {address} within 1 s")


def test_prod_mapping_is_the_default_and_dev_opt_in(config_dir: Path) -> None:
    address = f"127.0.0.1:{find_free_port()}"
    env = {"LIVEDATA_CONFIG_DIR": str(config_dir)}
    default = livedata(
        "service", "run", "monitor_data", "--bootstrap", address, env=env
    )
    assert "starting monitor_data for dummy (PROD)" in default.stderr
    dev = livedata(
        "service", "run", "monitor_data", "--dev", "--bootstrap", address, env=env
    )
    assert "starting monitor_data for dummy (DEV)" in dev.stderr
    assert default.returncode == dev.returncode == 1


def test_ssl_settings_from_the_environment_reach_the_kafka_clients() -> None:
    """librdkafka checks ssl.ca.location when the client is created: the
    refusal proves the setting got there (and is one line, exit 2)."""
    env = {
        "LIVEDATA_KAFKA_SECURITY_PROTOCOL": "SSL",
        "LIVEDATA_KAFKA_SSL_CA_LOCATION": "/nonexistent/ca.pem",
        "LIVEDATA_KAFKA_BOOTSTRAP": f"127.0.0.1:{find_free_port()}",
    }
    for args in (("service", "run", "timeseries"), ("fake", "logs")):
        result = livedata(*args, env=env)
        assert result.returncode == 2, (args, result.stderr)
        line = error_line(result)
        assert "Kafka client settings refused" in line, args
        assert "ssl.ca.location" in line, args


@pytest.mark.parametrize(
    "env",
    [
        {"LIVEDATA_ENV": "production"},  # the production layer needs the variable
        {"LIVEDATA_ENV": "production", "LIVEDATA_KAFKA_BOOTSTRAP": ""},
    ],
    ids=["unset", "empty"],
)
def test_no_bootstrap_address_is_a_usage_error(env: dict[str, str]) -> None:
    result = livedata("service", "run", "timeseries", env=env)
    assert result.returncode == 2
    line = error_line(result)
    assert "bootstrap" in line.lower()


@pytest.mark.parametrize(
    ("setting", "complaint"),
    [
        ("heartbeat_interval_s: 2.0", "heartbeat_interval_s: Extra inputs"),
        ("batch_length_s: 0", "batch_length_s: Input should be greater than 0"),
    ],
)
def test_service_settings_nothing_reads_or_that_cannot_work_are_refused(
    config_dir: Path, setting: str, complaint: str
) -> None:
    service = config_dir / "defaults" / "service.yaml"
    service.write_text(service.read_text() + f"\n{setting}\n")
    result = livedata(
        "service", "run", "timeseries", "--bootstrap", "127.0.0.1:9",
        env={"LIVEDATA_CONFIG_DIR": str(config_dir)},
    )  # fmt: skip
    assert result.returncode == 2
    assert complaint in error_line(result)
