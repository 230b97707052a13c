"""One embedded broker per test session, shared by every integration test.

Import the fixtures into a ``conftest.py`` to use them::

    from tests.broker_fixture import kafka_broker, new_topic  # noqa: F401
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from livedata.kafka.admin import TopicSettings, ensure_topics
from livedata.kafka.broker import EmbeddedBroker


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[EmbeddedBroker]:
    """A running in-memory broker on a free loopback port."""
    with EmbeddedBroker() as broker:
        yield broker


@pytest.fixture(scope="module")
def module_kafka_broker() -> Iterator[EmbeddedBroker]:
    """A broker of the test module's own, for tests that count every record on an
    instrument's topics: on the shared broker those topics carry other modules'
    data, and a consumer placed at the end may still see their last batch (the
    embedded broker's end offset can trail by one producer batch)."""
    with EmbeddedBroker() as broker:
        yield broker


@pytest.fixture
def new_topic(kafka_broker: EmbeddedBroker) -> Callable[..., str]:
    """Create a topic with a unique name (tests share the broker) and return it."""

    def create(prefix: str = "test", settings: TopicSettings | None = None) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        report = ensure_topics(
            kafka_broker.bootstrap, {name: settings or TopicSettings()}, timeout=10
        )
        assert report.created == (name,), report
        return name

    return create
