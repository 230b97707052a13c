"""TBL: light specs, Orca images over ad00 conserve counts, event views, services."""

import numpy as np
import pytest

from livedata.core.stream import StreamId, StreamKind
from livedata.instruments import get_instrument
from livedata.instruments.tbl import banks, fake, streams
from livedata.kafka.raw import RawMessage
from livedata.kafka.wire_builders import ev44_message, f144_message
from tests.instruments.science_harness import (
    ServiceHarness,
    assert_outputs_match_spec,
    config,
    heavy_modules_after_import,
    pulse_times,
    start_ns,
)

TBL = get_instrument("tbl")


def test_specs_import_without_heavy_science_modules():
    assert heavy_modules_after_import("livedata.instruments.tbl.specs") == []


def test_detectors_and_factories():
    assert set(TBL.detectors) == {
        "he3_detector_bank0",
        "he3_detector_bank1",
        "multiblade_detector",
        "ngem_detector",
        "timepix3_detector",
    }
    assert TBL.area_detectors["orca_detector"].shape == (2048, 2048)
    TBL.load_factories()
    for spec in TBL.workflows.specs():
        assert TBL.workflows.get_factory(spec.workflow_id) is not None, spec.name


@pytest.mark.parametrize("dev", [True, False], ids=["dev", "prod"])
def test_stream_mapping_covers_every_source(dev):
    mapping = TBL.stream_mapping(dev)
    assert set(mapping.detectors.values()) == set(TBL.detectors)
    assert set(mapping.area_detectors.values()) == {"orca_detector"}
    assert set(mapping.logs.values()) <= set(TBL.log_attributes)  # PROD has fewer
    orca = mapping.key_for(StreamId(StreamKind.AREA_DETECTOR, "orca_detector"))
    assert orca.topic == ("tbl_area_detector" if dev else "tbl_area_detector_orca")


def raw_data(t0: int, n_pulses: int = 30):
    times = pulse_times(t0, n_pulses)
    raws = [
        *fake.tbl_detector_messages(
            TBL, 2e4, None, True, pulse_times=iter(times), pool_size=2
        ),
        *fake.tbl_area_messages(TBL, 1e5, None, True, pulse_times=iter(times)),
        *(
            ev44_message("tbl_beam_monitor", "monitor1", t, None, [20_000_000] * 20)
            for t in times
        ),
        *(
            f144_message("tbl_motion", name, t, 1.0)
            for name in streams.LOGS
            for t in times[::7]
        ),
    ]
    return sorted(raws, key=lambda r: r.timestamp_ms)


@pytest.mark.parametrize("service", sorted(TBL.services()))
def test_service_publishes_every_declared_output(service):
    h = ServiceHarness("tbl", service)
    specs = [s for s in TBL.workflows.specs() if s.namespace == service]
    configs = [config(s, s.source_names[0]) for s in specs]
    assert h.start(configs) == ["ACK"] * len(configs)
    results = h.results(h.start_output + h.step(raw_data(start_ns())))
    for spec in specs:
        assert_outputs_match_spec(spec, results, spec.source_names[0])


@pytest.fixture(scope="module")
def orca_frames():
    """16 full frames (~1 s to make): shared, the tests only read them."""
    return fake.make_orca_frames(n_frames=16, first_pulse_ns=start_ns())


def _orca_results(params: dict, frames):
    h = ServiceHarness("tbl", "detector_data")
    spec = next(s for s in TBL.workflows.specs() if s.name == "orca_view")
    assert h.start([config(spec, "orca_detector", params=params)]) == ["ACK"]
    results = h.results(
        h.step(
            RawMessage("tbl_area_detector", p, None, t // 1_000_000)
            for t, p, _ in frames
        )
    )
    return spec, frames, results


def test_full_orca_frames_binned_by_default_conserve_counts(orca_frames):
    """2048 x 2048 frames as the camera sends them; 512 x 512 images by default."""
    spec, frames, results = _orca_results({}, orca_frames)
    assert frames[0][2].shape == (2048, 2048)
    sent = sum(float(f.sum()) for t, _, f in frames[:15])  # the last closes
    cumulative = results[("orca_view", "orca_detector", "cumulative")]
    current = results[("orca_view", "orca_detector", "current")]
    assert cumulative.shape == (512, 512) == spec.outputs["cumulative"].shape
    assert cumulative.sum().value == pytest.approx(sent)
    assert current.sum().value == pytest.approx(sent)  # one window so far
    # The footprint is where the fake put it: brighter inside than in a corner.
    assert cumulative.values[256, 280].item() > 10 * cumulative.values[5, 5].item()


@pytest.mark.parametrize(("downsample", "size"), [(1, 2048), (16, 128)])
def test_orca_downsample_param_sets_the_image_size(downsample, size, orca_frames):
    spec, frames, results = _orca_results({"downsample": downsample}, orca_frames)
    image = results[("orca_view", "orca_detector", "cumulative")]
    assert image.shape == (size, size)
    templates = spec.outputs_for({"downsample": downsample})
    assert templates["cumulative"].shape == (size, size)
    assert image.sum().value == pytest.approx(
        sum(float(f.sum()) for *_, f in frames[:15])
    )


def test_orca_downsample_must_divide_the_frame():
    spec = next(s for s in TBL.workflows.specs() if s.name == "orca_view")
    with pytest.raises(ValueError, match="must divide the frame"):
        spec.validate_params({"downsample": 3})


@pytest.mark.parametrize("bank", list(banks.EVENT_DETECTORS), ids=lambda b: b.name)
def test_event_detector_views_count_every_event(bank):
    h = ServiceHarness("tbl", "detector_data")
    spec = next(s for s in TBL.workflows.specs() if bank.name in s.source_names)
    assert h.start([config(spec, bank.name)]) == ["ACK"]
    t0 = start_ns()
    payloads = fake.make_tbl_events(bank.name, n_pulses=16, first_pulse_ns=t0)
    results = h.results(
        h.step(RawMessage("tbl_detector", p, None, t // 1_000_000) for t, p in payloads)
    )
    image = results[(spec.name, bank.name, "cumulative")]
    assert image.sum().value == pytest.approx(15 * 2_000)
    assert np.all(np.isfinite(image.values))


def test_beam_profile_is_computed_once_per_shape_and_read_only():
    profile = fake.beam_profile((64, 32))
    assert profile.shape == (64, 32)
    assert profile.sum() == pytest.approx(1.0)
    assert fake.beam_profile((64, 32)) is profile
    assert not profile.flags.writeable
