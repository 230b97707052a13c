"""DREAM's lookup table against kinematics computed here, its disk cache, and the
monitor fakes (both monitors of the default monitor_histogram job)."""

import numpy as np
import pytest
import scipp as sc
from streaming_data_types import deserialise_ev44

from livedata.instruments import get_instrument
from livedata.instruments.dream import banks, fake, wavelength
from livedata.kafka.raw import RawMessage
from livedata.kafka.stream_mapping import StreamMapping
from livedata.workflows import lookup_tables
from livedata.workflows.neutron import H_OVER_MN_ANGSTROM

PERIOD_MS = 1e3 / 14


def _psc_openings_ms() -> np.ndarray:
    """Mid-times (ms, mod one period) at which both pulse-shaping choppers are open,
    from the chopper parameters alone (scippneutron's DiskChopper timing)."""
    from ess.dream.beamline import InstrumentConfiguration, choppers

    config = InstrumentConfiguration[wavelength.DEFAULT_SETTING.value]
    pulse = sc.scalar(14.0, unit="Hz")
    windows = []
    for name in ("psc1", "psc2"):
        chopper = choppers(config)[name]
        start = chopper.time_offset_open(pulse_frequency=pulse).to(unit="ms").values
        stop = chopper.time_offset_close(pulse_frequency=pulse).to(unit="ms").values
        windows.append(
            list(zip(np.mod(start, PERIOD_MS), np.mod(stop, PERIOD_MS), strict=True))
        )
    mids = [
        (max(a0, b0) + min(a1, b1)) / 2
        for a0, a1 in windows[0]
        for b0, b1 in windows[1]
        if max(a0, b0) < min(a1, b1)
    ]
    assert mids, "the two PSCs never open together"
    return np.array(mids)


@pytest.mark.parametrize("ltotal", [72.33, 77.0, 78.8])
def test_table_agrees_with_kinematics_from_the_pscs(ltotal, dream_lookup_table):
    """lambda = (h/m_n)(t - t_psc)/(L - L_psc), with t_psc an opening of both PSCs.

    For every finite table entry at this distance, the time the neutron passed the
    PSCs (toa minus the flight from them) must be one of their common openings, to
    within what a few percent in wavelength allows."""
    table = dream_lookup_table.array
    row = table["distance", np.argmin(np.abs(table.coords["distance"].values - ltotal))]
    distance = float(row.coords["distance"].value)
    toa_ms = row.coords["event_time_offset"].to(unit="ms").values
    lam = row.to(unit="angstrom").values
    finite = np.isfinite(lam)
    assert finite.sum() > 50
    l_psc = 6.15  # m from the source, ess.dream.beamline
    flight_ms = lam[finite] * (distance - l_psc) / H_OVER_MN_ANGSTROM * 1e3
    at_psc = np.mod(toa_ms[finite] - flight_ms, PERIOD_MS)
    openings = _psc_openings_ms()
    gap = np.abs(at_psc[:, None] - openings[None, :])
    gap = np.minimum(gap, PERIOD_MS - gap).min(axis=1)
    relative = gap / (flight_ms)  # = |lambda_table - lambda_kinematic| / lambda
    assert np.max(relative) < 0.03, np.max(relative)
    assert np.median(relative) < 0.01


def test_table_is_cached_on_disk_and_loaded_not_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEDATA_GEOMETRY_CACHE", str(tmp_path))
    inputs = {"setting": "test", "ltotal_range_m": (72.0, 73.0)}
    calls = []

    def compute():
        calls.append(1)
        return lookup_tables.analytical_table(
            choppers=wavelength.disk_choppers(),
            source_position=wavelength.source_position(),
            ltotal_range_m=(72.0, 73.0),
        )

    first = lookup_tables.cached_table("dream", inputs, compute)
    [saved] = tmp_path.glob("wavelength-dream-*.h5")
    again = lookup_tables.cached_table("dream", inputs, compute)
    assert calls == [1]
    np.testing.assert_array_equal(first.array.values, again.array.values)
    assert sc.identical(first.pulse_period, again.pulse_period)
    other = lookup_tables.cached_table("dream", {**inputs, "setting": "x"}, compute)
    assert calls == [1, 1] and other is not None
    assert len(list(tmp_path.glob("wavelength-dream-*.h5"))) == 2
    assert saved.name == lookup_tables.table_filename("dream", inputs)


def test_an_unreadable_cached_table_is_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEDATA_GEOMETRY_CACHE", str(tmp_path))
    inputs = {"broken": True}
    (tmp_path / lookup_tables.table_filename("dream", inputs)).write_bytes(b"junk")
    table = lookup_tables.cached_table(
        "dream", inputs, lambda: wavelength.lookup_table()
    )
    assert table.array.ndim == 2


def test_monitor_fake_feeds_both_monitors_of_the_default_job():
    dream = get_instrument("dream")
    [(_, monitors)] = [j for j in dream.default_jobs if j[0] == "monitor_histogram"]
    assert set(monitors) == {banks.MONITOR_BUNKER, banks.MONITOR_CAVE}
    mapping: StreamMapping = dream.stream_mapping(dev=True)
    raws: list[RawMessage] = list(
        fake.dream_monitor_messages(
            dream, 14_000, None, True, pulse_times=iter([10**18, 10**18 + 71_428_571])
        )
    )
    by_source = {}
    for raw in raws:
        decoded = deserialise_ev44(raw.value)
        by_source.setdefault(decoded.source_name, []).append(decoded.time_of_flight)
    names = {
        mapping.monitors[key]
        for key in mapping.monitors
        if key.source_name in by_source
    }
    assert names == set(monitors)
    assert all(key.topic == "dream_beam_monitor" for key in mapping.monitors)
    # Bunker neutrons arrive earlier than cave neutrons of the same band.
    by_stream = {
        mapping.monitors[key]: by_source[key.source_name]
        for key in mapping.monitors
        if key.source_name in by_source
    }
    bunker = np.concatenate(by_stream[banks.MONITOR_BUNKER])
    cave = np.concatenate(by_stream[banks.MONITOR_CAVE])
    assert 0 < np.median(bunker) < np.median(cave)
