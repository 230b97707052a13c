"""livedata: live reduction of neutron data on Kafka."""

__version__ = "0.1.0"
