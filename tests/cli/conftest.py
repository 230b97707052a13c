from tests.broker_fixture import kafka_broker, new_topic  # noqa: F401
