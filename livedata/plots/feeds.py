"""Feeds: one computed plotter state per layer binding, shared by sessions (D2, D3).

A ``Feed`` binds a grid layer (workflow, output, sources) and a plotter with its
params to the data service. The background ``Updater`` thread refreshes every
feed some session holds when the data service's version moved: it extracts the
layer's frames, runs the plotter's compute once, and bumps the feed's version.
Sessions read ``feed.version`` (dirty flag by version) when the updater tells
them a pass recomputed feeds (they schedule a render on the server's event
loop, nothing more crosses threads) and in their periodic callback. Feeds are reference-counted: a feed no
session holds is dropped. A plotter may read more than its layer's output
(``PlotterSpec.inputs``: a correlation's axes, the polygon half of an ROI
readback); those are resolved to result keys the same way and passed to its
compute as ``extra``.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.identifiers import ResultKey
from ..core.metrics import Counters
from . import correlation_plot, overlay_layers
from .compute import COMPUTE as BASIC
from .latency import StageLags
from .specs import Input, plotter

if TYPE_CHECKING:
    from ..control.data_service import DataService
    from ..instruments.grid import Layer

logger = logging.getLogger(__name__)
WAKE_CHECK_S = 0.1  # how soon a waiting updater notices a new feed or a stop
# Stage 1 of every plotter drawn from data (static and request layers have none).
COMPUTE: dict[str, Callable[..., Any]] = {
    **BASIC,
    "correlation": correlation_plot.compute,
    "roi_readback": overlay_layers.readback,
}


@dataclass(frozen=True)
class FeedKey:
    """What makes two layers draw the same: data binding, plotter and params."""

    workflow_id: str
    output: str
    source_names: tuple[str, ...]
    plotter: str
    params_json: str = "{}"

    @classmethod
    def of(cls, layer: Layer, params: dict[str, Any] | None = None) -> FeedKey:
        merged = {**layer.plotter_params, **(params or {})}
        spec = plotter(str(layer.plotter))
        model = spec.validate(merged)
        return cls(
            layer.workflow_id,
            layer.output,
            tuple(layer.source_names),
            spec.name,
            json.dumps(model.model_dump(mode="json"), sort_keys=True),
        )

    @property
    def params(self) -> Any:
        return plotter(self.plotter).validate(json.loads(self.params_json))


class Feed:
    """The latest state of one feed; written by the updater, read by sessions."""

    def __init__(self, key: FeedKey) -> None:
        self.key = key
        self.spec = plotter(key.plotter)
        self.params = key.params
        self.version = 0
        self.state: Any = None
        self.error: str | None = None
        self.sources_seen: tuple[str, ...] = ()
        self.compute_s = 0.0  # time of the last compute (benchmarks)
        self.keys: dict[str, str] = {}  # source -> the result key drawn
        self.inputs: tuple[Input, ...] = ()
        if self.spec.inputs is not None:
            self.inputs = self.spec.inputs(
                key.workflow_id, key.output, key.source_names, self.params
            )
        self._seen: dict[str, int] = {}

    def matching(self, data: DataService) -> dict[str, str]:
        """Source name -> the newest result key of this layer's output."""
        return _newest(
            data, self.key.workflow_id, self.key.output, self.key.source_names
        )

    def job_of(self, source: str) -> Any:
        """The ``JobId`` whose result of ``source`` was drawn last, or None."""
        name = self.keys.get(source)
        return None if name is None else ResultKey.from_json(name).job_id

    def _input_keys(self, data: DataService, keys: dict[str, str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for extra in self.inputs:
            job = None
            if extra.same_job:
                own = keys.get(extra.source_name)
                if own is None:
                    continue
                job = ResultKey.from_json(own).job_id
            found = _newest(
                data, extra.workflow_id, extra.output, (extra.source_name,), job
            )
            if extra.source_name in found:
                out[extra.role] = found[extra.source_name]
        return out

    def refresh(self, data: DataService) -> bool:
        """Recompute when a matching result changed; True if the state moved."""
        from ..control.extractors import FullHistory, LatestValue

        keys = self.matching(data)
        inputs = self._input_keys(data, keys) if self.inputs else {}
        names = [*keys.values(), *inputs.values()]
        seen = {name: data.version_of(name) for name in names}
        if seen == self._seen:
            return False
        self._seen = seen
        extractor = FullHistory() if self.spec.history else LatestValue()
        frames = []
        for source, name in keys.items():
            da = data.get(name, extractor)
            if da is not None:
                frames.append((source, da))
        extra = {
            i.role: data.get(inputs[i.role], FullHistory() if i.history else None)
            for i in self.inputs
            if i.role in inputs
        }
        started = time.perf_counter()
        try:
            compute = COMPUTE[self.key.plotter]
            if not frames:
                state = None
            elif self.inputs:
                state = compute(frames, self.params, extra)
            else:
                state = compute(frames, self.params)
            error = None
        except Exception as err:  # a frame the plotter cannot draw: say so, go on
            state, error = None, f"{self.key.plotter}: {err}"
            logger.warning(
                "cannot plot %s/%s: %s", self.key.workflow_id, self.key.output, err
            )
        self.compute_s = time.perf_counter() - started
        self.state, self.error = state, error
        self.sources_seen = tuple(keys)
        self.keys = keys
        self.version += 1
        return True


@functools.lru_cache(maxsize=4096)
def _parse(name: str) -> ResultKey | None:
    """A result key from its JSON (cached: every pass reads every key, per feed)."""
    try:
        return ResultKey.from_json(name)
    except ValueError:
        return None


def _newest(
    data: DataService,
    workflow_id: str,
    output: str,
    sources: tuple[str, ...],
    job: Any = None,
) -> dict[str, str]:
    """Source -> the most recently updated result key of ``output`` (of ``job``
    when given), for the sources that have one."""
    best: dict[str, tuple[int, str]] = {}
    for name in data.keys():  # noqa: SIM118 - a DataService, not a dict
        key = _parse(name)
        if key is None:
            continue
        source = key.job_id.source_name
        if (
            key.output_name != output
            or source not in sources
            or str(key.workflow_id) != workflow_id
            or (job is not None and key.job_id != job)
        ):
            continue
        version = data.version_of(name)
        if source not in best or version > best[source][0]:
            best[source] = (version, name)
    return {s: best[s][1] for s in sources if s in best}


class Updater:
    """The one background thread that feeds all sessions (D15).

    It never runs in a browser callback; browser callbacks never wait for it
    (they read ``Feed.state``/``version``, plain attribute reads). It wakes
    when the data service stores a result, so a frame is computed as soon as
    it is there; after a pass that recomputed feeds it tells the listening
    sessions, which schedule their render on the server's event loop
    (publish-to-paint latency, issue 15). ``tick`` hooks (the session
    sweeper) run on the same thread.
    """

    def __init__(
        self,
        data: DataService,
        *,
        interval_s: float = 0.05,
        counters: Counters | None = None,
        lags: StageLags | None = None,
    ) -> None:
        self.data = data
        self.interval_s = interval_s
        self.counters = counters if counters is not None else Counters()
        self.lags = lags if lags is not None else StageLags()
        self._lock = threading.Lock()
        self._feeds: dict[FeedKey, Feed] = {}
        self._holds: dict[FeedKey, int] = {}
        self._ticks: list[Callable[[], None]] = []
        self._listeners: dict[object, Callable[[], None]] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_version = -1

    def acquire(self, key: FeedKey) -> Feed:
        with self._lock:
            feed = self._feeds.get(key)
            if feed is None:
                feed = self._feeds[key] = Feed(key)
                self._last_version = -1  # a new feed computes at the next pass
                self._wake.set()
            self._holds[key] = self._holds.get(key, 0) + 1
            return feed

    def release(self, key: FeedKey) -> None:
        with self._lock:
            held = self._holds.get(key, 0) - 1
            if held > 0:
                self._holds[key] = held
            else:
                self._holds.pop(key, None)
                self._feeds.pop(key, None)

    def feeds(self) -> tuple[Feed, ...]:
        with self._lock:
            return tuple(self._feeds.values())

    def on_tick(self, hook: Callable[[], None]) -> None:
        self._ticks.append(hook)

    def listen(self, owner: object, hook: Callable[[], None]) -> None:
        """Call ``hook`` on this thread after every pass that recomputed a
        feed (a session schedules its render: it must only schedule, never
        draw or wait); ``owner`` names it for :meth:`unlisten`."""
        with self._lock:
            self._listeners[owner] = hook

    def unlisten(self, owner: object) -> None:
        with self._lock:
            self._listeners.pop(owner, None)

    def run_once(self) -> int:
        """One pass: refresh every feed if the data moved; feeds recomputed."""
        version = self.data.version
        refreshed = 0
        if version != self._last_version:
            self._last_version = version
            for feed in self.feeds():
                if feed.refresh(self.data):
                    refreshed += 1
                    self.counters.increment("feed_computes")
                    self._note(feed)
        hooks = list(self._ticks)
        if refreshed:
            with self._lock:
                hooks += self._listeners.values()
        for hook in hooks:
            try:
                hook()
            except Exception as err:
                logger.warning("update hook failed: %s", err)
        return refreshed

    def _note(self, feed: Feed) -> None:
        """The new frame's arrival and compute, as lags behind its data time."""
        time_ms = getattr(feed.state, "time_ms", math.nan)
        arrived = [self.data.received_at(name) for name in feed.keys.values()]
        arrived = [at for at in arrived if at]
        if arrived:
            self.lags.note("received", time_ms, max(arrived))
        self.lags.note("computed", time_ms)

    def start(self) -> Updater:
        self._thread = threading.Thread(
            target=self._run, name="plots-updater", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as err:  # keep feeding the others
                self.counters.increment("update_errors")
                logger.warning("plot update failed: %s", err)
            self._wait()

    def _wait(self) -> None:
        """Until a result is stored (at once), a feed is added or the updater
        stops (within ``WAKE_CHECK_S``), or ``interval_s`` is over (tick hooks)."""
        deadline = time.monotonic() + self.interval_s
        while not self._wake.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            seen = self._last_version
            if self.data.wait_for_change(seen, min(left, WAKE_CHECK_S)) != seen:
                return
        self._wake.clear()
