"""Turning command-line text into job parameters, aux inputs and data times.

Values of ``--param key=value`` are read as YAML scalars (``3`` is an int,
``true`` a bool, ``[1, 2]`` a list) so the params model sees typed values and its
own validation gives the error message; dotted keys reach nested models.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def parse_assignments(items: list[str], option: str, *, typed: bool) -> dict[str, Any]:
    """``["a=1", "b.c=x"]`` -> ``{"a": 1, "b.c": "x"}``; ``ValueError`` on bad text."""
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"{option} {item!r}: expected key=value")
        if typed:
            try:
                out[key] = yaml.safe_load(value) if value.strip() else ""
            except yaml.YAMLError:
                out[key] = value
        else:
            out[key] = value.strip()
    return out


def read_params_file(path: Path | None) -> dict[str, Any]:
    """A YAML (or JSON) mapping of params; nested mappings are flattened to dots."""
    if path is None:
        return {}
    import yaml

    try:
        document = yaml.safe_load(Path(path).read_text())
    except OSError as err:
        raise ValueError(f"cannot read params file {path}: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise ValueError(f"params file {path} is not valid YAML: {err}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ValueError(f"params file {path} must hold a mapping of params")
    return _flatten(document)


def _flatten(mapping: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def parse_time(text: str | None) -> int | None:
    """ISO 8601 or ``now`` -> nanoseconds since the epoch.

    A time without a zone is UTC, as everywhere in the CLI (``kafka peek
    --from`` too): data times are UTC on the wire and in every table.
    """
    if text is None:
        return None
    if text.strip().lower() == "now":
        moment = datetime.now(UTC)
    else:
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(
                f"bad time {text!r}: use ISO 8601 (2026-11-25T10:00:00) or 'now'"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000) * 1000


def check_window(
    start_ns: int | None, end_ns: int | None, now_ns: int | None = None
) -> None:
    """``ValueError`` unless the end (when both are given) is after the start,
    and the end is not in the past: such a job would never run."""
    import time

    if start_ns is not None and end_ns is not None and end_ns <= start_ns:
        raise ValueError("--end must be after --start")
    now_ns = time.time_ns() if now_ns is None else now_ns
    if end_ns is not None and end_ns <= now_ns:
        raise ValueError(
            "--end is in the past: a job ending before the data now arriving"
            " would never run"
        )
