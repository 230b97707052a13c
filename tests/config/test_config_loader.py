"""YAML + Jinja2 configuration by LIVEDATA_ENV, overridable by LIVEDATA_CONFIG_DIR (A7)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from livedata.config import ConfigError, kafka_client_config, load_config, redact
from livedata.config.loader import ENVIRONMENTS, config_root, current_env, deep_merge

_ENV_VARS = (
    "LIVEDATA_ENV",
    "LIVEDATA_CONFIG_DIR",
    "LIVEDATA_KAFKA_BOOTSTRAP",
    "LIVEDATA_KAFKA_SECURITY_PROTOCOL",
    "LIVEDATA_KAFKA_SASL_MECHANISM",
    "LIVEDATA_KAFKA_SASL_USERNAME",
    "LIVEDATA_KAFKA_SASL_PASSWORD",
    "LIVEDATA_TEST_SETTING",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    for name in os.environ:
        if name.startswith(("LIVEDATA_KAFKA_SSL_", "LIVEDATA_KAFKA_SASL_")):
            monkeypatch.delenv(name)


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A deployment's configuration tree, selected by LIVEDATA_CONFIG_DIR."""
    write(
        tmp_path,
        "defaults/app.yaml",
        "name: base\nlimits:\n  rate: 1\n  burst: 2\nlevel: "
        '{{ env.get("LIVEDATA_TEST_SETTING", "info") }}\n',
    )
    write(tmp_path, "defaults/app.dev.yaml", "limits:\n  rate: 10\n")
    write(tmp_path, "defaults/app.staging.yaml", "limits:\n  rate: 20\n")
    write(tmp_path, "defaults/app.production.yaml", "limits:\n  rate: 30\n")
    write(tmp_path, "instruments/dream/app.yaml", "limits:\n  burst: 5\nname: dream\n")
    write(tmp_path, "defaults/kafka.yaml", "bootstrap.servers: yaml-host:9092\n")
    monkeypatch.setenv("LIVEDATA_CONFIG_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("env", "rate"), [("dev", 10), ("staging", 20), ("production", 30)]
)
def test_environment_layer_is_chosen_by_livedata_env(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch, env: str, rate: int
) -> None:
    monkeypatch.setenv("LIVEDATA_ENV", env)
    config = load_config("app")
    assert config == {
        "name": "base",
        "limits": {"rate": rate, "burst": 2},
        "level": "info",
    }


def test_environment_argument_beats_the_variable(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEDATA_ENV", "production")
    assert load_config("app", "staging")["limits"]["rate"] == 20


def test_default_environment_is_dev(config_dir: Path) -> None:
    assert current_env() == "dev"
    assert load_config("app")["limits"]["rate"] == 10


def test_unknown_environment_is_a_config_error(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEDATA_ENV", "prod")
    with pytest.raises(ConfigError, match="dev, staging, production"):
        load_config("app")
    assert ENVIRONMENTS == ("dev", "staging", "production")


def test_instrument_layer_is_deep_merged_last(config_dir: Path) -> None:
    config = load_config("app", instrument="dream")
    assert config == {
        "name": "dream",
        "limits": {"rate": 10, "burst": 5},
        "level": "info",
    }
    # An instrument without its own file gets the defaults.
    assert load_config("app", instrument="loki")["name"] == "base"


def test_jinja_reads_the_environment(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVEDATA_TEST_SETTING", "debug")
    assert load_config("app")["level"] == "debug"


def test_undefined_jinja_variable_is_a_config_error(config_dir: Path) -> None:
    write(config_dir, "defaults/strict.yaml", "host: {{ env.NOT_SET_ANYWHERE }}\n")
    with pytest.raises(ConfigError, match=r"strict\.yaml.*undefined"):
        load_config("strict")
    write(config_dir, "defaults/typo.yaml", "host: {{ enviroment }}\n")
    with pytest.raises(ConfigError, match="undefined"):
        load_config("typo")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a: {{ env.get( }}\n", "template error"),
        ("a: [unclosed\n", "invalid YAML"),
        ("- a\n- b\n", "mapping"),
    ],
)
def test_broken_files_are_config_errors(
    config_dir: Path, text: str, match: str
) -> None:
    write(config_dir, "defaults/broken.yaml", text)
    with pytest.raises(ConfigError, match=match):
        load_config("broken")


def test_empty_file_is_an_empty_mapping(config_dir: Path) -> None:
    write(config_dir, "defaults/empty.yaml", "# nothing yet\n")
    assert load_config("empty") == {}


def test_unknown_namespace_is_a_config_error(config_dir: Path) -> None:
    with pytest.raises(ConfigError, match="'nope'"):
        load_config("nope")


def test_config_dir_override_and_shipped_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = config_root()
    assert (shipped / "defaults" / "kafka.yaml").is_file()
    monkeypatch.setenv("LIVEDATA_CONFIG_DIR", str(tmp_path))
    assert config_root() == tmp_path


def test_shipped_dev_kafka_config_has_a_local_broker() -> None:
    config = load_config("kafka", "dev")
    assert config["bootstrap.servers"] == "localhost:9092"


def test_shipped_production_kafka_config_needs_the_bootstrap_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ConfigError, match="undefined"):
        load_config("kafka", "production")
    monkeypatch.setenv("LIVEDATA_KAFKA_BOOTSTRAP", "broker1:9093,broker2:9093")
    config = load_config("kafka", "production")
    assert config["bootstrap.servers"] == "broker1:9093,broker2:9093"
    assert config["security.protocol"] == "SASL_SSL"


def test_shipped_consumer_settings_match_the_peers() -> None:
    consumer = load_config("consumer")
    assert consumer["auto.offset.reset"] == "latest"
    assert consumer["fetch.wait.max.ms"] == 200
    assert consumer["fetch.max.bytes"] == 200_000_000
    assert load_config("producer")["message.max.bytes"] == 100_971_520


def test_deep_merge_does_not_modify_its_inputs() -> None:
    base = {"a": {"b": 1, "c": 2}, "d": 1}
    update = {"a": {"c": 3}, "d": {"e": 1}}
    assert deep_merge(base, update) == {"a": {"b": 1, "c": 3}, "d": {"e": 1}}
    assert base == {"a": {"b": 1, "c": 2}, "d": 1}


def test_redact_hides_secrets_at_any_depth() -> None:
    config = {
        "bootstrap.servers": "broker:9092",
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "livedata",
        "sasl.password": "hunter2",
        "ssl.key.password": "pem-pass",
        "ssl.key.pem": "-----BEGIN PRIVATE KEY-----",
        "sasl.oauthbearer.client.secret": "s3cret",
        "sasl.oauthbearer.config": "clientSecret=abc",
        "nested": {"api_token": "abc", "port": 1},
        "clusters": [{"sasl.password": "p2", "name": "a"}],
    }
    safe = redact(config)
    for key in (
        "sasl.username",
        "sasl.password",
        "ssl.key.password",
        "ssl.key.pem",
        "sasl.oauthbearer.client.secret",
        "sasl.oauthbearer.config",
    ):
        assert safe[key] == "***", key
    assert safe["nested"] == {"api_token": "***", "port": 1}
    assert safe["clusters"] == [{"sasl.password": "***", "name": "a"}]
    assert safe["bootstrap.servers"] == "broker:9092"
    assert safe["sasl.mechanism"] == "SCRAM-SHA-512"
    assert "hunter2" not in repr(safe)
    assert config["sasl.password"] == "hunter2"  # the original is untouched


def test_redact_keeps_empty_secrets_visible_as_empty() -> None:
    """An unset password prints as empty, which tells the operator it is missing."""
    assert redact({"sasl.password": ""}) == {"sasl.password": ""}


def test_kafka_bootstrap_precedence(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert kafka_client_config()["bootstrap.servers"] == "yaml-host:9092"
    monkeypatch.setenv("LIVEDATA_KAFKA_BOOTSTRAP", "env-host:9092")
    assert kafka_client_config()["bootstrap.servers"] == "env-host:9092"
    assert kafka_client_config("cli-host:9092")["bootstrap.servers"] == "cli-host:9092"


def test_kafka_client_config_drops_unset_settings() -> None:
    """The shipped kafka.yaml renders unset SASL variables as empty: not librdkafka's."""
    settings = kafka_client_config("localhost:1")
    assert settings == {"bootstrap.servers": "localhost:1"}


def test_kafka_client_config_takes_security_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIVEDATA_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("LIVEDATA_KAFKA_SASL_MECHANISM", "PLAIN")
    monkeypatch.setenv("LIVEDATA_KAFKA_SASL_USERNAME", "user")
    monkeypatch.setenv("LIVEDATA_KAFKA_SASL_PASSWORD", "pw")
    settings = kafka_client_config("h:1", env="dev")
    assert settings["security.protocol"] == "SASL_PLAINTEXT"
    assert settings["sasl.mechanism"] == "PLAIN"
    assert settings["sasl.username"] == "user"
    assert settings["sasl.password"] == "pw"
    assert redact(settings)["sasl.password"] == "***"
