"""livedata's workflow ids against the facility's registry (issue 12, docs/wire.md).

A workflow id means one thing on the whole wire: for every id the facility
registers, livedata either implements it with the same params schema, outputs,
sources and owning service, or does not claim it.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from livedata.core.identifiers import WorkflowId
from livedata.core.workflow_spec import WorkflowSpec
from livedata.instruments import get_instrument

from .peer_contract import INSTRUMENTS, ROI_ROLES, all_workflow_ids, entry

IGNORED_KEYS = {"title", "description", "labels", "additionalProperties"}


def _spec(workflow_id: str) -> WorkflowSpec | None:
    wid = WorkflowId.parse_str(workflow_id)
    return get_instrument(wid.instrument).workflows.spec(wid)


def claimed_ids() -> list[str]:
    return [wid for wid in all_workflow_ids() if _spec(wid) is not None]


def _normalise(schema: Any, root: dict[str, Any]) -> Any:
    """A schema with ``$ref`` resolved, single-value ``const`` as ``enum`` and
    the presentational keys dropped: what a sender and a receiver must share."""
    if isinstance(schema, list):
        return [_normalise(item, root) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target = root["$defs"][schema["$ref"].split("/")[-1]]
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return _normalise({**target, **rest}, root)
    out = {}
    for key, value in schema.items():
        if key in IGNORED_KEYS or key == "$defs":
            continue
        if key == "const":
            out["enum"] = [value]
            continue
        out[key] = _normalise(value, root)
    return out


def test_livedata_claims_facility_ids_only_with_their_meaning() -> None:
    facility = set(all_workflow_ids())
    for name in INSTRUMENTS:
        for spec in get_instrument(name).workflows.specs():
            if str(spec.workflow_id) in facility:
                assert spec.facility, f"{spec.workflow_id} claims a facility id"
            else:
                assert not spec.facility, f"{spec.workflow_id} is no facility id"


def test_the_15_shared_names_keep_livedatas_own_variant_at_version_2() -> None:
    moved = {
        "dummy/area_panel_xy", "dummy/monitor_histogram", "dummy/panel_0_xy",
        "dummy/timeseries_data", "dummy/total_counts", "dream/monitor_histogram",
        "dream/timeseries_data", "loki/i_of_q", "loki/monitor_histogram",
        "loki/timeseries_data", "bifrost/detector_ratemeter",
        "bifrost/monitor_histogram", "bifrost/timeseries_data",
        "tbl/monitor_histogram", "tbl/timeseries_data",
    }  # fmt: skip
    for name in moved:
        own = _spec(f"{name}/2")
        assert own is not None and not own.facility, name


@pytest.mark.parametrize("workflow_id", claimed_ids())
def test_params_schema_names_nesting_enums_units_and_defaults(workflow_id) -> None:
    spec, facts = _spec(workflow_id), entry(workflow_id)
    theirs = facts["params_schema"]
    if spec.params is None:
        assert theirs["properties"] == {} and facts["defaults"] == {}
        return
    ours = spec.params.model_json_schema()
    assert _normalise(ours, ours) == _normalise(theirs, theirs)


@pytest.mark.parametrize("workflow_id", claimed_ids())
def test_defaults_validate_on_both_sides(workflow_id) -> None:
    spec, facts = _spec(workflow_id), entry(workflow_id)
    theirs = facts["defaults"]
    ours = spec.params().model_dump(mode="json") if spec.params else {}
    jsonschema.validate(ours, facts["params_schema"])  # the facility accepts ours
    jsonschema.validate(theirs, facts["params_schema"])
    assert spec.validate_params(theirs) == spec.validate_params(ours)
    assert ours == theirs


@pytest.mark.parametrize("workflow_id", claimed_ids())
def test_outputs_sources_service_and_aux_roles(workflow_id) -> None:
    spec, facts = _spec(workflow_id), entry(workflow_id)
    assert list(spec.outputs) == facts["outputs"]
    assert list(spec.outputs_for(facts["defaults"])) == facts["outputs"]
    assert list(spec.source_names) == facts["source_names"]
    # The owning service answers its commands; the facility's "group" is where
    # its dashboard lists the workflow, the owner but for ``wavelength_lut``
    # (listed with the reductions, run by the timeseries service).
    assert spec.namespace == facts["service"]
    if not workflow_id.endswith("/wavelength_lut/1"):
        assert facts["group"] == facts["service"]
    roles = set(facts["aux"] or {})
    assert spec.accepts_roi == bool(roles & ROI_ROLES)
    assert set(spec.aux_inputs) == roles - ROI_ROLES


def test_the_facility_spelling_of_units_is_the_only_one() -> None:
    spec = _spec("dummy/monitor_histogram/1")
    with pytest.raises(ValueError):  # U+00B5 MICRO SIGN, livedata's old spelling
        spec.validate_params({"toa_range": {"unit": "\u00b5s"}})
    params = spec.validate_params({"toa_range": {"unit": "\u03bcs"}})
    assert params.toa_range.unit == "\u03bcs"
    with pytest.raises(ValueError):  # a plain string where an object belongs
        spec.validate_params({"coordinate_mode": "time_of_arrival"})


def test_every_facility_id_is_claimed() -> None:
    """All 38 ids the facility registers for the five instruments mean the
    same here (``wavelength_lut`` was the last four)."""
    assert sorted(set(all_workflow_ids()) - set(claimed_ids())) == []
    assert len(claimed_ids()) == len(all_workflow_ids()) == 38
