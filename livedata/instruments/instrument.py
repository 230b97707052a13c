"""The instrument abstraction (A5, F1, G8): what a service needs to know about one.

Import-light on purpose: clients import every instrument's ``specs.py`` to list
workflows, so nothing here imports scipp, sciline, the ess packages or NumPy.
Heavy factories are imported by ``load_factories`` (phase 2 of A6), from the
module the loader names by convention.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.log_attributes import LogDataAttributes
from ..core.workflow_spec import WorkflowRegistry
from ..kafka.stream_mapping import StreamMapping
from .loader import INSTRUMENTS_PACKAGE, import_part, part_module

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class DetectorConfig:
    """An event detector: consecutive detector numbers folded into a logical shape."""

    name: str
    first_detector_number: int
    shape: tuple[int, ...]
    dims: tuple[str, ...]

    @property
    def n_pixels(self) -> int:
        n = 1
        for size in self.shape:
            n *= size
        return n

    def detector_numbers(self) -> np.ndarray:
        import numpy as np

        start = self.first_detector_number
        return np.arange(start, start + self.n_pixels, dtype=np.int32).reshape(
            self.shape
        )


@dataclass(frozen=True)
class AreaDetectorConfig:
    """A camera delivering dense frames (ad00)."""

    name: str
    shape: tuple[int, int]


@dataclass(frozen=True)
class Instrument:
    """Everything about one supported instrument; defined in its ``specs.py``."""

    name: str
    title: str
    workflows: WorkflowRegistry
    # Unset: ``DEV`` and ``PROD`` of the instrument's ``streams.py`` (the loader).
    dev_streams: StreamMapping | None = None
    prod_streams: StreamMapping | None = None
    detectors: Mapping[str, DetectorConfig] = field(default_factory=dict)
    monitors: Mapping[str, float] = field(default_factory=dict)
    area_detectors: Mapping[str, AreaDetectorConfig] = field(default_factory=dict)
    log_attributes: Mapping[str, LogDataAttributes] = field(default_factory=dict)
    source_to_sample_m: float = 76.55
    # Jobs ``livedata demo`` starts: (workflow name, source names).
    default_jobs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The package holding ``<name>/``; other than the default only in tests.
    package: str = field(default=INSTRUMENTS_PACKAGE, repr=False)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, repr=False, compare=False
    )

    def stream_mapping(self, dev: bool) -> StreamMapping:
        """The DEV (fakes) or PROD (facility) mapping of the raw streams (A8)."""
        given = self.dev_streams if dev else self.prod_streams
        if given is not None:
            return given
        module = import_part(self.name, "streams", self.package)
        if module is None:
            raise LookupError(f"instrument {self.name!r} has no streams module")
        return module.DEV if dev else module.PROD

    def services(self) -> set[str]:
        """The processing services (namespaces) this instrument's workflows need."""
        return {spec.namespace for spec in self.workflows.specs()}

    @property
    def unknown_workflow_service(self) -> str | None:
        """The one service that answers ERR for a workflow id of this instrument
        that none of its services implements (``data_reduction`` where there is
        one, else the first by name), so the sender hears exactly one refusal."""
        services = self.services()
        if "data_reduction" in services:
            return "data_reduction"
        return min(services) if services else None

    @property
    def factories_module(self) -> str:
        return part_module(self.name, "factories", self.package)

    def load_factories(self) -> None:
        """Import the heavy factories module once (idempotent, thread-safe)."""
        with self._lock:
            if import_part(self.name, "factories", self.package) is None:
                raise ModuleNotFoundError(
                    f"no module named {self.factories_module!r}",
                    name=self.factories_module,
                )
