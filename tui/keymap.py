"""Remappable keys: every console binding has an id; a file maps ids to keys.

The file is TOML or YAML, either flat (``pause = "p"``) or under a ``[keys]``
table; values are Textual key names, comma-separated for several keys. It is
looked up at ``$LIVEDATA_KEYMAP`` or ``~/.config/livedata/keymap.{toml,yaml,yml}``
unless a path is given. Textual's ``App.set_keymap`` applies it and silently
ignores ids it does not know, so a misspelt id is reported here instead.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path

KEYMAP_ENV = "LIVEDATA_KEYMAP"


def default_dir() -> Path:
    """``$XDG_CONFIG_HOME/livedata``, else ``~/.config/livedata`` (XDG base dirs)."""
    base = os.environ.get("XDG_CONFIG_HOME") or "~/.config"
    return Path(base).expanduser() / "livedata"


class KeymapError(ValueError):
    """The keymap file could not be read; the message names the file and why."""


def default_keymap_path() -> Path | None:
    env = os.environ.get(KEYMAP_ENV)
    if env:
        return Path(env).expanduser()
    base = default_dir()
    for name in ("keymap.toml", "keymap.yaml", "keymap.yml"):
        if (base / name).is_file():
            return base / name
    return None


def load_keymap(
    path: Path | str | None = None, known_ids: Collection[str] | None = None
) -> dict[str, str]:
    """Binding id -> keys; ``{}`` when no file exists at the default places.

    With ``known_ids``, an id outside them is an error naming the file."""
    file = Path(path).expanduser() if path is not None else default_keymap_path()
    if file is None:
        return {}
    if not file.is_file():
        raise KeymapError(f"keymap file {file} does not exist")
    text = file.read_text(encoding="utf-8")
    try:
        if file.suffix == ".toml":
            data = tomllib.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text) or {}
    except (tomllib.TOMLDecodeError, ValueError) as err:
        raise KeymapError(f"keymap file {file}: {err}") from None
    except Exception as err:  # yaml.YAMLError without importing yaml eagerly
        raise KeymapError(f"keymap file {file}: {err}") from None
    keymap = validate_keymap(data.get("keys", data) if isinstance(data, dict) else data)
    unknown = unknown_ids(keymap, known_ids) if known_ids is not None else []
    if unknown:
        raise KeymapError(
            f"keymap file {file}: unknown binding id(s) {', '.join(unknown)}"
            f" (known: {', '.join(sorted(known_ids))})"
        )
    return keymap


def unknown_ids(keymap: Mapping[str, str], known_ids: Collection[str]) -> list[str]:
    """The keymap's ids that name no binding, sorted."""
    return sorted(set(keymap) - set(known_ids))


def validate_keymap(data: object) -> dict[str, str]:
    if not isinstance(data, Mapping):
        raise KeymapError("keymap must map binding ids to keys")
    keymap = {}
    for binding_id, keys in data.items():
        if isinstance(keys, list):
            keys = ",".join(str(k) for k in keys)
        if not isinstance(keys, str) or not keys.strip():
            raise KeymapError(f"keymap entry {binding_id!r} must be a key name")
        keymap[str(binding_id)] = keys.strip()
    return keymap
