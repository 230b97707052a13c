"""A session's changes reach the page together: one websocket message per batch.

BokehJS applies each message on its own, and a message costs the server a pass
over every model of the document; a frame of several plots sent as one message
per changed data source made the server and the page do that work per plot.
"""

from __future__ import annotations

import json
import time

import pytest

from .test_plots_browser import open_page, wait_frames

pytestmark = pytest.mark.slow


def data_changes_per_message(page, seconds: float) -> list[int]:
    """For each PATCH-DOC message received in ``seconds``: its data changes."""
    contents: list[dict] = []

    def frame(payload) -> None:
        if isinstance(payload, str) and '"events"' in payload[:200]:
            contents.append(json.loads(payload))

    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws) or ws.on("framereceived", frame))
    page.reload()
    wait_frames(page, 0)
    contents.clear()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.wait_for_timeout(200)
    return [
        n
        for n in (
            sum(e.get("kind") == "ColumnDataChanged" for e in c["events"])
            for c in contents
        )
        if n > 0
    ]


def test_a_frame_of_several_plots_arrives_in_one_message(browser, demo_system):
    page = open_page(browser, demo_system[1])
    counts = data_changes_per_message(page, 8)
    assert len(counts) >= 5, f"{len(counts)} messages with data in 8 s"
    # The demo's results arrive a few plots at a time. Sent per data source,
    # 72 of 74 messages carried one change (the two others were periodic
    # ticks); batched, 5 of 43 did, when a result came alone.
    single = sum(n == 1 for n in counts)
    assert single < len(counts) / 2, sorted(counts)
    assert max(counts) >= 3, sorted(counts)
