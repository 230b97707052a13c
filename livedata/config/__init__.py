"""Loading configuration: YAML + Jinja2 files in layers (A7), Kafka connections.

Only loading: the files themselves are the top-level ``config/`` folder
(installed as ``livedata_config``); instruments live in ``livedata.instruments``.
"""

from .loader import ConfigError, kafka_client_config, load_config, redact

__all__ = ["ConfigError", "kafka_client_config", "load_config", "redact"]
