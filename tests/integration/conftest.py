from tests.broker_fixture import kafka_broker  # noqa: F401
