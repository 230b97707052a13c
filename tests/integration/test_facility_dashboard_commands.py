"""The facility dashboard's commands, byte for byte, to livedata's services as
real processes on the embedded broker (issue 12): built from the contract files
(defaults, ROI aux roles, an unknown extra field), sent with no Kafka key; ACKs
come back, results carry the facility's output names, and an id no livedata
service implements gets exactly one ERR. The monitor service runs with the
production (PROD) names and reads the facility's ``cbm1``; a TBL detector
service with PROD names reads the facility's nGEM, He-3 and Orca topics for
its views."""

import time

import numpy as np
import pytest

from livedata.control.quick import wait_for_services
from livedata.core.identifiers import JobId, ResultKey
from livedata.core.status import JobStatus
from livedata.core.timestamp import NS_PER_S, PULSE_PERIOD
from livedata.instruments import get_instrument
from livedata.kafka.wire_builders import ad00_message, ev44_message, f144_message
from livedata.services.topics import create_instrument_topics
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

SERVICES = ("detector_data", "monitor_data", "timeseries", "data_reduction")


@pytest.fixture(scope="module")
def services(bootstrap):
    procs = {
        name: start_service(name, bootstrap, dev=name != "monitor_data")
        for name in SERVICES
    }
    missing = wait_for_services("dummy", bootstrap, list(procs), timeout=90)
    assert not missing, f"no heartbeat from {missing}"
    yield procs
    for proc in procs.values():
        stop_service(proc)


def responses(messages, message_id, instrument="dummy"):
    return [
        m.value
        for t, m in messages
        if t == f"{instrument}_livedata_responses" and m.value.message_id == message_id
    ]


def outputs_of(messages, job_id, instrument="dummy"):
    return {
        ResultKey.from_json(m.stream.name).output_name
        for t, m in messages
        if t == f"{instrument}_livedata_data"
        and ResultKey.from_json(m.stream.name).job_id == job_id
    }


def raw_data(t0: int) -> list:
    rng = np.random.default_rng(3)
    raws = []
    for i in range(28):
        when = t0 + i * PULSE_PERIOD.ns
        toa = rng.integers(0, 70_000_000, 2000)
        pixels = rng.integers(1, 128 * 128 + 1, toa.size)
        raws.append(ev44_message("dummy_detector", "panel_0", when, pixels, toa))
        # The facility's PROD source name of monitor1.
        raws.append(ev44_message("dummy_beam_monitor", "cbm1", when, None, toa))
        if i % 7 == 0:
            raws.append(f144_message("dummy_motion", "motion1", when, float(i)))
            frame = rng.poisson(0.05, (256, 256)).astype(np.int32)
            raws.append(ad00_message("dummy_area_detector", "area_panel", when, frame))
    end = t0 + 3 * NS_PER_S
    raws += [
        ev44_message("dummy_detector", "panel_0", end, [1], [0]),
        ad00_message("dummy_area_detector", "area_panel", end, np.zeros((256, 256))),
        ev44_message("dummy_beam_monitor", "cbm1", end, None, [0]),
        f144_message("dummy_motion", "motion1", end, 99.0),
    ]
    return raws


def test_dashboard_commands_get_acks_and_facility_named_results(bootstrap, services):
    listener = Listener(bootstrap)
    try:
        view = dashboard_config(
            "dummy/panel_0_xy/1", "panel_0", extra={"newer_dashboard_field": 1}
        )
        assert set(view["aux_source_names"]) == {"roi_rectangle", "roi_polygon"}
        documents = [
            view,
            dashboard_config("dummy/monitor_histogram/1", "monitor1"),
            dashboard_config("dummy/timeseries_data/1", "motion1"),
            dashboard_config("dummy/total_counts/1", "panel_0"),
            dashboard_config("dummy/panel_0_layers/1", "panel_0"),
            dashboard_config("dummy/area_panel_xy/1", "area_panel"),
        ]
        produce(bootstrap, [as_record(d) for d in documents])
        for document in documents:
            found = listener.wait_for(
                lambda ms, d=document: responses(ms, d["message_id"]), timeout=30
            )
            assert [a.response.value for a in found] == ["ACK"], found[0].message

        produce(
            bootstrap, raw_data((time.time_ns() - 20 * NS_PER_S) // NS_PER_S * NS_PER_S)
        )
        for document in documents:
            job = JobId.model_validate(document["job_id"])
            expected = set(entry(_id(document))["outputs"])
            listener.wait_for(
                lambda ms, j=job, e=expected: outputs_of(ms, j) >= e, timeout=40
            )
            assert outputs_of(listener.snapshot(), job) == expected

        view_job = JobId.model_validate(view["job_id"])
        warnings = listener.wait_for(
            lambda ms: [
                m.value.warning
                for t, m in ms
                if isinstance(m.value, JobStatus)
                and m.value.job_id == view_job
                and m.value.warning
            ],
            timeout=10,
        )
        assert "newer_dashboard_field" in warnings[-1]
    finally:
        listener.close()


def test_an_id_no_livedata_service_implements_gets_exactly_one_err(bootstrap, services):
    listener = Listener(bootstrap)
    try:
        document = dashboard_config("dummy/panel_0_xy/1", "panel_0")
        document["identifier"]["version"] = 7  # no livedata service has it
        produce(bootstrap, [as_record(document)])
        found = listener.wait_for(
            lambda ms: responses(ms, document["message_id"]), timeout=20
        )
        time.sleep(2.0)  # a second answer from another service would be here now
        found = responses(listener.snapshot(), document["message_id"])
        assert [a.response.value for a in found] == ["ERR"]
        assert "dummy/panel_0_xy/7" in found[0].message
    finally:
        listener.close()


def _id(document) -> str:
    ident = document["identifier"]
    return f"{ident['instrument']}/{ident['name']}/{ident['version']}"


def tbl_prod_data(t0: int) -> list:
    """Two seconds of the facility's PROD TBL streams, then a closing message."""
    rng = np.random.default_rng(5)
    raws = []
    for i in range(29):
        when = t0 + i * PULSE_PERIOD.ns
        toa = rng.integers(0, 70_000_000, 500)
        ngem = rng.integers(200_001, 200_001 + 128 * 128, toa.size)
        he3 = rng.integers(1025, 1025 + 1024, toa.size)  # bank 1
        raws.append(ev44_message("tbl_detector_ngem", "tbl-ngem", when, ngem, toa))
        raws.append(ev44_message("tbl_detector_3he", "bank1", when, he3, toa))
        if i % 7 == 0:
            frame = rng.poisson(0.01, (2048, 2048)).astype(np.uint16)
            raws.append(
                ad00_message("tbl_area_detector_orca", "hama_kfk1", when, frame)
            )
    return raws


def test_tbl_views_under_the_facilitys_ids_read_the_prod_topics(module_kafka_broker):
    bootstrap = module_kafka_broker.bootstrap
    assert create_instrument_topics(get_instrument("tbl"), bootstrap).ok
    proc = start_service("detector_data", bootstrap, "tbl", dev=False)
    listener = Listener(bootstrap, "tbl")
    try:
        missing = wait_for_services("tbl", bootstrap, ["detector_data"], timeout=90)
        assert not missing, "no heartbeat from the TBL detector service"
        documents = [
            dashboard_config("tbl/ngem_detector_view/1", "ngem_detector"),
            dashboard_config("tbl/he3_detector_view/1", "he3_detector_bank1"),
            dashboard_config("tbl/tbl_area_detector_orca/1", "orca_detector"),
        ]
        assert set(documents[0]["aux_source_names"]) == {"roi_rectangle", "roi_polygon"}
        produce(bootstrap, [as_record(d, "tbl") for d in documents])
        for document in documents:
            found = listener.wait_for(
                lambda ms, d=document: responses(ms, d["message_id"], "tbl"),
                timeout=30,
            )
            assert [a.response.value for a in found] == ["ACK"], found[0].message
        # Data keep coming, as from an instrument: a service whose consumer
        # took its start offset late under load still gets the next seconds.
        t0 = (time.time_ns() - 20 * NS_PER_S) // NS_PER_S * NS_PER_S
        deadline = time.monotonic() + 120  # a fresh cache may build numba kernels
        for document in documents:
            job = JobId.model_validate(document["job_id"])
            expected = set(entry(_id(document))["outputs"])
            try:
                while True:
                    produce(bootstrap, tbl_prod_data(t0))
                    t0 += 3 * NS_PER_S
                    try:
                        listener.wait_for(
                            lambda ms, j=job, e=expected: outputs_of(ms, j, "tbl") >= e,
                            timeout=max(0.1, min(10.0, deadline - time.monotonic())),
                        )
                        break
                    except AssertionError:
                        if time.monotonic() >= deadline:
                            raise
            except AssertionError as error:
                seen = outputs_of(listener.snapshot(), job, "tbl")
                raise AssertionError(
                    f"{_id(document)}: {sorted(seen)}\n{service_output(proc)}"
                ) from error
            assert outputs_of(listener.snapshot(), job, "tbl") == expected
    finally:
        listener.close()
        stop_service(proc)
