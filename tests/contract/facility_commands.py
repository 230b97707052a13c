"""Commands exactly as the facility's dashboard sends them, built from the contract.

Its dashboard sends the full params dump (the defaults, unless an operator
changed them), the aux roles of the workflow (``roi_rectangle``/``roi_polygon``
for detector views), always a string ``message_id``, and no Kafka key.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from livedata.core.stream import StreamKind
from livedata.kafka.raw import RawMessage
from livedata.kafka.stream_mapping import livedata_topic

from .peer_contract import aux_roles, entry


def dashboard_config(
    workflow_id: str, source: str, *, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON document of one ``WorkflowConfig`` as the facility's dashboard
    builds it; ``extra`` adds top-level params fields (a newer dashboard's)."""
    instrument, name, version = workflow_id.split("/")
    return {
        "kind": "workflow_config",
        "identifier": {"instrument": instrument, "name": name, "version": int(version)},
        "message_id": str(uuid.uuid4()),
        "job_id": {"source_name": source, "job_number": str(uuid.uuid4())},
        "schedule": {"start_time": None, "end_time": None},
        "aux_source_names": aux_roles(workflow_id),
        "params": {**copy.deepcopy(entry(workflow_id)["defaults"]), **(extra or {})},
    }


def as_record(
    document: dict[str, Any], instrument: str = "dummy", timestamp_ms: int = 0
) -> RawMessage:
    """The Kafka record: UTF-8 JSON (``μs`` as itself, not escaped), no key."""
    topic = livedata_topic(instrument, StreamKind.LIVEDATA_COMMANDS)
    value = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return RawMessage(topic, value, None, timestamp_ms)
