"""A session's changes reach the page together: one websocket message per batch.

BokehJS applies each message on its own, and a message costs the server a pass
over every model of the document; a frame of several plots sent as one message
per changed data source made the server and the page do that work per plot.
"""

from __future__ import annotations

import json

import pytest

from .test_plots_browser import wait_frames

pytestmark = pytest.mark.slow


def data_changes_per_message(browser, url: str, seconds: float) -> list[int]:
    """For each PATCH-DOC message a new page of ``url`` receives in ``seconds``
    (after its first frame): how many data changes it carries."""
    contents: list[dict] = []

    def frame(payload) -> None:
        if isinstance(payload, str) and '"events"' in payload[:200]:
            contents.append(json.loads(payload))

    page = browser.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    page.goto(url)
    wait_frames(page, 0)
    contents.clear()
    page.wait_for_timeout(seconds * 1000)  # frames are taken in meanwhile
    counts = [
        sum(e.get("kind") == "ColumnDataChanged" for e in c["events"]) for c in contents
    ]
    page.close()
    return [n for n in counts if n > 0]


def test_a_frame_of_several_plots_arrives_in_one_message(browser, demo_system):
    counts = data_changes_per_message(browser, demo_system[1], 8)
    assert len(counts) >= 5, f"{len(counts)} messages with data in 8 s"
    # The demo's results arrive a few plots at a time. Sent per data source,
    # 72 of 74 messages carried one change (the two others, of 5 and 7,
    # most likely periodic ticks); batched, 5 of 43 did (a result that came
    # alone).
    single = sum(n == 1 for n in counts)
    assert single < len(counts) / 2, sorted(counts)
    assert max(counts) >= 3, sorted(counts)
