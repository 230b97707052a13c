"""Turning snapshot values into short, coloured table cells.

Pure functions on plain values, so every screen formats a state, an age or a
trend the same way and the tests can check them without an app.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence

from rich.text import Text

UNKNOWN = "-"
_UUID = re.compile(
    r"\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
)
_BLOCKS = "▁▂▃▄▅▆▇█"

# One colour per state word, shared by services, jobs and commands.
STATE_STYLES = {
    "OK": "bold green",
    "WARN": "bold yellow",
    "ERR": "bold red",
    "STALE": "bold magenta",
    "STOPPING": "bold cyan",
    "STOPPED": "dim",
    "active": "green",
    "running": "green",
    "scheduled": "cyan",
    "pending_context": "cyan",
    "finishing": "cyan",
    "warning": "yellow",
    "error": "red",
    "stopped": "dim",
    "stale": "magenta",
    "pending": "bold yellow",
    "ACK": "bold green",
    "partial": "bold dark_orange",
    "timeout": "bold magenta",
    "not sent": "bold red",
    "info": "cyan",
}


def badge(state: str) -> Text:
    """A state word in its colour, e.g. a green ``OK``."""
    return Text(str(state), style=STATE_STYLES.get(str(state), ""))


def age(seconds: float | None) -> str:
    """``4s``, ``3m05s``, ``2h10m``; ``-`` when unknown."""
    if seconds is None or math.isnan(seconds):
        return UNKNOWN
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600:02d}h"


def uptime(started_at_ns: int, now_ns: int) -> str:
    """Time since a wall-clock start in ns; ``-`` when not reported."""
    if not started_at_ns:
        return UNKNOWN
    return age((now_ns - started_at_ns) / 1e9)


def number(value: float | int | None, digits: int = 1) -> str:
    """A compact number (``12.3``, ``4.5k``, ``1.2M``); ``-`` for unknown, never 0."""
    if value is None:
        return UNKNOWN
    if isinstance(value, float) and math.isnan(value):
        return UNKNOWN
    magnitude = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:.{digits}f}{suffix}"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}" if magnitude < 1e3 else f"{value:.0f}"


def timestamp_ns(value: int | None) -> str:
    """Wall-clock time of day (UTC) of a ns timestamp, ``-`` when open-ended."""
    if value is None:
        return UNKNOWN
    return time.strftime("%H:%M:%S", time.gmtime(value / 1e9))


def when(ns: int, now_ns: int) -> str:
    """A wall-clock ns time as a UTC time and an age, for detail views:
    ``2023-11-14 22:03:20 UTC (10m00s ago)``; ``-`` when not reported (0)."""
    if not ns:
        return UNKNOWN
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ns / 1e9))
    delta = (now_ns - ns) / 1e9
    ago = f"in {age(-delta)}" if delta < 0 else f"{age(delta)} ago"
    return f"{stamp} ({ago})"


FLAT_FRACTION = 0.01


def sparkline(values: Sequence[float], width: int = 16) -> str:
    """Unicode block sparkline of the last ``width`` values (finite ones only)."""
    tail = [v for v in values[-width:] if v is not None and math.isfinite(v)]
    if not tail:
        return ""
    low, high = min(tail), max(tail)
    span = high - low
    # Scaled to min..max, counting noise of 0.03 % would swing bottom to top and
    # read as an alarm; a series that varies by less than this is drawn flat.
    if span <= FLAT_FRACTION * max(abs(low), abs(high)):
        return _BLOCKS[len(_BLOCKS) // 2] * len(tail)
    top = len(_BLOCKS) - 1
    return "".join(_BLOCKS[round((v - low) / span * top)] for v in tail)


def resample(values: Sequence[float], width: int) -> list[float]:
    """Shrink a long series to ``width`` points by averaging neighbours."""
    n = len(values)
    if n <= width:
        return list(values)
    out = []
    for i in range(width):
        chunk = values[i * n // width : (i + 1) * n // width]
        out.append(sum(chunk) / len(chunk))
    return out


def short_workflow(workflow_id: str) -> str:
    """``dummy/panel_0_xy/1`` -> ``panel_0_xy`` (version shown only when not 1)."""
    parts = workflow_id.split("/")
    if len(parts) != 3:
        return workflow_id
    return parts[1] if parts[2] == "1" else f"{parts[1]} v{parts[2]}"


def short_job(job_id: str) -> str:
    """``panel_0/1a2b3c4d-...`` -> ``panel_0/1a2b3c4d``."""
    source, sep, number = job_id.rpartition("/")
    return f"{source}/{number[:8]}" if sep else job_id[:24]


def short_ids(text: str) -> str:
    """Every UUID in ``text`` cut to its first 8 digits (tables; drill-downs
    show the full text)."""
    return _UUID.sub(r"\1", text)
