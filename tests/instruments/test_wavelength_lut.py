"""The facility's ``wavelength_lut``: the table is de Broglie's, the bands the
choppers', and what is published is what the spec announces.

Truth from the textbook: a neutron of wavelength λ flies L metres in
L·λ·m_n/h = L·λ·252.78 µs/(Å·m). With no choppers (LOKI) it leaves the source
within the pulse's emission window, whose centre t_c the table is unbiased
for, so at (L, t_c + L·λ·252.78 µs mod the pulse period) the table reads λ to
within one time bin. With choppers (DREAM) the time between two distances is
what de Broglie says, whatever the choppers do upstream.
"""

import numpy as np
import pytest
import scipp as sc

from livedata.core.identifiers import JobId
from livedata.core.workflow import WorkflowContext
from livedata.instruments import get_instrument
from livedata.instruments.dream import wavelength as dream_wavelength
from livedata.instruments.loki import banks as loki_banks
from livedata.instruments.wavelength_lut import (
    Beamline,
    WavelengthLutWorkflow,
    compute,
    wavelength_lut_factory,
)
from livedata.workflows.facility.lut_params import WavelengthLutParams
from livedata.workflows.facility.wavelength_lut_spec import lut_outputs
from livedata.workflows.source_pulse import emission_window_ns

US_PER_ANGSTROM_METRE = 252.78  # m_n / h
PERIOD_US = 1e6 / 14.0

LOKI = Beamline(
    loki_banks.SOURCE_TO_SAMPLE_M, wavelength_band_angstrom=loki_banks.WAVELENGTH_BAND
)
DREAM = Beamline(
    dream_wavelength.banks.SOURCE_TO_SAMPLE_M, dream_wavelength.disk_choppers
)


def params(**fields) -> WavelengthLutParams:
    return WavelengthLutParams.model_validate(fields)


def read(lut: sc.DataArray, distance_m: float, time_us: float) -> tuple[float, float]:
    """The table at the row nearest ``distance_m`` and the time point nearest
    ``time_us``; with the row's distance."""
    distances = lut.coords["distance"].to(unit="m").values
    times = lut.coords["event_time_offset"].to(unit="us").values
    row = int(np.argmin(np.abs(distances - distance_m)))
    column = int(np.argmin(np.abs(times - time_us)))
    return float(lut.values[row, column]), float(distances[row])


@pytest.fixture(scope="module")
def loki_lut() -> sc.DataArray:
    given = params(
        distance_range={"start": 20.0, "stop": 40.0},
        time_resolution={"value": 100.0, "unit": "\u03bcs"},
    )
    return compute(LOKI, given)["wavelength_lut"]


@pytest.mark.parametrize(
    ("distance_m", "wavelength"),
    [(21.0, 3.0), (23.6, 5.0), (30.0, 7.0), (35.0, 8.5), (38.0, 4.0)],
)
def test_the_unchopped_table_is_de_broglie_modulo_the_period(
    loki_lut, distance_m, wavelength
):
    t_c = sum(emission_window_ns()) / 2 / 1e3
    # Exactly on a row: the rows are 0.1 m apart.
    _, row_m = read(loki_lut, distance_m, 0.0)
    flight = row_m * wavelength * US_PER_ANGSTROM_METRE
    arrival = (t_c + flight) % PERIOD_US
    value, _ = read(loki_lut, row_m, arrival)
    one_bin = 100.0 / (row_m * US_PER_ANGSTROM_METRE)  # Å per 100 µs at row_m
    assert abs(value - wavelength) <= one_bin, (value, wavelength, arrival)


def test_a_wrapped_arrival_is_read_in_the_next_pulse(loki_lut):
    # 8.5 Å over 35 m arrive 77 ms after the pulse: 5.5 ms into the next one.
    t_c = sum(emission_window_ns()) / 2 / 1e3
    arrival = t_c + 35.0 * 8.5 * US_PER_ANGSTROM_METRE
    assert arrival > PERIOD_US
    value, _ = read(loki_lut, 35.0, arrival - PERIOD_US)
    assert value == pytest.approx(8.5, abs=0.02)
    # Nothing of LOKI's 2-9 Å band arrives at 35 m 12 ms after a pulse.
    empty, _ = read(loki_lut, 35.0, 12_000.0)
    assert np.isnan(empty)


@pytest.fixture(scope="module")
def dream_outputs() -> dict[str, sc.DataArray]:
    given = params(
        distance_range={"start": 60.0, "stop": 80.0},
        cascade_bands={"distances": "5, 76.55", "num_bins": 500},
    )
    return compute(DREAM, given)


def test_with_choppers_the_time_between_two_distances_is_de_broglies(dream_outputs):
    lut = dream_outputs["wavelength_lut"]
    times = lut.coords["event_time_offset"].to(unit="us").values
    step = times[1] - times[0]
    _, near_m = read(lut, 65.0, 0.0)
    checked = 0
    for t in times[::10]:
        wavelength, _ = read(lut, near_m, t)
        if not np.isfinite(wavelength):
            continue
        later = t + (76.5 - near_m) * wavelength * US_PER_ANGSTROM_METRE
        value, far_m = read(lut, 76.5, later % PERIOD_US)
        assert far_m == pytest.approx(76.5)
        assert abs(value - wavelength) <= 2 * step / (far_m * US_PER_ANGSTROM_METRE)
        checked += 1
    assert checked >= 5


def test_the_bands_are_the_pulse_before_the_choppers_and_narrower_after(
    dream_outputs,
):
    bands = dream_outputs["chopper_cascade_bands"]
    assert bands.coords["distance"].values.tolist() == [5.0, 76.55]
    low = bands.coords["wavelength_min"].values
    high = bands.coords["wavelength_max"].values
    # Upstream of every chopper the source's whole band comes through...
    assert np.nanmin(low[0]) == pytest.approx(0.001)
    assert np.nanmax(high[0]) == pytest.approx(15.0)
    # ...at the sample only what the choppers pass (DREAM: about 0.9-4.3 Å).
    assert np.nanmin(low[1]) > 0.5 and np.nanmax(high[1]) < 5.0
    assert (np.nan_to_num(low[1]) <= np.nan_to_num(high[1])).all()
    # The table agrees: at the sample, it is finite where a band is.
    lut = dream_outputs["wavelength_lut"]
    row = int(np.argmin(np.abs(lut.coords["distance"].values - 76.55)))
    finite = np.isfinite(lut.values[row])
    assert finite.any() and not finite.all()
    lut_range = np.nanmin(lut.values[row]), np.nanmax(lut.values[row])
    assert np.nanmin(low[1]) - 0.05 <= lut_range[0]
    assert lut_range[1] <= np.nanmax(high[1]) + 0.05


@pytest.mark.parametrize("instrument", ["dream", "loki", "bifrost", "tbl"])
def test_published_names_dims_and_units_are_the_specs(instrument):
    """What the facility's dashboard subscribes to (the contract's output
    names) with the dims, units and sizes the spec announces."""
    inst = get_instrument(instrument)
    inst.load_factories()
    spec = next(s for s in inst.workflows.specs() if s.name == "wavelength_lut")
    factory = inst.workflows.get_factory(spec.workflow_id)
    given = params(
        distance_range={"start": 2000.0, "stop": 2500.0, "unit": "cm"},
        time_resolution={"value": 1.0, "unit": "ms"},
        cascade_bands={"num_bins": 50, "unit": "mm"},
    )
    context = WorkflowContext(instrument, JobId(source_name="chopper_cascade"), given)
    outputs = factory(context).finalize()
    templates = spec.outputs_for(given)
    assert (
        list(outputs) == list(templates) == ["wavelength_lut", "chopper_cascade_bands"]
    )
    for name, template in templates.items():
        da = outputs[name]
        assert da.dims == template.dims
        assert da.unit == sc.Unit(template.unit)
        for coord, ct in template.coords.items():
            assert da.coords[coord].dims == ct.dims
            assert da.coords[coord].unit == sc.Unit(ct.unit)
    assert outputs["chopper_cascade_bands"].sizes["event_time_offset"] == 50
    assert outputs["wavelength_lut"].coords["distance"].min().value < 2000.0


def test_reset_recomputes_and_bad_params_are_refused_at_start():
    workflow = WavelengthLutWorkflow(LOKI, params(distance_range={"start": 21.0}))
    first = workflow.finalize()
    assert workflow.finalize()["wavelength_lut"] is first["wavelength_lut"]
    workflow.clear()
    assert workflow.finalize()["wavelength_lut"] is not first["wavelength_lut"]
    make = wavelength_lut_factory(LOKI)
    for bad, text in (
        ({"distance_range": {"start": 30.0, "stop": 20.0}}, "stop must be greater"),
        ({"cascade_bands": {"distances": "10, ten"}}, "'ten' is not a number"),
        ({"time_resolution": {"value": 0.0}}, "must be positive"),
    ):
        context = WorkflowContext("loki", JobId(source_name="x"), params(**bad))
        with pytest.raises(ValueError, match=text):
            make(context)


def test_templates_follow_the_params_units():
    templates = lut_outputs(
        params(time_resolution={"unit": "ns"}, distance_range={"unit": "mm"})
    )
    lut = templates["wavelength_lut"]
    assert lut.coords["event_time_offset"].unit == "ns"
    assert lut.coords["distance"].unit == "mm"
