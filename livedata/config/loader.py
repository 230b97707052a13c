"""Load YAML configuration rendered with Jinja2, layered by environment (A7).

Layers, deep-merged in this order: ``defaults/<ns>.yaml``, ``defaults/<ns>.<env>.yaml``
and ``instruments/<instrument>/<ns>.yaml``. The files ship inside the wheel as the
package ``livedata_config``; ``LIVEDATA_CONFIG_DIR`` points at another tree of the
same layout for deployments.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("dev", "staging", "production")
# Key fragments whose values must never be printed; ``ssl.key.pem`` is a private
# key and ``sasl.oauthbearer.config`` may embed a client secret (librdkafka names).
_SECRET_WORDS = (
    "password",
    "secret",
    "token",
    "sasl.username",
    "ssl.key.pem",
    "sasl.oauthbearer.config",
)


class ConfigError(Exception):
    """A configuration file or setting is wrong; the message says which."""


class UndefinedVariable(ConfigError):
    """A template names an environment variable that is not set."""

    def __init__(self, path: Path, variable: str | None, detail: str) -> None:
        self.path = path
        self.variable = variable  # None when jinja2's message did not name it
        super().__init__(f"{path}: undefined template variable: {detail}")


def current_env(env: str | None = None) -> str:
    value = env or os.environ.get("LIVEDATA_ENV") or "dev"
    if value not in ENVIRONMENTS:
        raise ConfigError(
            f"LIVEDATA_ENV={value!r} is not one of {', '.join(ENVIRONMENTS)}"
        )
    return value


def config_root() -> Path:
    override = os.environ.get("LIVEDATA_CONFIG_DIR")
    if override:
        return Path(override)
    return Path(str(resources.files("livedata_config")))


def _render_template(path: Path, text: str, variables: Mapping[str, str]) -> str:
    import re

    import jinja2

    template_env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    try:
        return template_env.from_string(text).render(env=variables)
    except jinja2.UndefinedError as err:
        named = re.search(r"has no attribute '([A-Za-z_][A-Za-z0-9_]*)'", str(err))
        variable = named.group(1) if named else None
        raise UndefinedVariable(path, variable, str(err)) from None
    except jinja2.TemplateError as err:
        raise ConfigError(f"{path}: template error: {err}") from None


def _render(path: Path, variables: Mapping[str, str]) -> dict[str, Any]:
    import yaml

    text = path.read_text()
    # Jinja2 only for files that use it: its import costs a CLI command ~40 ms.
    if "{{" in text or "{%" in text or "{#" in text:
        text = _render_template(path, text, variables)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: invalid YAML: {err}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping")
    return data


def deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``update`` over ``base``: nested mappings merge, anything else replaces."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_config(
    namespace: str,
    env: str | None = None,
    *,
    instrument: str | None = None,
    bootstrap: str | None = None,
) -> dict[str, Any]:
    """The merged configuration of one namespace (``kafka``, ``consumer``, ...).

    Templates read the environment as ``env``. A ``bootstrap`` given explicitly
    (``--bootstrap``) stands in for LIVEDATA_KAFKA_BOOTSTRAP there, so a layer
    that takes its broker from that variable does not fail for it being unset.
    """
    variables: Mapping[str, str] = os.environ
    if bootstrap:
        variables = {**os.environ, "LIVEDATA_KAFKA_BOOTSTRAP": bootstrap}
    root = config_root()
    layers = [
        root / "defaults" / f"{namespace}.yaml",
        root / "defaults" / f"{namespace}.{current_env(env)}.yaml",
    ]
    if instrument:
        layers.append(root / "instruments" / instrument / f"{namespace}.yaml")
    if not layers[0].is_file():
        raise ConfigError(f"no configuration namespace {namespace!r} in {root}")
    merged: dict[str, Any] = {}
    for path in layers:
        if path.is_file():
            merged = deep_merge(merged, _render(path, variables))
    return merged


def _redact_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return redact(value)
    if isinstance(value, list | tuple):
        return [_redact_value(item) for item in value]
    return value


def redact(config: Mapping[str, Any]) -> dict[str, Any]:
    """A copy safe to print: secret values replaced by ``***`` (nested ones too)."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if any(word in str(key).lower() for word in _SECRET_WORDS) and value:
            out[key] = "***"
        else:
            out[key] = _redact_value(value)
    return out


def kafka_client_config(
    bootstrap: str | None = None, env: str | None = None
) -> dict[str, Any]:
    """librdkafka settings: bootstrap from CLI > LIVEDATA_KAFKA_BOOTSTRAP > YAML."""
    kafka = load_config("kafka", env, bootstrap=bootstrap)
    settings = {k: v for k, v in kafka.items() if v not in (None, "")}
    chosen = bootstrap or os.environ.get("LIVEDATA_KAFKA_BOOTSTRAP")
    if chosen:
        settings["bootstrap.servers"] = chosen
    return settings
