"""Every client's connection settings come from one place (security included)."""

from __future__ import annotations

import pytest

from livedata.config import ConfigError
from livedata.config.kafka_connection import kafka_connection

SECURITY_ENV = {
    "LIVEDATA_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
    "LIVEDATA_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
    "LIVEDATA_KAFKA_SASL_USERNAME": "operator",
    "LIVEDATA_KAFKA_SASL_PASSWORD": "pw#1: 'x'",
    "LIVEDATA_KAFKA_SSL_CA_LOCATION": "/etc/kafka/ca.pem",
    "LIVEDATA_KAFKA_SSL_CERTIFICATE_LOCATION": "/etc/kafka/client.pem",
    "LIVEDATA_KAFKA_SSL_KEY_LOCATION": "/etc/kafka/client.key",
    "LIVEDATA_KAFKA_SSL_KEY_PASSWORD": "keypass",
    "LIVEDATA_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM": "none",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*SECURITY_ENV, "LIVEDATA_ENV", "LIVEDATA_CONFIG_DIR"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("LIVEDATA_KAFKA_BOOTSTRAP", raising=False)


def test_security_and_ssl_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in SECURITY_ENV.items():
        monkeypatch.setenv(name, value)
    connection = kafka_connection("broker:9093")
    assert connection.bootstrap == "broker:9093"
    assert connection.security == {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "operator",
        "sasl.password": "pw#1: 'x'",  # '#' and ': ' survive the YAML
        "ssl.ca.location": "/etc/kafka/ca.pem",
        "ssl.certificate.location": "/etc/kafka/client.pem",
        "ssl.key.location": "/etc/kafka/client.key",
        "ssl.key.password": "keypass",
        "ssl.endpoint.identification.algorithm": "none",
    }
    assert "bootstrap.servers" not in connection.settings
    described = connection.describe()
    assert described.startswith("broker:9093 with ")
    for secret in ("pw#1", "keypass", "operator"):
        assert secret not in described
    assert "/etc/kafka/ca.pem" in described  # paths are not secret


def test_unset_variables_leave_no_settings() -> None:
    connection = kafka_connection("broker:9093")
    assert connection.settings == {}
    assert connection.describe() == "broker:9093 with no security settings"


def test_bootstrap_from_the_environment_else_the_yaml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert kafka_connection().bootstrap == "localhost:9092"  # dev YAML
    monkeypatch.setenv("LIVEDATA_KAFKA_BOOTSTRAP", "env-host:1")
    assert kafka_connection().bootstrap == "env-host:1"
    assert kafka_connection("cli-host:2").bootstrap == "cli-host:2"


def test_no_bootstrap_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEDATA_KAFKA_BOOTSTRAP", "")
    with pytest.raises(ConfigError, match="no Kafka bootstrap address"):
        kafka_connection(env="production")
