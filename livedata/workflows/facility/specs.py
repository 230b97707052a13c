"""Specs of the facility's workflow ids, built on livedata's templates (light).

Each builder gives the facility's id (version 1), params model, owning service,
output names (in the facility's order) and source names; the output templates
are livedata's for the equivalent own params, renamed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import BaseModel

from ...core.log_attributes import LogDataAttributes
from ...core.workflow_spec import CoordTemplate, OutputTemplate, WorkflowSpec
from ..area_detector_spec import AREA_DIMS
from ..detector_view_spec import detector_view_outputs
from ..monitor_histogram_spec import monitor_histogram_outputs
from . import params as fp
from .convert import to_monitor_params, to_view_params

MONITOR_OUTPUTS = (
    "cumulative",
    "current",
    "counts_total",
    "counts_in_toa_range",
    "counts_total_cumulative",
    "counts_in_toa_range_cumulative",
)
VIEW_OUTPUTS = (
    "cumulative",
    "current",
    "counts_total_cumulative",
    "counts_total",
    "counts_in_toa_range_cumulative",
    "counts_in_toa_range",
)
ROI_OUTPUTS = (
    "roi_spectra_cumulative",
    "roi_spectra_current",
    "roi_rectangle",
    "roi_polygon",
)
# Facility output name -> the livedata output it is (the rest are computed).
VIEW_RENAMES = {"roi_spectra_cumulative": "roi_spectra"}


def _scalar(title: str) -> OutputTemplate:
    return OutputTemplate(title, (), "counts")


def monitor_outputs(
    params: BaseModel | None, model: type[BaseModel]
) -> dict[str, OutputTemplate]:
    own = monitor_histogram_outputs(to_monitor_params(params or model()))
    extra = {
        "counts_in_toa_range": _scalar(
            "Counts in the time-of-arrival range, latest window"
        ),
        "counts_in_toa_range_cumulative": _scalar(
            "Counts in the time-of-arrival range since start"
        ),
    }
    return {name: own.get(name) or extra[name] for name in MONITOR_OUTPUTS}


def monitor_histogram_spec(
    instrument: str,
    source_names: tuple[str, ...],
    model: type[fp.TOAOnlyMonitorDataParams] | type[fp.MonitorDataParams],
) -> WorkflowSpec:
    """``model``: the facility's params of this instrument's monitors."""
    return WorkflowSpec(
        instrument=instrument,
        name="monitor_histogram",
        namespace="monitor_data",
        title="Beam monitor spectrum",
        description="Spectrum of a beam monitor, as the facility's system defines it.",
        group="Monitors",
        source_names=source_names,
        params=model,
        outputs=monitor_outputs(None, model),
        output_templates=lambda params, source: monitor_outputs(params, model),
        facility=True,
    )


# A detector view's screen: its dims, shape and coordinate unit.
Screen = tuple[tuple[str, str], tuple[int, int], str | None]
# Outputs a view adds after the facility's standard ones, from its params.
ExtraOutputs = Callable[[BaseModel], Mapping[str, OutputTemplate]]


def view_outputs(
    params: BaseModel | None,
    screen: Screen,
    roi: bool,
    model: type[BaseModel] = fp.DetectorViewParams,
    extra: ExtraOutputs | None = None,
) -> dict[str, OutputTemplate]:
    given = params or model()
    own = detector_view_outputs(*screen, to_view_params(given))
    computed = {
        "counts_in_toa_range": _scalar(
            "Counts in the time-of-arrival range, latest window"
        ),
        "counts_in_toa_range_cumulative": _scalar(
            "Counts in the time-of-arrival range since start"
        ),
    }
    names = VIEW_OUTPUTS + (ROI_OUTPUTS if roi else ())
    out = {
        name: own.get(VIEW_RENAMES.get(name, name)) or computed[name] for name in names
    }
    if extra is not None:
        out.update(extra(given))
    return out


def detector_view_spec(
    *,
    instrument: str,
    name: str,
    source_names: tuple[str, ...],
    title: str,
    screen_shape: tuple[int, int] | None = None,
    screen_dims: tuple[str, str] = ("y", "x"),
    screen_unit: str | None = "m",
    screens: Mapping[str, Screen] | None = None,
    roi: bool = True,
    params: type[BaseModel] = fp.DetectorViewParams,
    namespace: str = "detector_data",
    extra_outputs: ExtraOutputs | None = None,
    description: str = "Detector image and counts, as the facility's system "
    "defines it.",
) -> WorkflowSpec:
    """One screen for every source (``screen_*``), or one per source (``screens``)."""
    if screens is None:
        assert screen_shape is not None, "give screen_shape or screens"
        screens = {
            source: (screen_dims, screen_shape, screen_unit) for source in source_names
        }
    screens = dict(screens)
    first = screens[source_names[0]]

    def templates(given: BaseModel | None, source: str | None):
        screen = screens.get(source or "", first)
        return view_outputs(given, screen, roi, params, extra_outputs)

    return WorkflowSpec(
        instrument=instrument,
        name=name,
        namespace=namespace,
        title=title,
        description=description,
        group="Detector views",
        source_names=source_names,
        params=params,
        outputs=templates(None, None),
        output_templates=templates,
        accepts_roi=roi,
        facility=True,
    )


def area_view_spec(
    *,
    instrument: str,
    name: str,
    source_names: tuple[str, ...],
    title: str,
    shape: tuple[int, int],
) -> WorkflowSpec:
    """A camera view under the facility's id: no params, the facility's outputs
    (its ROI outputs stay empty: the facility declares no ROI roles for it)."""
    coords = {dim: CoordTemplate((dim,), None) for dim in AREA_DIMS}

    def image(text: str) -> OutputTemplate:
        return OutputTemplate(text, AREA_DIMS, "counts", shape, coords)

    roi_spectra = {"roi": CoordTemplate(("roi",), None)}
    templates = {
        "cumulative": image("Camera image since start"),
        "current": image("Camera image, latest window"),
        "counts_total_cumulative": _scalar("Counts since start"),
        "counts_total": _scalar("Counts in the latest window"),
        "counts_in_toa_range_cumulative": _scalar(
            "Counts since start (a camera has no time of arrival: all of them)"
        ),
        "counts_in_toa_range": _scalar(
            "Counts in the latest window (a camera has no time of arrival)"
        ),
        "roi_spectra_cumulative": OutputTemplate(
            "Counts per ROI since start", ("roi",), "counts", (None,), roi_spectra
        ),
        "roi_spectra_current": OutputTemplate(
            "Counts per ROI, latest window", ("roi",), "counts", (None,), roi_spectra
        ),
        **{
            shape_name: OutputTemplate(
                text,
                (dim,),
                None,
                (None,),
                {
                    "x": CoordTemplate((dim,), None),
                    "y": CoordTemplate((dim,), None),
                    "roi_index": CoordTemplate((dim,), None),
                },
            )
            for shape_name, text, dim in (
                ("roi_rectangle", "Confirmed rectangle ROIs", "bounds"),
                ("roi_polygon", "Confirmed polygon ROIs", "vertex"),
            )
        },
    }
    return WorkflowSpec(
        instrument=instrument,
        name=name,
        namespace="detector_data",
        title=title,
        description="Summed camera frames and counts, as the facility's system "
        "defines them.",
        group="Detector views",
        source_names=source_names,
        outputs=templates,
        facility=True,
    )


def total_counts_spec(instrument: str, source_names: tuple[str, ...]) -> WorkflowSpec:
    return WorkflowSpec(
        instrument=instrument,
        name="total_counts",
        namespace="data_reduction",
        title="Total counts",
        description="Events of a detector since the job started.",
        group="Reduction",
        source_names=source_names,
        outputs={"total_counts": _scalar("Counts since start")},
        facility=True,
    )


def timeseries_spec(
    instrument: str,
    source_streams: Mapping[str, str],
    log_attributes: Mapping[str, LogDataAttributes],
) -> WorkflowSpec:
    """``source_streams``: each source (a log, or a device such as a motor)
    -> the log stream holding its value (``slit/blade_top`` -> ``.../value``)."""

    def delta(source: str | None) -> dict[str, OutputTemplate]:
        attrs = log_attributes.get(source_streams.get(source or "", ""))
        unit = attrs.unit if attrs is not None else None
        return {
            "delta": OutputTemplate(
                "Log values since the previous result",
                ("time",),
                unit,
                (None,),
                {"time": CoordTemplate(("time",), "ns")},
            )
        }

    return WorkflowSpec(
        instrument=instrument,
        name="timeseries_data",
        namespace="timeseries",
        title="Log values over time",
        description="New values of a slow-control log (f144) with each result.",
        group="Logs",
        source_names=tuple(source_streams),
        outputs=delta(None),
        output_templates=lambda params, source: delta(source),
        source_streams=dict(source_streams),
        facility=True,
    )


def qmap_spec(
    instrument: str, source_names: tuple[str, ...], own: WorkflowSpec
) -> WorkflowSpec:
    """BIFROST's ``qmap``: counts in (|Q|, energy transfer) since start, from
    livedata's ``own`` Q-E map spec (its ``qe_map`` output as ``cut_data``)."""
    return WorkflowSpec(
        instrument=instrument,
        name="qmap",
        namespace="data_reduction",
        title="Q-E map",
        description=own.description,
        group="Reduction",
        source_names=source_names,
        params=fp.BifrostQMapParams,
        outputs={"cut_data": own.outputs["qe_map"]},
        facility=True,
    )
