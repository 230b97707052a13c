from tests.broker_fixture import kafka_broker, module_kafka_broker  # noqa: F401
