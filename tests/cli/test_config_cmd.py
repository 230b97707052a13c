"""``livedata config show``: effective configuration, secrets redacted."""

from __future__ import annotations

import json

from livedata.cli.common import ExitCode
from tests.cli.helpers import invoke


def test_show_json_has_every_namespace_and_the_environment() -> None:
    result = invoke("config", "show", "--json")
    assert result.exit_code == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["env"] == "dev"
    assert {"kafka", "consumer", "producer", "service", "topics"} <= set(
        config["namespaces"]
    )
    # env-specific layers are merged into their namespace, not listed as one
    assert "kafka.production" not in config["namespaces"]


def test_secrets_are_redacted_in_text_and_json() -> None:
    env = {"LIVEDATA_KAFKA_SASL_PASSWORD": "hunter2-secret"}
    as_json = invoke("config", "show", "kafka", "--json", env=env)
    kafka = json.loads(as_json.stdout)["namespaces"]["kafka"]
    assert kafka["sasl.password"] == "***"
    as_text = invoke("config", "show", env=env)
    assert as_text.exit_code == 0
    assert "hunter2" not in as_text.stdout + as_text.stderr
    assert "sasl.password: '***'" in as_text.stdout


def test_bootstrap_from_environment_is_the_effective_value() -> None:
    env = {"LIVEDATA_KAFKA_BOOTSTRAP": "broker.example:9093"}
    result = invoke("config", "show", "kafka", "--json", env=env)
    assert (
        json.loads(result.stdout)["namespaces"]["kafka"]["bootstrap.servers"]
        == "broker.example:9093"
    )


def test_production_environment_layer_applies() -> None:
    env = {"LIVEDATA_KAFKA_BOOTSTRAP": "prod:9092"}
    result = invoke("config", "show", "kafka", "--env", "production", "--json", env=env)
    kafka = json.loads(result.stdout)["namespaces"]["kafka"]
    assert kafka["security.protocol"] == "SASL_SSL"


def test_unknown_namespace_exits_2_with_choices() -> None:
    result = invoke("config", "show", "nosuch")
    assert result.exit_code == ExitCode.USAGE
    assert "kafka" in result.stderr and result.stdout == ""


def test_bad_environment_exits_2() -> None:
    result = invoke("config", "show", "--env", "moon")
    assert result.exit_code == ExitCode.USAGE
    assert "moon" in result.stderr


def test_production_without_its_bootstrap_names_the_variable() -> None:
    result = invoke("config", "show", "--env", "production")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip() == (
        "error: production config needs LIVEDATA_KAFKA_BOOTSTRAP (set it in the"
        " environment or give --bootstrap; used by kafka.production.yaml)"
    )


def test_bad_env_option_is_blamed_not_the_variable() -> None:
    result = invoke("config", "show", "--env", "bogus")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip() == (
        "error: --env 'bogus' is not one of dev, staging, production"
    )
    from_variable = invoke("config", "show", env={"LIVEDATA_ENV": "bogus"})
    assert from_variable.exit_code == ExitCode.USAGE
    assert "LIVEDATA_ENV='bogus'" in from_variable.stderr


def test_bootstrap_option_is_the_effective_value_even_for_production() -> None:
    result = invoke(
        "config", "show", "kafka", "--env", "production", "--bootstrap", "p:1",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    kafka = json.loads(result.stdout)["namespaces"]["kafka"]
    assert kafka["bootstrap.servers"] == "p:1"
    over_env = invoke(
        "config", "show", "kafka", "--bootstrap", "cli:2", "--json",
        env={"LIVEDATA_KAFKA_BOOTSTRAP": "env:1"},
    )  # fmt: skip
    assert json.loads(over_env.stdout)["namespaces"]["kafka"]["bootstrap.servers"] == (
        "cli:2"
    )


def test_job_commands_in_production_without_a_bootstrap_say_what_is_missing() -> None:
    result = invoke("job", "list", "--wait", "0.2", env={"LIVEDATA_ENV": "production"})
    assert result.exit_code == ExitCode.USAGE
    assert "production config needs LIVEDATA_KAFKA_BOOTSTRAP" in result.stderr
