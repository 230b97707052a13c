"""Histogram edge params: defaults, validation and the coordinate modes."""

import pytest
from pydantic import ValidationError

from livedata.core.timestamp import PULSE_PERIOD
from livedata.workflows.edges import (
    CoordinateMode,
    TOAEdges,
    TOFEdges,
    WavelengthEdges,
    spectral_dim,
)


def test_toa_edges_default_to_one_pulse_in_ms():
    edges = TOAEdges()
    assert edges.start == 0.0
    assert edges.stop == pytest.approx(71.428571)
    assert edges.stop == PULSE_PERIOD.ns / 1e6
    assert edges.num_bins == 100
    assert edges.unit == "ms"


def test_wavelength_edges_defaults_in_angstrom():
    edges = WavelengthEdges()
    assert (edges.start, edges.stop, edges.num_bins) == (0.5, 10.0, 100)
    assert edges.unit == "angstrom"


@pytest.mark.parametrize(
    "values",
    [
        {"start": 5.0, "stop": 5.0},
        {"start": 6.0, "stop": 5.0},
        {"start": -1.0, "stop": 5.0},
        {"num_bins": 0},
        {"num_bins": 10_001},
        {"bogus": 1},
    ],
)
def test_invalid_toa_edges_are_rejected(values):
    with pytest.raises(ValidationError):
        TOAEdges(**values)


def test_wavelength_start_must_be_positive():
    with pytest.raises(ValidationError):
        WavelengthEdges(start=0.0, stop=1.0)


def test_edges_accept_the_extremes_of_num_bins():
    assert TOAEdges(num_bins=1).num_bins == 1
    assert TOAEdges(num_bins=10_000).num_bins == 10_000


@pytest.mark.parametrize(
    ("mode", "dim"),
    [
        (CoordinateMode.TIME_OF_ARRIVAL, "time_of_arrival"),
        (CoordinateMode.TIME_OF_FLIGHT, "time_of_flight"),
        (CoordinateMode.WAVELENGTH, "wavelength"),
    ],
)
def test_spectral_dim_is_named_after_the_mode(mode, dim):
    assert spectral_dim(mode) == dim
    assert CoordinateMode(dim) is mode


@pytest.mark.parametrize(
    ("edges", "unit", "expected"),
    [
        (TOAEdges(stop=71400, unit="us"), "ns", (0.0, 71_400_000.0)),
        (TOAEdges(stop=71400, unit="µs"), "ms", (0.0, 71.4)),
        (TOAEdges(start=1, stop=2, unit="s"), "ms", (1000.0, 2000.0)),
        (TOAEdges(stop=500, unit="ns"), "ns", (0.0, 500.0)),
        (WavelengthEdges(start=0.1, stop=1.0, unit="nm"), "angstrom", (1.0, 10.0)),
        (WavelengthEdges(), "angstrom", (0.5, 10.0)),
    ],
)
def test_bounds_convert_from_the_given_unit(edges, unit, expected):
    assert edges.bounds_in(unit) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("model", "unit"),
    [(TOAEdges, "m"), (TOAEdges, "angstrom"), (WavelengthEdges, "ms"), (TOFEdges, "")],
)
def test_a_unit_of_the_wrong_dimension_is_a_validation_error(model, unit):
    with pytest.raises(ValidationError, match="unit"):
        model(start=0.5, stop=1.0, unit=unit)
