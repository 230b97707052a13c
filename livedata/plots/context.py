"""What every session of one plot server shares: plane, data, feeds, templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..control.data_service import DataService
    from ..instruments.grid import GridTemplate
    from .feeds import Updater
    from .grid_store import GridStore
    from .latency import StageLags
    from .roi_tools import RoiOutbox
    from .sessions import SessionRegistry

UPDATE_PERIOD_MS = 100  # each session's periodic callback (D1)


@dataclass
class PlotContext:
    instrument: str
    plane: Any  # ControlApi: snapshot(), start_job(); None in page-only tests
    data: DataService
    updater: Updater
    sessions: SessionRegistry
    store: GridStore
    templates: dict[str, GridTemplate]  # the shipped ones, by name
    default_template: str | None = None
    period_ms: int = UPDATE_PERIOD_MS
    workflows: dict[str, Any] = field(default_factory=dict)  # id -> WorkflowSpec
    # Sends the ROI requests drawn in any session (None: no control plane).
    roi_outbox: RoiOutbox | None = None

    @property
    def lags(self) -> StageLags:
        """The server's stages of publish-to-paint latency (the updater's)."""
        return self.updater.lags

    def template(self, name: str) -> GridTemplate | None:
        """The edited version if saved, else the shipped one."""
        return self.store.grid(name) or self.templates.get(name)

    def template_names(self) -> list[str]:
        names = list(self.templates)
        names += [n for n in self.store.grids() if n not in self.templates]
        return names

    def first_template(self) -> str | None:
        for name in (self.default_template, self.store.selected):
            if name and self.template(name) is not None:
                return name
        names = self.template_names()
        return names[0] if names else None
