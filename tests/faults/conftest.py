import pytest

from livedata.instruments import get_instrument
from livedata.services.topics import create_instrument_topics
from tests.broker_fixture import kafka_broker, module_kafka_broker  # noqa: F401


@pytest.fixture(scope="module")
def bootstrap(module_kafka_broker) -> str:  # noqa: F811
    """The module's own broker with the dummy instrument's topics."""
    report = create_instrument_topics(
        get_instrument("dummy"), module_kafka_broker.bootstrap
    )
    assert report.ok, report
    return module_kafka_broker.bootstrap
