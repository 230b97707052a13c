"""In real Chromium on the demo: BokehJS no longer rewrites a plot's
stylesheets with the text they already hold on every paint (which forced a
style recalculation per renderer and paint, ``livedata.plots.bokeh_paint_fix``),
while sheets whose text does change (a line's extent moving) still change,
and every cell keeps drawing."""

from __future__ import annotations

import pytest

from .test_plots_browser import wait_frames

pytestmark = pytest.mark.slow

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


def test_plots_repaint_without_rewriting_unchanged_stylesheets(browser, demo_system):
    page = browser.new_page()
    page.add_init_script(COUNT_STYLE_WRITES)
    page.goto(demo_system[1])
    page.wait_for_selector(".cell-0", timeout=60_000)
    page.wait_for_function("window.livedataStylesheetFix !== undefined", timeout=60_000)
    assert page.evaluate("window.livedataStylesheetFix") is True, "BokehJS changed"
    counts = {cell: wait_frames(page, 0, name=f"cell{cell}-layer0") for cell in (0, 2)}
    page.evaluate("window.styleWrites = {same: 0, changed: 0}")
    for cell, seen in counts.items():  # several new frames of the image and a line
        wait_frames(page, seen + 3, name=f"cell{cell}-layer0")
    writes = page.evaluate("window.styleWrites")
    assert writes["same"] == 0, writes
    # The counter sees the writes that remain: a spectrum's line moves with
    # its data, so its renderer's position sheet changes between frames.
    assert writes["changed"] > 0, writes
