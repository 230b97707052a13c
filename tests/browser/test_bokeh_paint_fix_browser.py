"""In real Chromium on the demo, the fixes of ``livedata.plots.bokeh_paint_fix``:
BokehJS no longer rewrites a plot's stylesheets with the text they already
hold, nor moves a glyph renderer's (empty) element with the data, nor re-images
a colour bar whose scale did not change; while the cells keep drawing, and a
colour bar whose scale does change is still redrawn."""

from __future__ import annotations

import pytest

from .test_plots_browser import wait_frames

pytestmark = pytest.mark.slow

IMAGE, LINE = "cell0-layer0", "cell2-layer0"

# Counts, in the page, every write of a <style> element's text: the same text
# again, or a new one. Installed before any of the page's scripts run.
COUNT_STYLE_WRITES = """
(() => {
  const d = Object.getOwnPropertyDescriptor(Node.prototype, 'textContent');
  window.styleWrites = {same: 0, changed: 0};
  Object.defineProperty(Node.prototype, 'textContent', {...d, set(v) {
    if (this.tagName === 'STYLE' && this.isConnected) {
      const before = d.get.call(this);
      window.styleWrites[before === String(v) ? 'same' : 'changed']++;
    }
    return d.set.call(this, v);
  }});
})();
"""

# Every view of a class in the page, depth first from the roots.
VIEWS_JS = """(name) => {
  const found = [], seen = new Set();
  const walk = (view) => {
    if (!view || seen.has(view)) return;
    seen.add(view);
    if (view.constructor.name === name) found.push(view);
    for (const child of view.children_views ? view.children_views() : []) walk(child);
  };
  for (const root of Bokeh.index.roots) walk(root);
  return found;
}"""

# Shown glyph renderers: their element's position sheet and their data extent.
GLYPHS_JS = f"""() => ({VIEWS_JS})('GlyphRendererView')
  .filter(v => !v.position.el.textContent.includes('display: none'))
  .map(v => [v.model.id, v.position.el.textContent,
             [v.bbox.left, v.bbox.top, v.bbox.width, v.bbox.height]])"""

# Records each colour bar's re-imaging with the scale it was drawn for.
COUNT_COLOR_BAR_IMAGES = f"""() => {{
  window.barImages = [];
  for (const view of ({VIEWS_JS})('ColorBarView')) {{
    const image = view._set_canvas_image;
    view._set_canvas_image = function () {{
      const m = this.color_mapper.metrics;
      window.barImages.push([this.model.id, m.min, m.max]);
      return image.call(this);
    }};
  }}
}}"""


@pytest.fixture
def page(browser, demo_system):
    page = browser.new_page()
    page.add_init_script(COUNT_STYLE_WRITES)
    page.goto(demo_system[1])
    page.wait_for_selector(".cell-0", timeout=60_000)
    page.wait_for_function("window.livedataPaintFixes !== undefined", timeout=60_000)
    fixes = page.evaluate("window.livedataPaintFixes")
    assert fixes == {"stylesheet": True, "glyphPosition": True, "colorBar": True}
    yield page
    page.close()


def test_plots_repaint_without_rewriting_unchanged_stylesheets(page):
    counts = {cell: wait_frames(page, 0, name=cell) for cell in (IMAGE, LINE)}
    page.evaluate("window.styleWrites = {same: 0, changed: 0}")
    for cell, seen in counts.items():  # several new frames of the image and a line
        wait_frames(page, seen + 3, name=cell)
    writes = page.evaluate("window.styleWrites")
    # Without the fix: ~600 identical rewrites in these few seconds (measured).
    assert writes["same"] == 0, writes


def test_glyph_elements_stay_put_while_their_lines_move(page):
    seen = wait_frames(page, 0, name=LINE)
    before = {gid: (sheet, box) for gid, sheet, box in page.evaluate(GLYPHS_JS)}
    wait_frames(page, seen + 3, name=LINE)
    after = {gid: (sheet, box) for gid, sheet, box in page.evaluate(GLYPHS_JS)}
    common = before.keys() & after.keys()
    assert common, (before, after)
    # The data moved (a noisy spectrum's extent changes from frame to frame) ...
    assert any(before[g][1] != after[g][1] for g in common), (before, after)
    # ... and no glyph element followed it (BokehJS would rewrite its sheet).
    assert {g: before[g][0] for g in common} == {g: after[g][0] for g in common}


def test_color_bar_redraws_only_for_a_new_scale(page):
    seen = wait_frames(page, 0, name=IMAGE)
    page.evaluate(COUNT_COLOR_BAR_IMAGES)
    wait_frames(page, seen + 3, name=IMAGE)
    images = page.evaluate("window.barImages")
    # Without the fix: one per image frame, however unchanged the scale.
    last: dict[str, tuple] = {}
    for bar, low, high in images:
        assert last.get(bar) != (low, high), images  # re-imaged, scale unchanged
        last[bar] = (low, high)
    # A new colour range (as autoscaling or an operator would set) redraws it.
    page.evaluate(
        f"""() => {{ const bar = ({VIEWS_JS})('ColorBarView')[0];
          const m = bar.color_mapper; m.high = m.low + 2 * (m.high - m.low); }}"""
    )
    page.wait_for_function(f"window.barImages.length > {len(images)}", timeout=10_000)
