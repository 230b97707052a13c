"""The console shows a job's ROI spectra (one plotext curve per ROI) and the
service's readback, end to end: a real detector_data service on the bus, a ROI
published by the client's ``RoiPublisher``, ev44 events with a known layout."""

from __future__ import annotations

import numpy as np

from livedata.control.roi import Polygon, Rectangle, RoiRequest
from livedata.control.roi_publisher import RoiPublisher
from livedata.core.identifiers import JobId
from livedata.kafka.wire_builders import ev44_message
from livedata_tui.screens.results import ResultScreen, roi_colour

from .conftest import SIZE
from .helpers import pilot_test, redraw
from .scene import PANEL_XY, result_key

NS_PER_S = 1_000_000_000


def run_job_with_roi(system, request: RoiRequest) -> tuple[str, int]:
    """A panel_0_xy job, the ROI, then two windows of events; (job, in ROI 0)."""
    (job,) = system.run_jobs(PANEL_XY, ["panel_0"])
    job_id = JobId.model_validate(job)
    publisher = RoiPublisher(
        system.plane.transport.send, "panel_0", str(job_id.job_number)
    )
    publisher.publish(request)
    t0 = system.clock.wall_ns()
    pixels = np.arange(1, 128 * 128 + 1, dtype=np.int32)  # one event per pixel
    toa = np.full(pixels.size, 1_000_000, dtype=np.int32)
    for k in range(3):
        system.bus.produce(
            [ev44_message("dummy_detector", "panel_0", t0 + k * NS_PER_S, pixels, toa)]
        )
        system.advance(1.0)
    # Right half of the panel (x > 0 m): columns 64..127.
    return job, 64 * 128


@pilot_test
async def test_roi_spectra_plot_one_curve_per_roi_beside_the_readback(system, make_app):
    request = RoiRequest(
        rectangles=(Rectangle(0.0, 0.5, -0.5, 0.5),),
        polygons=(Polygon((-0.5, -0.1, -0.5), (-0.5, -0.5, -0.1)),),
        unit="m",
    )
    job, right_half = run_job_with_roi(system, request)
    spectra_key = result_key(PANEL_XY, job, "roi_spectra_current")
    row = next(r for r in system.plane.snapshot().results if r.key == spectra_key)
    assert set(row.summary["curves"]) == {"0", "4"}
    # Every pixel once per frame: ROI 0 holds the right half's events exactly.
    assert sum(row.summary["curves"]["0"]) == right_half
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ResultScreen(spectra_key))
        await redraw(pilot)
        numbers = str(app.screen.query_one("#numbers").render())
        assert "confirmed ROIs (service readback):" in numbers
        assert "0 rectangle x 0..0.5  y -0.5..0.5 m" in numbers
        assert "4 polygon 3 vertices m" in numbers
        plot = app.screen.query_one("#plot")
        assert plot.display is True
        drawn = plot.plt.build()
        assert "ROI 0" in drawn and "ROI 4" in drawn
        # The colours every view uses for ROIs 0 and 4 (livedata.control.roi).
        assert roi_colour("0") == (0xE4, 0x1A, 0x1C)
        assert roi_colour("4") == (0xFF, 0x7F, 0x00)


@pilot_test
async def test_a_roi_readback_row_lists_its_shapes(system, make_app):
    request = RoiRequest(rectangles=(Rectangle(0.0, 0.5, -0.5, 0.5),), unit="mm")
    job, _ = run_job_with_roi(system, request)
    readback = result_key(PANEL_XY, job, "roi_rectangle")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ResultScreen(readback))
        await redraw(pilot)
        numbers = str(app.screen.query_one("#numbers").render())
        # Requested in mm, echoed in the screen's metres.
        assert "ROI 0 rectangle x 0..0.0005  y -0.0005..0.0005 m" in numbers
