"""Create an instrument's topics with the settings of docs/wire.md, idempotently.

Used by ``livedata demo`` against the embedded broker and by operators setting
up a development Kafka; production topics are managed by the facility.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from ..core.stream import StreamKind
from .stream_mapping import StreamMapping

logger = logging.getLogger(__name__)

_MB = 1024 * 1024


class ClientSettingsRefused(ValueError):
    """librdkafka refused the client settings (e.g. SASL without a username)."""


def admin_client(config: Mapping[str, Any]) -> AdminClient:
    """An AdminClient; settings librdkafka refuses are one line, not a traceback."""
    try:
        return AdminClient(dict(config))
    except KafkaException as exc:
        raise ClientSettingsRefused(
            f"Kafka client settings refused: {_reason(exc)}"
        ) from None


@dataclass(frozen=True)
class TopicSettings:
    """How one topic is created: partition count and topic-level configs."""

    partitions: int = 1
    config: Mapping[str, str] = field(default_factory=dict)


# "Topic settings used in production" in docs/wire.md.
RAW_TOPIC = TopicSettings(
    config={"retention.ms": "30000", "max.message.bytes": str(100 * _MB)}
)
CONTROL_TOPIC = TopicSettings(
    config={
        "cleanup.policy": "delete",
        "retention.ms": str(48 * 3600 * 1000),
        "max.message.bytes": str(_MB),
    }
)
# docs/wire.md names only the retention of results; the size limits are livedata's
# (as in config/defaults/topics.yaml) so that large images fit on a
# development Kafka whose default limit is 1 MiB, while ROI requests are small.
RESULT_TOPIC = TopicSettings(
    config={"retention.ms": "30000", "max.message.bytes": str(100 * _MB)}
)
ROI_TOPIC = TopicSettings(
    config={"retention.ms": "30000", "max.message.bytes": str(_MB)}
)

# Topic classes, named as in config/defaults/topics.yaml.
DEFAULT_TOPIC_CLASSES: Mapping[str, TopicSettings] = {
    "raw": RAW_TOPIC,
    "commands": CONTROL_TOPIC,
    "responses": CONTROL_TOPIC,
    "heartbeat": CONTROL_TOPIC,
    "data": RESULT_TOPIC,
    "roi": ROI_TOPIC,
    "nicos_data": RESULT_TOPIC,
}

_LIVEDATA_TOPIC_CLASS: Mapping[StreamKind, str] = {
    StreamKind.LIVEDATA_COMMANDS: "commands",
    StreamKind.LIVEDATA_RESPONSES: "responses",
    StreamKind.LIVEDATA_STATUS: "heartbeat",
    StreamKind.LIVEDATA_DATA: "data",
    StreamKind.LIVEDATA_ROI: "roi",
    StreamKind.LIVEDATA_NICOS_DATA: "nicos_data",
}

# Errors meaning "the broker refused these configs", after which the topic is
# created without them rather than not at all.
_CONFIG_REJECTED = frozenset(
    {
        KafkaError.INVALID_CONFIG,
        KafkaError.POLICY_VIOLATION,
        KafkaError.INVALID_REQUEST,
        KafkaError.UNSUPPORTED_VERSION,
    }
)


class BrokerUnreachable(ConnectionError):
    """No broker answered at the bootstrap address within the timeout."""

    def __init__(self, bootstrap: str, timeout: float, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"no Kafka broker answered at {bootstrap} within {timeout:g} s{detail}"
        )
        self.bootstrap = bootstrap


@dataclass(frozen=True)
class CreatedReport:
    """What :func:`ensure_topics` did, per topic."""

    created: tuple[str, ...] = ()
    existing: tuple[str, ...] = ()
    # Topic -> config keys the broker refused (the topic was created without).
    configs_not_applied: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Topic -> why it could not be created at all.
    failed: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def instrument_topics(
    mapping: StreamMapping,
    topic_classes: Mapping[str, TopicSettings] | None = None,
) -> dict[str, TopicSettings]:
    """Every topic of docs/wire.md for one instrument: raw topics and livedata's six.

    ``topic_classes`` overrides the settings per class (``raw``, ``commands``,
    ``responses``, ``heartbeat``, ``data``, ``roi``, ``nicos_data``), e.g. from
    the topics YAML; classes it does not name keep the defaults.
    """
    classes = {**DEFAULT_TOPIC_CLASSES, **(topic_classes or {})}
    topics = {topic: classes["raw"] for topic in sorted(mapping.raw_topics)}
    for kind, topic_class in _LIVEDATA_TOPIC_CLASS.items():
        topics[mapping.livedata_topic(kind)] = classes[topic_class]
    return topics


def topic_settings_from_config(config: Mapping[str, object]) -> TopicSettings:
    """Settings from a YAML mapping of topic configs (values become strings;
    an optional ``partitions`` key gives the partition count)."""
    values = dict(config)
    partitions = int(values.pop("partitions", 1))  # type: ignore[call-overload]
    return TopicSettings(
        partitions=partitions, config={k: str(v) for k, v in values.items()}
    )


def ensure_topics(
    bootstrap: str,
    topics: Mapping[str, TopicSettings],
    timeout: float = 10.0,
    *,
    client_config: Mapping[str, Any] | None = None,
) -> CreatedReport:
    """Create the missing topics; existing ones are reported, not errors.

    ``client_config`` is passed to the admin client untouched (security
    settings); ``bootstrap`` overrides its ``bootstrap.servers``.

    Raises :class:`BrokerUnreachable` if the broker does not answer in time.
    """
    admin = admin_client(
        {
            **(client_config or {}),
            "bootstrap.servers": bootstrap,
            "logger": logging.getLogger("livedata.kafka.librdkafka"),
        }
    )
    return ensure_topics_with(admin, bootstrap, topics, timeout)


def ensure_topics_with(
    admin: Any,
    bootstrap: str,
    topics: Mapping[str, TopicSettings],
    timeout: float,
) -> CreatedReport:
    """:func:`ensure_topics` on a given admin client (tests pass a fake)."""
    try:
        present = set(admin.list_topics(timeout=timeout).topics)
    except KafkaException as exc:
        raise BrokerUnreachable(bootstrap, timeout, _reason(exc)) from exc

    existing = [name for name in topics if name in present]
    created: list[str] = []
    not_applied: dict[str, tuple[str, ...]] = {}
    failed: dict[str, str] = {}

    missing = {name: s for name, s in topics.items() if name not in present}
    errors = _create(admin, missing, timeout, with_config=True)
    for name, error in errors.items():
        if error is None:
            created.append(name)
        elif error.code() == KafkaError.TOPIC_ALREADY_EXISTS:
            existing.append(name)
        elif error.code() in _CONFIG_REJECTED and missing[name].config:
            retry = _create(admin, {name: missing[name]}, timeout, with_config=False)
            retry_error = retry[name]
            if retry_error is None or (
                retry_error.code() == KafkaError.TOPIC_ALREADY_EXISTS
            ):
                created.append(name)
                not_applied[name] = tuple(sorted(missing[name].config))
                logger.warning(
                    "topic %s created without configs %s: %s",
                    name,
                    ",".join(not_applied[name]),
                    error.str(),
                )
            else:
                failed[name] = retry_error.str()
        else:
            failed[name] = error.str()
    for name, why in failed.items():
        logger.error("could not create topic %s: %s", name, why)
    return CreatedReport(
        created=tuple(created),
        existing=tuple(existing),
        configs_not_applied=not_applied,
        failed=failed,
    )


def _create(
    admin: Any,
    topics: Mapping[str, TopicSettings],
    timeout: float,
    *,
    with_config: bool,
) -> dict[str, KafkaError | None]:
    """Create topics; per topic ``None`` on success or the broker's error."""
    if not topics:
        return {}
    new_topics = [
        NewTopic(
            name,
            num_partitions=settings.partitions,
            config=dict(settings.config) if with_config else {},
        )
        for name, settings in topics.items()
    ]
    futures = admin.create_topics(
        new_topics, operation_timeout=timeout, request_timeout=timeout
    )
    results: dict[str, KafkaError | None] = {}
    for name, future in futures.items():
        try:
            future.result(timeout=timeout)
            results[name] = None
        except KafkaException as exc:
            results[name] = exc.args[0]
        except TimeoutError:
            results[name] = KafkaError(KafkaError._TIMED_OUT, "no answer in time")
    return results


def _reason(exc: KafkaException) -> str:
    error = exc.args[0] if exc.args else None
    return error.str() if isinstance(error, KafkaError) else str(exc)


def check_reachable(
    bootstrap: str,
    client_config: Mapping[str, Any] | None = None,
    timeout: float = 5.0,
) -> None:
    """Raise :class:`BrokerUnreachable` unless the broker answers within ``timeout``.

    Clients call this first so that a wrong address costs seconds and one clear
    line, not a consumer that retries silently forever.
    """
    admin = admin_client(
        {
            **(client_config or {}),
            "bootstrap.servers": bootstrap,
            "logger": logging.getLogger("livedata.kafka.librdkafka"),
        }
    )
    try:
        admin.list_topics(timeout=timeout)
    except KafkaException as exc:
        raise BrokerUnreachable(bootstrap, timeout, _reason(exc)) from exc
