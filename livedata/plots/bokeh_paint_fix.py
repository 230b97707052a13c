"""Stop BokehJS restyling every plot on every paint.

BokehJS 3.10 rewrites each renderer's position stylesheet (axes, grids, glyphs,
colour bar, legend) on every paint, "for now" in its own words, by setting the
``<style>`` element's text even when it is unchanged; and each renderer then
reads its CSS-driven visuals with ``getComputedStyle``. Chromium re-parses the
sheet and recomputes the styles of the plot's shadow tree at every such read:
measured on the 4-session benchmark, these forced style recalculations were a
third of each page's main-thread time, and new frames waited behind them.

Skipping a rewrite whose text is identical changes nothing that is drawn (the
sheet would be the same) and leaves the recalculations to real changes. No
Bokeh option does this, hence the few lines of JavaScript, installed once per
page when its document is ready. ``tests/browser/test_bokeh_paint_fix_browser.py``
checks in Chromium that no identical rewrite is left, that changed sheets still
change, and that the cells keep drawing.
"""

from __future__ import annotations

from typing import Any

from bokeh.models import CustomJS

# Idempotent: a page installs it once, however many documents it holds.
SKIP_IDENTICAL_STYLESHEET_JS = """
let proto = null;
try {
  proto = Bokeh.require("core/dom").InlineStyleSheet.prototype;
} catch (error) {
  console.warn("livedata: BokehJS changed, stylesheet fix not installed", error);
}
if (proto && typeof proto._update === "function" && !proto.__livedataSkipsIdentical) {
  const update = proto._update;
  proto._update = function (css) {
    if (this.el.textContent !== css) update.call(this, css);
  };
  proto.__livedataSkipsIdentical = true;
}
// False after a BokehJS change: plots draw as before, the browser test fails.
window.livedataStylesheetFix = Boolean(proto && proto.__livedataSkipsIdentical);
"""


def install(doc: Any) -> None:
    """Run the fix in the browser when ``doc`` is ready there."""
    doc.js_on_event("document_ready", CustomJS(code=SKIP_IDENTICAL_STYLESHEET_JS))
