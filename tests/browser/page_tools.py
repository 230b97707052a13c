"""Reading and driving the plot page from tests: figures by tag, data to
screen coordinates, tagged data sources, Bokeh toolbar buttons."""

from __future__ import annotations

import time
from typing import Any

# The figure tagged ``tag`` (a layer's name, e.g. cell0-layer0): its canvas's
# place on the page and its frame's scales.
_TO_SCREEN = """
([tag, points]) => {
  const view = Bokeh.index.query_one(
    v => v.model && v.model.tags && v.model.tags.includes(tag) && v.frame);
  if (view == null) return null;
  const rect = view.canvas_view.el.getBoundingClientRect();
  return points.map(([x, y]) => [
    rect.left + view.frame.x_scale.compute(x),
    rect.top + view.frame.y_scale.compute(y)]);
}
"""

_SOURCE = """
(tag) => {
  for (const doc of Bokeh.documents)
    for (const m of doc._all_models.values())
      if (m.type === 'ColumnDataSource' && m.tags.includes(tag)) {
        const out = {};
        const data = m.data instanceof Map ? m.data.entries() : Object.entries(m.data);
        for (const [k, v] of data)
          out[k] = Array.from(v, e => (e && e.length !== undefined
                                       && typeof e !== 'string') ? Array.from(e) : e);
        return out;
      }
  return null;
}
"""

_LINE_COLOUR = """
(tag) => {
  for (const doc of Bokeh.documents)
    for (const m of doc._all_models.values())
      if (m.type === 'GlyphRenderer' && m.data_source.tags.includes(tag))
        return (m.glyph.line_color && m.glyph.line_color.value !== undefined)
          ? m.glyph.line_color.value : m.glyph.line_color;
  return null;
}
"""


def to_screen(page, tag: str, points) -> list[tuple[float, float]]:
    """Page coordinates of data ``points`` on the figure tagged ``tag``."""
    found = page.evaluate(_TO_SCREEN, [tag, [list(p) for p in points]])
    assert found is not None, f"no figure tagged {tag}"
    return [tuple(p) for p in found]


def source(page, tag: str) -> dict[str, list] | None:
    """The columns of the first data source tagged ``tag``."""
    return page.evaluate(_SOURCE, tag)


def line_colour(page, tag: str) -> str | None:
    return page.evaluate(_LINE_COLOUR, tag)


def wait_source(page, tag: str, ok, timeout: float = 30.0) -> dict[str, list]:
    """Poll the source tagged ``tag`` until ``ok(columns)``; its columns."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = source(page, tag)
        if last is not None and ok(last):
            return last
        page.wait_for_timeout(200)
    raise AssertionError(f"{tag} never satisfied the condition; last {last}")


def tool_button(page, title_start: str):
    """The toolbar button of the tool whose description starts so."""
    return page.locator(f"[title^='{title_start}']").first


def drag(page, start, end, *, shift: bool = False, steps: int = 12) -> float:
    """Press at ``start``, move to ``end`` in steps, release; the page's clock
    (ms) at the release."""
    if shift:
        page.keyboard.down("Shift")
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    released = page.evaluate("Date.now()")
    page.mouse.up()
    if shift:
        page.keyboard.up("Shift")
    return released


def press(page, point, hold_ms: int = 600) -> None:
    """A long press (Bokeh's "press" gesture)."""
    page.mouse.move(*point)
    page.mouse.down()
    page.wait_for_timeout(hold_ms)
    page.mouse.up()


def tap(page, point) -> None:
    page.mouse.move(*point, steps=4)
    page.mouse.click(*point)
    page.wait_for_timeout(300)


_IMAGE = """
(tag) => {
  for (const doc of Bokeh.documents)
    for (const m of doc._all_models.values())
      if (m.type === 'ColumnDataSource' && m.tags.includes(tag)) {
        const data = m.data instanceof Map ? Object.fromEntries(m.data) : m.data;
        const image = data.image[0];
        return {shape: Array.from(image.shape), values: Array.from(image),
                t: Number(data.t[0])};
      }
  return null;
}
"""


def image(page, tag: str) -> dict | None:
    """The image drawn by the layer ``tag``: shape, flat values, data time."""
    return page.evaluate(_IMAGE, tag)


def select_containing(page, selector: str, text: str) -> str:
    """Pick the option of the select at ``selector`` whose label contains ``text``."""
    select = page.locator(f"{selector} select")
    labels = select.locator("option").all_text_contents()
    found = [label for label in labels if text in label]
    assert found, f"no option with {text!r} in {selector}: {labels}"
    select.select_option(label=found[0])
    return found[0]


def fill_number(page, selector: str, value: float) -> None:
    field = page.locator(f"{selector} input")
    field.fill(str(value))
    field.press("Enter")
