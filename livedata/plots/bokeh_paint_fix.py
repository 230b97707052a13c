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

# Wraps ``method`` of a BokehJS class once per page (a page may hold several
# documents); ``registry[name]`` says whether it was installed. Should an
# upgrade move the module, class or method, it warns and leaves BokehJS as is.
WRAP_JS = """
function wrap(registry, name, module, cls, method, make) {
  if (registry[name]) return;
  try {
    const proto = Bokeh.require(module)[cls].prototype;
    const original = proto[method];
    registry[name] = typeof original === "function";
    if (registry[name]) proto[method] = make(original);
  } catch (error) {
    registry[name] = false;
  }
  if (!registry[name]) console.warn("livedata: BokehJS changed, not installed:", name);
}
"""

PAINT_FIXES_JS = (
    WRAP_JS
    + """
const fixes = window.livedataPaintFixes || {};

// 1. An identical stylesheet text is not written again.
wrap(fixes, "stylesheet", "core/dom", "InlineStyleSheet", "_update",
  (update) => function (css) {
    if (this.el.textContent !== css) update.call(this, css);
  });

// 2. A glyph renderer's (empty) element is placed when it shows or hides only.
wrap(fixes, "glyphPosition", "models/renderers/glyph_renderer", "GlyphRendererView",
  "update_position", (place) => function () {
    const bbox = this.bbox;
    const shown = bbox != null && bbox.is_valid === true;
    if (this.__livedataShown !== shown) {
      this.__livedataShown = shown;
      place.call(this);
    }
  });

// 3. A colour bar is re-imaged and re-laid out only when its scale changed.
wrap(fixes, "colorBar", "models/annotations/color_bar", "ColorBarView",
  "_metrics_changed", (changed) => function () {
    const mapper = this.color_mapper;
    const metrics = mapper.metrics;
    // Scanning mappers (equal histogram) depend on the data: always redo.
    const key = metrics.binning === undefined ? [
      metrics.min, metrics.max, mapper.palette,
      this.model.display_low, this.model.display_high,
    ] : null;
    const last = this.__livedataScale;
    if (key && last && key.every((value, i) => value === last[i])) return;
    this.__livedataScale = key;
    changed.call(this);
  });

window.livedataPaintFixes = fixes;
"""
)


def install(doc: Any) -> None:
    """Run the fixes in the browser when ``doc`` is ready there."""
    doc.js_on_event("document_ready", CustomJS(code=PAINT_FIXES_JS))
