"""Reading the facility's contract files (copied into ``tests/contract/peer``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

PEER = Path(__file__).parent / "peer"
INSTRUMENTS = ("dummy", "dream", "loki", "bifrost", "tbl")
ROI_ROLES = {"roi_rectangle", "roi_polygon"}


@cache
def workflows(instrument: str) -> dict[str, dict[str, Any]]:
    """The facility's workflows of ``instrument`` by id string."""
    return json.loads((PEER / f"workflows-{instrument}.json").read_text("utf-8"))


@cache
def streams() -> dict[str, Any]:
    return json.loads((PEER / "streams.json").read_text("utf-8"))


def all_workflow_ids() -> list[str]:
    return [wid for inst in INSTRUMENTS for wid in workflows(inst)]


def entry(workflow_id: str) -> dict[str, Any]:
    return workflows(workflow_id.split("/")[0])[workflow_id]


def aux_roles(workflow_id: str) -> dict[str, str]:
    """The aux roles the facility's dashboard sends, with their default streams."""
    aux = entry(workflow_id)["aux"] or {}
    return {role: spec["default"] for role, spec in aux.items()}
