"""Edited grids, kept per instrument on disk and restored on restart (F6, D9).

One JSON file per instrument (``<state dir>/plots/<instrument>.json``) holds
the edited version of each template and the template last picked. Writes are
atomic (temp file in the same directory, then ``os.replace``). A file that
cannot be read or no longer validates is never dropped silently: it is moved
aside (``<name>.corrupt-<time>``), ``problem`` says so in one line, and the
shipped templates are used.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

from pydantic import ValidationError

from ..control.atomic_json import write_json_atomically
from ..control.config_store import default_state_dir
from ..instruments.grid import GridTemplate

logger = logging.getLogger(__name__)
FORMAT_VERSION = 1


class GridStore:
    def __init__(self, instrument: str, state_dir: str | Path | None = None) -> None:
        directory = Path(state_dir) if state_dir is not None else default_state_dir()
        self.instrument = instrument
        self.path = directory / "plots" / f"{instrument}.json"
        self.problem: str | None = None
        self.write_errors = 0
        self._lock = threading.Lock()
        self._grids: dict[str, GridTemplate] = {}
        self._selected: str | None = None
        self._load()

    def _load(self) -> None:
        try:
            doc = json.loads(self.path.read_text())
            if not isinstance(doc, dict) or not isinstance(doc.get("grids", {}), dict):
                raise ValueError("not a grid store document")
            self._grids = {
                name: GridTemplate.model_validate(grid)
                for name, grid in doc.get("grids", {}).items()
            }
            selected = doc.get("selected")
            self._selected = selected if isinstance(selected, str) else None
        except FileNotFoundError:
            return
        except (OSError, ValueError, TypeError, ValidationError) as error:
            reason = str(error).splitlines()[0]
            aside = self.path.with_name(
                f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}"
            )
            try:
                os.replace(self.path, aside)
                kept = f"kept as {aside}"
            except OSError:
                kept = "left in place"
            self.problem = (
                f"saved grids in {self.path} are unreadable ({reason}); "
                f"using the shipped templates; the file is {kept}"
            )
            logger.error("%s", self.problem)
            self._grids, self._selected = {}, None

    def grid(self, name: str) -> GridTemplate | None:
        with self._lock:
            return self._grids.get(name)

    def grids(self) -> dict[str, GridTemplate]:
        with self._lock:
            return dict(self._grids)

    @property
    def selected(self) -> str | None:
        return self._selected

    def save(self, grid: GridTemplate, *, select: bool = True) -> bool:
        with self._lock:
            self._grids[grid.name] = grid
            if select:
                self._selected = grid.name
            return self._write()

    def select(self, name: str) -> bool:
        with self._lock:
            self._selected = name
            return self._write()

    def forget(self, name: str) -> bool:
        """Back to the shipped template of that name."""
        with self._lock:
            self._grids.pop(name, None)
            return self._write()

    def _write(self) -> bool:
        doc = {
            "format": FORMAT_VERSION,
            "instrument": self.instrument,
            "selected": self._selected,
            "grids": {n: g.model_dump(mode="json") for n, g in self._grids.items()},
        }
        try:
            write_json_atomically(self.path, doc)
        except OSError as error:
            self.write_errors += 1
            logger.warning("cannot save grids %s: %s", self.path, error)
            return False
        return True
