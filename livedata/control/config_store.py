"""Staged and committed workflow configs of one instrument, kept on disk (D8, G5).

A console restarted mid-experiment should offer the parameters the operator last
used. One JSON file per instrument, written atomically (temp file in the same
directory, then ``os.replace``) so a crash never leaves half a file. It can be
seeded from the commands topic (latest command per key) when the file is new.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core.commands import JobCommand, WorkflowConfig
from .atomic_json import write_json_atomically

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "livedata"


@dataclass(frozen=True)
class StoredConfig:
    """What is needed to (re)start a workflow: sources, params and aux streams."""

    source_names: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    aux_source_names: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "source_names": list(self.source_names),
            "params": dict(self.params),
            "aux_source_names": dict(self.aux_source_names),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> StoredConfig:
        return cls(
            source_names=tuple(doc.get("source_names", ())),
            params=dict(doc.get("params", {})),
            aux_source_names=dict(doc.get("aux_source_names", {})),
        )


@dataclass(frozen=True)
class WorkflowRecord:
    """One workflow in the store: the form's staged config, the last committed
    (started) one, and the jobs that commit started."""

    staged: StoredConfig | None = None
    committed: StoredConfig | None = None
    job_ids: tuple[str, ...] = ()  # jobs started by the last commit

    def to_json(self) -> dict[str, Any]:
        return {
            "staged": None if self.staged is None else self.staged.to_json(),
            "committed": None if self.committed is None else self.committed.to_json(),
            "job_ids": list(self.job_ids),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> WorkflowRecord:
        staged, committed = doc.get("staged"), doc.get("committed")
        return cls(
            staged=None if staged is None else StoredConfig.from_json(staged),
            committed=None if committed is None else StoredConfig.from_json(committed),
            job_ids=tuple(doc.get("job_ids", ())),
        )


class ConfigStore:
    """The per-instrument JSON file of workflow records, rewritten atomically."""

    def __init__(self, instrument: str, state_dir: str | Path | None = None) -> None:
        self.instrument = instrument
        directory = Path(state_dir) if state_dir is not None else default_state_dir()
        self.path = directory / f"{instrument}.json"
        self.write_errors = 0
        self._records = self._load()

    def _load(self) -> dict[str, WorkflowRecord]:
        try:
            doc = json.loads(self.path.read_text())
            return {
                wid: WorkflowRecord.from_json(rec)
                for wid, rec in doc.get("workflows", {}).items()
            }
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, AttributeError) as error:
            logger.warning("ignoring unreadable config store %s: %s", self.path, error)
            return {}

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def records(self) -> dict[str, WorkflowRecord]:
        return dict(self._records)

    def get(self, workflow_id: str) -> WorkflowRecord | None:
        return self._records.get(workflow_id)

    def put(
        self,
        workflow_id: str,
        *,
        staged: StoredConfig | None = None,
        committed: StoredConfig | None = None,
        job_ids: Iterable[str] | None = None,
    ) -> WorkflowRecord:
        """Update one workflow's record (fields left ``None`` are kept) and save."""
        record = self._records.get(workflow_id, WorkflowRecord())
        if staged is not None:
            record = replace(record, staged=staged)
        if committed is not None:
            record = replace(record, committed=committed)
        if job_ids is not None:
            record = replace(record, job_ids=tuple(job_ids))
        self._records[workflow_id] = record
        self.save()
        return record

    def seed(self, commands: Iterable[WorkflowConfig | JobCommand]) -> int:
        """Fill workflows this store does not know from replayed commands.

        ``commands`` are the latest per key (one config per workflow and source);
        returns how many workflows were added.
        """
        found: dict[str, StoredConfig] = {}
        jobs: dict[str, list[str]] = {}
        for command in commands:
            if not isinstance(command, WorkflowConfig):
                continue
            wid = str(command.identifier)
            if wid in self._records:
                continue
            previous = found.get(wid, StoredConfig())
            found[wid] = StoredConfig(
                source_names=(*previous.source_names, command.job_id.source_name),
                params=dict(command.params),
                aux_source_names=dict(command.aux_source_names),
            )
            jobs.setdefault(wid, []).append(str(command.job_id))
        for wid, config in found.items():
            self._records[wid] = WorkflowRecord(config, config, tuple(jobs[wid]))
        if found:
            self.save()
        return len(found)

    def save(self) -> bool:
        """Write atomically; a failure is logged and counted, never raised."""
        doc = {
            "format": FORMAT_VERSION,
            "instrument": self.instrument,
            "workflows": {wid: r.to_json() for wid, r in self._records.items()},
        }
        try:
            write_json_atomically(self.path, doc)
        except OSError as error:
            self.write_errors += 1
            logger.warning("cannot save config store %s: %s", self.path, error)
            return False
        return True
