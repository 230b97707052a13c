"""A deterministic scene for console tests, snapshots and the load benchmark."""

from __future__ import annotations

from livedata.control.snapshots import JobRow, LagRow, ResultRow
from livedata.instruments import get_instrument

from .fake_plane import FakePlane

JOB = "panel_0/0000000a-0000-4000-8000-000000000000"


def dummy_specs():
    return get_instrument("dummy").workflows.specs()


def make_plane(**kwargs) -> FakePlane:
    specs = dummy_specs()
    return FakePlane(
        "dummy", workflows={str(s.workflow_id): s for s in specs}, **kwargs
    )


def populate(plane: FakePlane) -> FakePlane:
    """Services, a job with results, lag and a notification; fixed values."""
    plane.heartbeat("detector_data", job_count=1, messages_per_s=140.0, consumer_lag=3)
    plane.heartbeat("monitor_data", job_count=0, messages_per_s=28.0, consumer_lag=0)
    plane.heartbeat("timeseries", state="starting")
    plane.set_job(
        JobRow(
            job_id=JOB,
            source_name="panel_0",
            job_number=JOB.split("/")[1],
            workflow_id="dummy/panel_0_xy/1",
            state="active",
            start_time_ns=1_700_000_000_000_000_000,
        )
    )
    base = dict(workflow_id="dummy/panel_0_xy/1", job_id=JOB, updated_s=1000.0)
    plane.set_result(
        ResultRow(
            key="k-counts",
            output_name="counts_total",
            dims=(),
            shape=(),
            unit="counts",
            summary={"value": 1234.0},
            history=(1000.0, 1100.0, 1050.0, 1200.0, 1234.0),
            **base,
        )
    )
    plane.set_result(
        ResultRow(
            key="k-spectrum",
            output_name="spectrum_current",
            dims=("time_of_arrival",),
            shape=(8,),
            unit="counts",
            summary={"sum": 36.0, "max": 8.0, "values": [1, 2, 3, 4, 5, 6, 7, 8]},
            history=(30.0, 36.0),
            **base,
        )
    )
    plane.set_result(
        ResultRow(
            key="k-image",
            output_name="cumulative",
            dims=("y", "x"),
            shape=(128, 128),
            unit="counts",
            summary={"sum": 5.5e6, "max": 812.0},
            history=(5.0e6, 5.5e6),
            **base,
        )
    )
    plane.set_lag(
        LagRow("dummy_detector_data", "dummy_detector", 0, 12, 0.4, (3, 8, 12))
    )
    plane.set_lag(LagRow("dummy_monitor_data", "dummy_beam_monitor", 0, None, None))
    plane.notify("info", "console connected")
    return plane
