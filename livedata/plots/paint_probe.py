"""The page's half of publish-to-paint latency: when each frame was painted.

Per drawn frame the page records (``window.livedataFrames``, the last 20 000)
the frame's data time, when its data reached the page's model (``applied``)
and when the plot showing it had finished painting its canvas (``drawn``).
An animation frame requested on arrival would run before BokehJS paints (it
asks for its own frame later, and throttles to 60 per second), so it would
leave the painting out: the browser test found such frames stamped before any
paint. BokehJS has no after-paint event, hence one wrapped method,
``PlotView._actual_paint``, installed page-wide when the document is ready
(``install``); each source's change only queues its frame (``LATENCY_JS``).

Honest when it cannot measure: should BokehJS move that method,
``window.livedataPaintProbe`` is false and frames are stamped at the next
animation frame, each marked ``probe: "animation frame"`` (so is any frame
that arrives before the hook is installed). Frames whose plot never paints (a
hidden tab) wait at most 1000 deep; older ones are dropped and counted in
``window.livedataUnpainted``. ``benchmarks/plots_load.py`` reports both.
"""

from __future__ import annotations

from typing import Any

from bokeh.models import CustomJS

from .bokeh_paint_fix import WRAP_JS

# Page-wide, once: after a plot paints, every frame waiting on a source it
# shows is recorded as drawn.
PAINT_HOOK_JS = (
    WRAP_JS
    + """
const probes = window.livedataProbes || {};
window.livedataWaiting = window.livedataWaiting || [];
window.livedataUnpainted = window.livedataUnpainted || 0;
wrap(probes, "paint", "models/plots/plot_canvas", "PlotView", "_actual_paint",
  (paint) => function (...args) {
    const result = paint.apply(this, args);
    const waiting = window.livedataWaiting;
    if (waiting.length > 0) {
      const now = Date.now();
      const shown = new Set(this.model.renderers.map((r) => r.data_source));
      window.livedataWaiting = waiting.filter((w) => {
        if (!shown.has(w.source)) return true;
        w.record(now);
        return false;
      });
    }
    return result;
  });
window.livedataProbes = probes;
window.livedataPaintProbe = probes.paint === true;
"""
)

# Per source change (``name`` = the layer): queue the frame for its paint.
LATENCY_JS = """
const frame = {
  name: name,
  t: cb_obj.data.t === undefined ? NaN : Number(cb_obj.data.t[0]),
  applied: Date.now(),
  drawn: NaN,
  probe: "paint",
};
const record = (drawn) => {  // the list as it is then (a reader may reset it)
  frame.drawn = drawn;
  const frames = window.livedataFrames = window.livedataFrames || [];
  frames.push(frame);
  // The last 20 000: 12 plots at 1 Hz for 27 minutes, ~2 MB.
  if (frames.length > 20000) frames.splice(0, frames.length - 20000);
};
if (window.livedataPaintProbe === true) {
  const waiting = window.livedataWaiting;
  waiting.push({source: cb_obj, record: record});
  if (waiting.length > 1000) {  // their plots never painted them
    window.livedataUnpainted += waiting.length - 1000;
    waiting.splice(0, waiting.length - 1000);
  }
} else {
  frame.probe = "animation frame";
  requestAnimationFrame(() => record(Date.now()));
}
"""


def install(doc: Any) -> None:
    """Hook the paint in the browser when ``doc`` is ready there."""
    doc.js_on_event("document_ready", CustomJS(code=PAINT_HOOK_JS))


def probe(name: str) -> CustomJS:
    """Layer ``name``'s callback, for ``js_on_change("data", ...)`` on its sources."""
    return CustomJS(args={"name": name}, code=LATENCY_JS)
