"""Creates an instrument's topics with the settings of the topics config."""

from __future__ import annotations

from ..config import load_config
from ..config.kafka_connection import kafka_connection
from ..instruments.instrument import Instrument
from ..kafka.admin import (
    CreatedReport,
    TopicSettings,
    ensure_topics,
    instrument_topics,
    topic_settings_from_config,
)


def topics_to_create(
    instrument: Instrument, *, dev: bool | None = None
) -> dict[str, TopicSettings]:
    """The topics of the DEV or the PROD mapping; ``None``: of both, so that
    services started with either ``--dev`` or ``--prod`` find theirs."""
    classes = {
        name: topic_settings_from_config(values)
        for name, values in load_config("topics").items()
    }
    mappings = [True, False] if dev is None else [dev]
    topics: dict[str, TopicSettings] = {}
    for mapping_is_dev in mappings:
        mapping = instrument.stream_mapping(mapping_is_dev)
        topics.update(instrument_topics(mapping, classes))
    return topics


def create_instrument_topics(
    instrument: Instrument,
    bootstrap: str,
    *,
    dev: bool | None = None,
    timeout: float = 10.0,
) -> CreatedReport:
    """Create the missing topics (see :func:`topics_to_create`), with the
    security settings of the kafka configuration."""
    connection = kafka_connection(bootstrap)
    return ensure_topics(
        connection.bootstrap,
        topics_to_create(instrument, dev=dev),
        timeout,
        client_config=connection.settings,
    )
