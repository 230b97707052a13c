"""The facility's ``dream/wavelength_lut/1`` on a real timeseries service (issue 12).

A job with no data input: the embedded broker, DREAM's ``timeseries`` service as
a subprocess and no data at all. The facility dashboard's command (its default
params, byte for byte) and ``livedata job start --workflow wavelength_lut`` each
get an ACK and both outputs as da00 on the data topic, with the names the
facility's dashboard subscribes to and the dims and units the spec announces; a
reset publishes again; the heartbeats call the job active with no warning and
the service healthy.
"""

from __future__ import annotations

import time

import pytest
import scipp as sc

from livedata.cli.common import ExitCode
from livedata.control.health import derive_health
from livedata.control.quick import wait_for_services
from livedata.control.snapshots import Health
from livedata.core.identifiers import JobId, ResultKey, WorkflowId
from livedata.core.status import JobState, JobStatus, ServiceStatus
from livedata.instruments import get_instrument
from livedata.services.topics import create_instrument_topics
from tests.cli.helpers import run_cli
from tests.contract.facility_commands import as_record, dashboard_config
from tests.contract.peer_contract import entry
from tests.integration.helpers import (
    Listener,
    produce,
    service_output,
    start_service,
    stop_service,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WORKFLOW = "dream/wavelength_lut/1"


@pytest.fixture(scope="module")
def dream(module_kafka_broker):
    bootstrap = module_kafka_broker.bootstrap
    assert create_instrument_topics(get_instrument("dream"), bootstrap).ok
    proc = start_service("timeseries", bootstrap, "dream")
    try:
        missing = wait_for_services("dream", bootstrap, ["timeseries"], timeout=90)
        assert not missing, f"no heartbeat:\n{service_output(proc)}"
        yield bootstrap, proc
    finally:
        stop_service(proc)


def results(messages, job_id: JobId) -> dict[str, list[sc.DataArray]]:
    out: dict[str, list[sc.DataArray]] = {}
    for topic, m in messages:
        if topic != "dream_livedata_data":
            continue
        key = ResultKey.from_json(m.stream.name)
        if key.job_id == job_id:
            out.setdefault(key.output_name, []).append(m.value)
    return out


def answers(messages, message_id: str) -> list:
    return [
        m.value
        for t, m in messages
        if t == "dream_livedata_responses" and m.value.message_id == message_id
    ]


def check_outputs(outputs: dict[str, list[sc.DataArray]], params=None) -> None:
    """The facility's output names, with the spec's dims, units and sizes."""
    spec = get_instrument("dream").workflows.spec(WorkflowId.parse_str(WORKFLOW))
    assert sorted(outputs) == sorted(entry(WORKFLOW)["outputs"])
    for name, template in spec.outputs_for(params).items():
        da = outputs[name][-1]
        assert da.dims == template.dims, name
        assert da.unit == sc.Unit(template.unit), name
        for size, expected in zip(da.shape, template.shape, strict=True):
            assert size > 0 and expected in (None, size), name
        for coord, ct in template.coords.items():
            assert da.coords[coord].dims == ct.dims, (name, coord)
            assert da.coords[coord].unit == sc.Unit(ct.unit), (name, coord)
        assert sc.isfinite(da.data).any().value, name


def test_dashboard_command_gets_both_outputs_without_any_data(dream):
    bootstrap, proc = dream
    listener = Listener(bootstrap, "dream")
    try:
        document = dashboard_config(WORKFLOW, "chopper_cascade")
        assert document["aux_source_names"] == {}
        produce(bootstrap, [as_record(document, "dream")])
        found = listener.wait_for(lambda ms: answers(ms, document["message_id"]), 30)
        assert [a.response.value for a in found] == ["ACK"], found[0].message
        job = JobId.model_validate(document["job_id"])
        try:
            listener.wait_for(lambda ms: len(results(ms, job)) == 2, timeout=60)
        except AssertionError:
            raise AssertionError(service_output(proc)) from None
        first = results(listener.snapshot(), job)
        check_outputs(first)
        lut = first["wavelength_lut"][-1]
        # The facility's defaults: 5-30 m in 0.1 m (padded), 250 μs over 71.4 ms.
        assert lut.coords["distance"].min().value < 5.0 < 30.0
        assert lut.coords["distance"].max().value > 30.0
        assert lut.sizes["event_time_offset"] == 287
        bands = first["chopper_cascade_bands"][-1]
        assert bands.sizes["event_time_offset"] == 1000

        # Honest health: the job is active with no warning, the service OK,
        # though it never saw a data message.
        def beats(ms):
            jobs = [m.value for _, m in ms if isinstance(m.value, JobStatus)]
            mine = [s for s in jobs if s.job_id == job]
            services = [m.value for _, m in ms if isinstance(m.value, ServiceStatus)]
            return (mine[-1], services[-1]) if mine and services else None

        time.sleep(4.5)  # two more heartbeats
        status, service = listener.wait_for(beats, timeout=10)
        assert status.state is JobState.ACTIVE and status.warning is None
        assert service.counters.get("job_results", 0) >= 1
        verdict = derive_health(
            service,
            age_s=0.0,
            stale_after_s=10,
            dead_after_s=30,
            recent=service.counters,
        )
        assert verdict.health is Health.OK, verdict.reason
        # Computed once: no repeat while nothing changes.
        assert len(results(listener.snapshot(), job)["wavelength_lut"]) == 1

        env = {"LIVEDATA_KAFKA_BOOTSTRAP": bootstrap}
        reset = run_cli("job", "reset", "--instrument", "dream", str(job), env=env)
        assert reset.returncode == ExitCode.OK, reset.stderr
        listener.wait_for(
            lambda ms: len(results(ms, job).get("wavelength_lut", [])) == 2, 30
        )
    finally:
        listener.close()


def test_cli_start_by_name_publishes_the_table(dream):
    bootstrap, _ = dream
    listener = Listener(bootstrap, "dream")
    try:
        env = {"LIVEDATA_KAFKA_BOOTSTRAP": bootstrap}
        started = run_cli(
            *("job", "start", "--instrument", "dream", "--workflow", "wavelength_lut"),
            *(
                "--param",
                "time_resolution.value=500",
                "--param",
                "distance_range.stop=80",
            ),
            *("--param", "cascade_bands.distances=10,76.55"),
            *("--param", "cascade_bands.num_bins=200"),
            "--replace",  # the first test's job runs on
            env=env,
        )
        assert started.returncode == ExitCode.OK, started.stderr
        job = JobId.model_validate(started.stdout.strip())
        assert job.source_name == "chopper_cascade"
        listener.wait_for(lambda ms: len(results(ms, job)) == 2, timeout=60)
        outputs = results(listener.snapshot(), job)
        params = {
            "cascade_bands": {"distances": "10,76.55", "num_bins": 200},
            "time_resolution": {"value": 500.0},
            "distance_range": {"stop": 80.0},
        }
        check_outputs(outputs, params)
        bands = outputs["chopper_cascade_bands"][-1]
        assert bands.coords["distance"].values.tolist() == [10.0, 76.55]
        assert bands.sizes["event_time_offset"] == 200
        assert outputs["wavelength_lut"][-1].coords["distance"].max().value > 80.0
        stopped = run_cli("job", "stop", "--instrument", "dream", str(job), env=env)
        assert stopped.returncode == ExitCode.OK, stopped.stderr
    finally:
        listener.close()
