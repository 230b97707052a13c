"""The Kafka layer: bytes on topics <-> core messages. Nothing outside knows topics."""
