"""Configuration: YAML + Jinja2 files (A7) and the instrument abstraction (A5)."""

from .loader import ConfigError, kafka_client_config, load_config, redact

__all__ = ["ConfigError", "kafka_client_config", "load_config", "redact"]
