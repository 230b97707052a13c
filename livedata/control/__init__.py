"""Client side of livedata: talks to services through Kafka; no UI imports."""
