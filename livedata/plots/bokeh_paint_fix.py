"""Stop BokehJS restyling and re-laying out plots that did not change.

Measured on the 4-session benchmark (``benchmarks/plots_load.py``), BokehJS
3.10 spent most of each page's main-thread time on work whose result was the
same as before, and new frames waited behind it:

1. Every renderer (axes, grids, glyphs, colour bar, legend) rewrites its
   position stylesheet on every paint, "for now" in BokehJS's own words, by
   setting the ``<style>`` text even when it is unchanged; each renderer then
   reads its CSS-driven visuals with ``getComputedStyle``, so Chromium
   re-parsed the sheet and recomputed the plot's styles at every such read: a
   third of the page's main-thread time. The fix skips an identical rewrite.
2. A glyph renderer's element is only a holder of its CSS: nothing is drawn in
   it (the glyph is painted on the canvas). BokehJS places it over the glyph's
   data extent, which moves with every frame of a live spectrum, so fix 1
   could not catch it and each frame still forced a style recalculation. The
   fix places it when it first shows and when it shows or hides, not when the
   data moves (only a renderer's own context menu, which livedata never sets,
   would look at where it is). Measured: median publish-to-paint 460-490 ms ->
   350-395 ms.
3. A colour bar re-renders its gradient and asks its whole plot for a new
   layout each time its colour mapper maps an image (every image frame),
   though with the range set (livedata always sets it) nothing it shows has
   changed. The fix skips that unless the range, the palette or the displayed
   limits changed. Measured: a further ~25 ms off the median.

Nothing drawn changes. No Bokeh option does any of this, hence the few lines of
JavaScript, installed once per page when its document is ready. They reach
private BokehJS modules: if an upgrade moves one, that fix logs a warning and
reports false in ``window.livedataPaintFixes``, and the plots draw as before
(slower). ``tests/browser/test_bokeh_paint_fix_browser.py`` checks each fix in
Chromium, and that the cells keep drawing.
"""

from __future__ import annotations

from typing import Any

from bokeh.models import CustomJS

# Idempotent: a page installs it once, however many documents it holds.
PAINT_FIXES_JS = """
const fixes = window.livedataPaintFixes || {};
function patch(name, install) {
  if (fixes[name]) return;
  try {
    fixes[name] = install() === true;
  } catch (error) {
    fixes[name] = false;
  }
  if (!fixes[name]) console.warn("livedata: BokehJS changed, fix not installed:", name);
}

// 1. An identical stylesheet text is not written again.
patch("stylesheet", () => {
  const sheet = Bokeh.require("core/dom").InlineStyleSheet.prototype;
  if (typeof sheet._update !== "function") return false;
  const update = sheet._update;
  sheet._update = function (css) {
    if (this.el.textContent !== css) update.call(this, css);
  };
  return true;
});

// 2. A glyph renderer's (empty) element is placed when it shows or hides only.
patch("glyphPosition", () => {
  const view = Bokeh.require("models/renderers/glyph_renderer").GlyphRendererView.prototype;
  if (typeof view.update_position !== "function") return false;
  const place = view.update_position;
  view.update_position = function () {
    const bbox = this.bbox;
    const shown = bbox != null && bbox.is_valid === true;
    if (this.__livedataShown !== shown) {
      this.__livedataShown = shown;
      place.call(this);
    }
  };
  return true;
});

// 3. A colour bar is re-imaged and re-laid out only when its scale changed.
patch("colorBar", () => {
  const view = Bokeh.require("models/annotations/color_bar").ColorBarView.prototype;
  if (typeof view._metrics_changed !== "function") return false;
  const changed = view._metrics_changed;
  view._metrics_changed = function () {
    const mapper = this.color_mapper;
    const metrics = mapper.metrics;
    // Scanning mappers (equal histogram) depend on the data: always redo.
    const key = metrics.binning === undefined ? [
      metrics.min, metrics.max, mapper.palette, mapper.palette.length,
      this.model.display_low, this.model.display_high,
    ] : null;
    const last = this.__livedataScale;
    if (key && last && key.every((value, i) => value === last[i])) return;
    this.__livedataScale = key;
    changed.call(this);
  };
  return true;
});

window.livedataPaintFixes = fixes;
"""


def install(doc: Any) -> None:
    """Run the fixes in the browser when ``doc`` is ready there."""
    doc.js_on_event("document_ready", CustomJS(code=PAINT_FIXES_JS))
