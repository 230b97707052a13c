"""Correlation histograms in the plot server (D14): the feed reads the primary's
history and the axes named in its params, the state is a curve (1-D) or an
image (2-D), and the axes on offer are found automatically."""

import numpy as np
import pytest
import scipp as sc

from livedata.control.data_service import DataService
from livedata.instruments import get_instrument
from livedata.instruments.grid import Layer
from livedata.plots.compute import ImageState, LinesState
from livedata.plots.correlation_plot import axis_options, default_bins, log_axis
from livedata.plots.feeds import FeedKey, Updater
from livedata.plots.presenters import ImagePresenter, LinesPresenter, make_presenter
from livedata.plots.specs import AxisRef, plotter

from .helpers import T0, Publisher, S

COUNTS = "dummy/panel_0_xy/2"
MOTORS = "dummy/timeseries_data/2"
M1 = f"{MOTORS}:timeseries:motion1"
M2 = f"{MOTORS}:timeseries:motion2"


def counts(n: float) -> sc.DataArray:
    return sc.DataArray(sc.scalar(float(n), unit="counts"))


def motor(times_s, values, unit) -> sc.DataArray:
    return sc.DataArray(
        sc.array(dims=["time"], values=np.asarray(values, float), unit=unit),
        coords={
            "time": sc.array(
                dims=["time"],
                values=(T0 + np.asarray(times_s) * S).astype("datetime64[ns]"),
                unit="ns",
            )
        },
    )


def correlation(**params) -> Layer:
    return Layer(
        workflow_id=COUNTS,
        output="counts_total",
        source_names=["panel_0"],
        plotter="correlation",
        plotter_params=params,
    )


def test_axes_are_parsed_and_the_params_refuse_what_cannot_be_binned():
    assert AxisRef.parse(M1) == AxisRef(MOTORS, "timeseries", "motion1")
    with pytest.raises(ValueError, match="choose an x axis"):
        plotter("correlation").validate({})
    with pytest.raises(ValueError, match="workflow_id:output:source"):
        plotter("correlation").validate({"x_axis": "motion1"})
    with pytest.raises(ValueError, match="from < to"):
        plotter("correlation").validate({"x_axis": M1, "x_start": 5, "x_stop": 1})
    with pytest.raises(ValueError, match="must differ"):
        plotter("correlation").validate({"x_axis": M1, "y_axis": M1})


def run(layer: Layer, frames, motors):
    """A feed of ``layer`` on a data service fed ``frames`` (window i: counts)
    after the feed exists (the primary's history starts then), and the motors'
    time series."""
    data = DataService()
    pub = Publisher(data)
    updater = Updater(data)
    feed = updater.acquire(FeedKey.of(layer))
    for name, series in motors.items():
        pub.publish(MOTORS, name, 0, timeseries=series)
    for i, n in enumerate(frames):
        pub.publish(COUNTS, "panel_0", i, counts_total=counts(n))
        updater.run_once()
    return feed


def test_two_d_counts_fill_the_cells_the_motors_visited():
    # Windows end at 1..6 s; motion1 -60 then 40 (from 2.5 s), motion2 -120
    # then 30 (from 4.5 s): the frames land in three cells.
    layer = correlation(
        x_axis=M1, x_start=-100, x_stop=100, x_bins=4,
        y_axis=M2, y_start=-180, y_stop=180, y_bins=4,
    )  # fmt: skip
    feed = run(
        layer,
        [5, 7, 11, 13, 17, 19],
        {
            "motion1": motor([0.5, 2.5], [-60, 40], "mm"),
            "motion2": motor([0.5, 4.5], [-120, 30], "deg"),
        },
    )
    state = feed.state
    assert isinstance(state, ImageState), feed.error
    # Rows are y (motion2), columns x (motion1).
    expected = np.zeros((4, 4))
    expected[0, 0] = 5 + 7  # ends 1 s, 2 s: (-60, -120)
    expected[0, 2] = 11 + 13  # ends 3 s, 4 s: (40, -120)
    expected[2, 2] = 17 + 19  # ends 5 s, 6 s: (40, 30)
    assert np.array_equal(state.values, expected), state.values
    assert state.x_label.startswith("motion1") and "[mm]" in state.x_label
    assert state.time_ms == (T0 + 6 * S) / 1e6
    assert isinstance(make_presenter("correlation", feed.params), ImagePresenter)


def test_one_d_counts_per_position_of_one_motor():
    layer = correlation(x_axis=M1, x_start=-100, x_stop=100, x_bins=2)
    feed = run(layer, [5, 7, 11], {"motion1": motor([0.5, 2.5], [-60, 40], "mm")})
    state = feed.state
    assert isinstance(state, LinesState), feed.error
    (curve,) = state.curves
    assert curve.x.tolist() == [-50.0, 50.0]
    assert curve.y.tolist() == [12.0, 11.0]
    assert isinstance(make_presenter("correlation", feed.params), LinesPresenter)


def test_axes_on_offer_are_outputs_and_logs_once_each():
    inst = get_instrument("dummy")
    workflows = {str(s.workflow_id): s for s in inst.workflows.specs()}
    assert log_axis("motion1", workflows) == AxisRef(MOTORS, "timeseries", "motion1")
    # Nothing published yet: the logs, as the timeseries workflow's output.
    options = axis_options([], inst.log_attributes, workflows)
    assert set(options.values()) == {M1, M2}
    assert any("[mm]" in label for label in options)
    # Published: 0-d outputs qualify too; a log already published is offered once.
    data = DataService()
    pub = Publisher(data)
    pub.publish(MOTORS, "motion1", 0, timeseries=motor([0.5], [1.0], "mm"))
    pub.publish(COUNTS, "panel_0", 0, counts_total=counts(3))
    options = axis_options(
        data.result_rows(),
        inst.log_attributes,
        workflows,
        primary=AxisRef(COUNTS, "counts_total", "panel_0"),
    )
    assert sorted(options.values()) == [M1, M2]
    pub.publish(COUNTS, "panel_0", 1, counts_total_cumulative=counts(3))
    options = axis_options(data.result_rows(), inst.log_attributes, workflows)
    assert f"{COUNTS}:counts_total_cumulative:panel_0" in options.values()
    assert default_bins(AxisRef.parse(M1), inst.log_attributes) == (-100.0, 100.0)
