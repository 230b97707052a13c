"""One readable line (or a JSON-able dict) for any Kafka record (``livedata kafka peek``).

An operator peeking at a topic wants to see what flows, whatever it is, so the
schema is detected per record from the FlatBuffer file identifier, not assumed
from the topic. Decoding uses ``streaming_data_types`` (the same deserialisers as
the adapters) but stays on NumPy: describing a da00 result must not import
scipp. A record that does not decode is described as corrupt; nothing here
raises on bad bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from ..kafka.raw import RawMessage, schema_id

_MAX_JSON_CHARS = 400  # a command line stays one screen line or two


def iso_time(ns: int) -> str:
    """UTC ISO 8601 with milliseconds, e.g. ``2023-11-14T22:13:20.123Z``."""
    seconds, rest = divmod(int(ns), 1_000_000_000)
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{rest // 1_000_000:03d}Z"


def _number(value: Any) -> Any:
    """A JSON-able scalar: NumPy scalars as Python numbers, NaN/inf as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _range(values: np.ndarray) -> list[Any] | None:
    if values.size == 0:
        return None
    return [_number(values.min()), _number(values.max())]


def _sum(values: np.ndarray) -> Any:
    if values.dtype.kind not in "iufb" or values.size == 0:
        return None if values.size else 0
    with np.errstate(all="ignore"):
        return _number(np.nansum(values))


# --- one decoder per schema: bytes -> fields (JSON-able) ---------------------


def _ev44(value: bytes) -> dict[str, Any]:
    from streaming_data_types import eventdata_ev44

    ev = eventdata_ev44.deserialise_ev44(value)
    pulses = np.asarray(ev.reference_time)
    toa = np.asarray(ev.time_of_flight)
    return {
        "source": ev.source_name,
        "message_id": int(ev.message_id),
        "pulse_time": iso_time(int(pulses[0])) if pulses.size else None,
        "pulses": int(pulses.size),
        "events": int(toa.size),
        "pixel_id_range": _range(np.asarray(ev.pixel_id)),
        "toa_range_ns": _range(toa),
    }


def _da00(value: bytes) -> dict[str, Any]:
    from streaming_data_types import dataarray_da00

    msg = dataarray_da00.deserialise_da00(value)
    variables = []
    total = None
    for var in msg.data:
        if isinstance(var.data, str):
            variables.append({"name": var.name, "dims": [], "shape": [], "unit": None})
            continue
        data = np.asarray(var.data)
        shape = [int(s) for s in (var.shape if var.axes else ())]
        variables.append(
            {"name": var.name, "dims": list(var.axes), "shape": shape, "unit": var.unit}
        )
        if var.name == "signal":
            total = _sum(data)
    return {
        "source": msg.source_name,
        "time": iso_time(int(msg.timestamp_ns)),
        "variables": variables,
        "sum": total,
    }


def _f144(value: bytes) -> dict[str, Any]:
    from streaming_data_types import logdata_f144

    log = logdata_f144.deserialise_f144(value)
    raw_value = log.value
    if isinstance(raw_value, np.ndarray):
        shown: Any = [_number(v) for v in raw_value.ravel()[:8]]
    else:
        shown = _number(raw_value)
    fields = {
        "source": log.source_name,
        "time": iso_time(int(log.timestamp_unix_ns)),
        "value": shown,
    }
    unit = getattr(log, "unit", None)  # f144 has none today; show it if it ever does
    if unit:
        fields["unit"] = unit
    return fields


def _ad00(value: bytes) -> dict[str, Any]:
    from streaming_data_types import area_detector_ad00

    frame = area_detector_ad00.deserialise_ad00(value)
    data = np.asarray(frame.data)
    return {
        "source": frame.source_name,
        "time": iso_time(int(frame.timestamp_ns)),
        "shape": [int(s) for s in data.shape],
        "dtype": str(data.dtype),
        "sum": _sum(data),
    }


def _x5f2(value: bytes) -> dict[str, Any]:
    from streaming_data_types import status_x5f2

    status = status_x5f2.deserialise_x5f2(value)
    fields: dict[str, Any] = {
        "service_id": status.service_id,
        "host": status.host_name,
        "status": None,
        "state": None,
    }
    try:
        document = json.loads(status.status_json)
    except ValueError:
        fields["status_json"] = "not JSON"
        return fields
    if isinstance(document, dict):
        fields["status"] = document.get("status")
        message = document.get("message")
        if isinstance(message, dict):
            fields["state"] = message.get("state")
            fields["type"] = message.get("message_type")
    return fields


_DECODERS: dict[str, Callable[[bytes], dict[str, Any]]] = {
    "ev44": _ev44,
    "da00": _da00,
    "f144": _f144,
    "ad00": _ad00,
    "x5f2": _x5f2,
}


def _looks_like_json(value: bytes) -> bool:
    return value.lstrip()[:1] in (b"{", b"[")


def _kafka_fields(raw: RawMessage) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "topic": raw.topic,
        "kafka_time": iso_time(raw.timestamp_ms * 1_000_000)
        if raw.timestamp_ms > 0
        else None,
        "bytes": len(raw.value),
    }
    if raw.key is not None:
        fields["key"] = raw.key.decode("utf-8", errors="replace")
    return fields


def describe_json(raw: RawMessage) -> dict[str, Any]:
    """The record as a JSON-able dict: ``schema``, Kafka fields, decoded fields.

    ``schema`` is the FlatBuffer identifier, ``json``, or ``unknown``; a record
    that fails to decode has ``error`` instead of decoded fields.
    """
    value = bytes(raw.value or b"")
    fields = _kafka_fields(RawMessage(raw.topic, value, raw.key, raw.timestamp_ms))
    schema = schema_id(value)
    decoder = _DECODERS.get(schema)
    if decoder is None and _looks_like_json(value):
        try:
            return {**fields, "schema": "json", "json": json.loads(value)}
        except ValueError as err:
            return {**fields, "schema": "json", "error": f"corrupt JSON: {err}"}
    if decoder is None:
        return {**fields, "schema": "unknown", "identifier": schema or None}
    try:
        return {**fields, "schema": schema, **decoder(value)}
    except Exception as err:  # any garbage a FlatBuffer reader can trip over
        return {**fields, "schema": schema, "error": f"{type(err).__name__}: {err}"}


# --- one line ---------------------------------------------------------------


def _span(bounds: list[Any] | None, scale: float = 1.0, unit: str = "") -> str:
    if bounds is None:
        return "-"
    low, high = (b / scale if scale != 1.0 else b for b in bounds)
    if scale != 1.0:
        return f"{low:.3f}..{high:.3f}{unit}"
    return f"{low}..{high}{unit}"


def _variable(var: dict[str, Any]) -> str:
    dims = ",".join(f"{d}:{s}" for d, s in zip(var["dims"], var["shape"], strict=False))
    unit = f" {var['unit']}" if var.get("unit") else ""
    return f"{var['name']}[{dims}]{unit}"


def _line(d: dict[str, Any]) -> str:
    schema = d["schema"]
    if "error" in d:
        return f"{schema} corrupt message, {d['bytes']} bytes: {d['error']}"
    if schema == "ev44":
        more = f" (+{d['pulses'] - 1} pulses)" if d["pulses"] > 1 else ""
        return (
            f"ev44 {d['source']} msg {d['message_id']} pulse {d['pulse_time']}{more}"
            f" {d['events']} events pixels {_span(d['pixel_id_range'])}"
            f" toa {_span(d['toa_range_ns'], 1e6, ' ms')}"
        )
    if schema == "da00":
        variables = ", ".join(_variable(v) for v in d["variables"])
        return f"da00 {d['source']} {d['time']} {variables} sum={d['sum']}"
    if schema == "f144":
        unit = f" {d['unit']}" if d.get("unit") else ""
        return f"f144 {d['source']} {d['time']} value={d['value']}{unit}"
    if schema == "ad00":
        shape = "x".join(str(s) for s in d["shape"])
        return f"ad00 {d['source']} {d['time']} {shape} {d['dtype']} sum={d['sum']}"
    if schema == "x5f2":
        return f"x5f2 {d['service_id']} status {d['status']} {d['state']}"
    if schema == "json":
        text = json.dumps(d["json"], separators=(",", ":"))
        if len(text) > _MAX_JSON_CHARS:
            text = text[: _MAX_JSON_CHARS - 3] + "..."
        return f"json {text}"
    return f"unknown schema {d.get('identifier') or '(none)'}, {d['bytes']} bytes"


def describe(raw: RawMessage, *, with_topic: bool = True) -> str:
    """One readable line for any record; never raises on bad bytes."""
    try:
        line = _line(describe_json(raw))
    except Exception as err:  # a decoded value of a shape no line expects
        line = f"undescribable message, {len(raw.value or b'')} bytes: {err!r}"
    return f"{raw.topic} {line}" if with_topic else line
