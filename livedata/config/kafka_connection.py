"""Where and how a livedata Kafka client connects, resolved in one place.

Services, fakes and topic creation all build their clients from a
:class:`KafkaConnection`, so none of them can drop a security setting
(``security.protocol``, ``sasl.*``, ``ssl.*``) that the others pass on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .loader import ConfigError, kafka_client_config, redact

SECURITY_PREFIXES = ("security.protocol", "sasl.", "ssl.")


def is_security_setting(key: str) -> bool:
    """True for librdkafka settings that say how to authenticate or encrypt."""
    return key.startswith(SECURITY_PREFIXES)


@dataclass(frozen=True)
class KafkaConnection:
    """A bootstrap address and the shared librdkafka settings of ``kafka.yaml``."""

    bootstrap: str
    # Every setting of the kafka namespace but ``bootstrap.servers``.
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def security(self) -> dict[str, Any]:
        return {k: v for k, v in self.settings.items() if is_security_setting(k)}

    def describe(self) -> str:
        """For logs: the address and the security settings, secrets redacted."""
        security = redact(self.security)
        return f"{self.bootstrap} with {security or 'no security settings'}"


def kafka_connection(
    bootstrap: str | None = None, env: str | None = None
) -> KafkaConnection:
    """Bootstrap from ``bootstrap`` > ``LIVEDATA_KAFKA_BOOTSTRAP`` > YAML.

    Raises :class:`ConfigError` when none of them names a broker.
    """
    settings = kafka_client_config(bootstrap, env)
    address = settings.pop("bootstrap.servers", None)
    if not address:
        raise ConfigError(
            "no Kafka bootstrap address (use --bootstrap or LIVEDATA_KAFKA_BOOTSTRAP)"
        )
    return KafkaConnection(str(address), settings)
