"""Creates an instrument's topics with the settings of the topics config."""

from __future__ import annotations

from ..config import kafka_client_config, load_config
from ..config.instrument import Instrument
from ..kafka.admin import (
    CreatedReport,
    ensure_topics,
    instrument_topics,
    topic_settings_from_config,
)


def create_instrument_topics(
    instrument: Instrument, bootstrap: str, *, dev: bool = True, timeout: float = 10.0
) -> CreatedReport:
    classes = {
        name: topic_settings_from_config(values)
        for name, values in load_config("topics").items()
    }
    topics = instrument_topics(instrument.stream_mapping(dev), classes)
    client = kafka_client_config(bootstrap)
    return ensure_topics(bootstrap, topics, timeout, client_config=client)
