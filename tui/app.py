"""The console application: views as modes, a render tick, commands off the UI thread.

The app owns no state of the system: it polls ``ControlApi.version`` at the render
tick (2-4 Hz by default) and reads a snapshot only when that changed (or once a
second, so ages move), handing it to the visible screen; any number of updates
between two ticks cost one render. Commands are sent in thread workers (a Kafka
send may block) and never awaited: the plane tracks their answers and timeouts,
and the tick reports each outcome when a snapshot shows it resolved.

Screens never call the app: they post the requests of ``messages.py``, handled
here (the ``@on`` handlers below), and the app hands the visible screen a
``ConsoleState`` when it renders it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ScreenStackError
from textual.binding import Binding
from textual.css.query import NoMatches

from livedata.control.api import ControlApi
from livedata.control.job_ids import matching_jobs
from livedata.control.plots_process import PlotsLauncher
from livedata.control.snapshots import (
    ENDED_JOB_STATES,
    CommandOutcome,
    CommandRow,
    Health,
    JobRow,
    ResultRow,
    Snapshot,
)

from . import command_line
from . import formatting as fmt
from . import messages as req
from .keymap import KeymapError, unknown_ids
from .palette import ConsoleCommands
from .screens.base import LiveScreen, TableScreen
from .screens.commands import CommandsScreen
from .screens.detail import RecordScreen
from .screens.dialogs import ConfirmDialog, HelpScreen
from .screens.jobs import JobsScreen, job_detail
from .screens.lag import LagScreen
from .screens.logs import LogsScreen
from .screens.notifications import NotificationsScreen
from .screens.results import ResultScreen, ResultsScreen
from .screens.services import ServicesScreen
from .screens.start_job import StartJobScreen
from .screens.workflows import WorkflowsScreen
from .widgets.command_input import CommandLine
from .widgets.status_header import HeaderState

RATES_HZ = (0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 10.0)
FULL_REDRAW_S = 1.0  # ages and uptimes move even when nothing else does
READONLY_MESSAGE = "read-only console: start, stop and reset are disabled"
# The terminal went away (SSH dropped) or we were asked to stop: exit cleanly.
EXIT_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


class LivedataApp(App):
    """``LivedataApp(plane, workflows=specs)`` renders ``plane`` and sends its commands."""

    # Absolute: Textual resolves a relative path next to a subclass's module.
    CSS_PATH = str(Path(__file__).with_name("livedata.tcss"))
    TITLE = "livedata"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    MODES = {
        "services": ServicesScreen,
        "jobs": JobsScreen,
        "commands": CommandsScreen,
        "workflows": WorkflowsScreen,
        "results": ResultsScreen,
        "lag": LagScreen,
        "notifications": NotificationsScreen,
    }
    DEFAULT_MODE = "services"
    BINDINGS = [
        Binding("colon", "command_line", ":cmd", id="command"),
        # Esc then ':' typed quickly arrives as Alt+':' in a terminal (the Esc is
        # read as a meta prefix); it still means "command line".
        Binding("alt+colon", "command_line", ":cmd", show=False),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("space", "toggle_pause", "Pause", id="pause"),
        Binding("plus,equals_sign", "faster", "+Hz", show=False, id="refresh.faster"),
        Binding("minus", "slower", "-Hz", show=False, id="refresh.slower"),
        *(
            Binding(
                str(i), f"view('{view}')", view.title(), show=False, id=f"view.{view}"
            )
            for i, view in enumerate(command_line.VIEWS, start=1)
        ),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        plane: ControlApi,
        *,
        workflows: Sequence[Any] = (),
        readonly: bool = False,
        refresh_hz: float = 3.0,
        keymap: Mapping[str, str] | None = None,
        handle_signals: bool = False,
        exit_when: Callable[[], bool] | None = None,
        mouse: bool = True,
        plots: PlotsLauncher | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock_ns: Callable[[], int] = time.time_ns,
        logs_dir: Path | str | None = None,
    ) -> None:
        """``handle_signals``: SIGHUP/SIGTERM exit the app (the previous handlers
        are back once it unmounts); ``exit_when`` is asked at every tick (a demo's
        stop flag); ``mouse`` is what ``run()`` passes on (``--no-mouse``);
        ``logs_dir``: where the services' log files are (the demo's, or
        ``--logs``), which offers the ``:logs`` view."""
        super().__init__()
        unknown = unknown_ids(keymap or {}, binding_ids())
        if unknown:
            raise KeymapError(f"unknown binding id(s) in keymap: {', '.join(unknown)}")
        self.plane = plane
        self.plots = plots
        self.plots_url: str | None = None  # the last URL shown
        self.instrument = plane.instrument
        self.workflows = {str(spec.workflow_id): spec for spec in workflows}
        self.readonly = readonly
        self.logs_dir = Path(logs_dir) if logs_dir is not None else None
        self.refresh_hz = refresh_hz
        self.paused = False
        self.mouse = mouse
        self.snapshot = Snapshot(version=0)
        self.clock = clock
        self.wall_clock_ns = wall_clock_ns
        self.keymap_overrides = dict(keymap or {})
        self.render_count = 0  # snapshots read and rendered (coalescing is tested)
        self._handle_signals = handle_signals
        self._previous_handlers: dict[signal.Signals, Any] = {}
        self._exit_when = exit_when
        self._awaiting: dict[str, CommandRow] = {}  # sent, answer not yet shown
        self._shown_version = -1
        self._last_render = float("-inf")
        self._timer = None

    def run(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("mouse", self.mouse)
        return super().run(*args, **kwargs)

    # -- life cycle ---------------------------------------------------------
    def on_mount(self) -> None:
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            for sig in EXIT_SIGNALS:
                self._previous_handlers[sig] = signal.getsignal(sig)
                loop.add_signal_handler(sig, self.exit)
        self._start_timer()
        self.render_now()

    def on_unmount(self) -> None:
        """Give the signals back: asyncio would reset them to the default (kill)
        when its loop closes, and whoever started the console (the demo) still
        has to shut down gracefully after it."""
        if self.plots is not None:  # the console's plot server ends with it
            self.plots.stop()
        loop = asyncio.get_running_loop()
        for sig, previous in self._previous_handlers.items():
            loop.remove_signal_handler(sig)
            signal.signal(sig, previous if previous is not None else signal.SIG_DFL)
        self._previous_handlers.clear()

    def _start_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_interval(1.0 / self.refresh_hz, self.tick)

    @property
    def tick_interval_s(self) -> float | None:
        """The running render timer's interval (None before mount)."""
        return None if self._timer is None else self._timer._interval

    def clear_selection(self) -> None:
        # Textual 8.2: Inputs on mode screens clear the selection while the app
        # shuts down, after the screen stacks are gone; nothing to clear then.
        with contextlib.suppress(ScreenStackError):
            super().clear_selection()

    # -- rendering ----------------------------------------------------------
    def tick(self) -> None:
        """One render tick: read a snapshot only if something changed."""
        if self._exit_when is not None and self._exit_when():
            self.exit()
            return
        if self.paused:
            if self._awaiting:  # answers are reported even while paused
                self._report_answers(self.plane.snapshot())
            return
        stale = time.monotonic() - self._last_render >= FULL_REDRAW_S
        if self.plane.version != self._shown_version or stale:
            self.render_now()

    def render_now(self) -> None:
        """Render the visible screen now (the latest snapshot unless paused)."""
        if not self.paused:
            self.snapshot = self.plane.snapshot()
            self._shown_version = self.snapshot.version
            self._last_render = time.monotonic()
            self.render_count += 1
            if self._awaiting:
                self._report_answers(self.snapshot)
        try:
            screen = self.screen
        except ScreenStackError:
            return
        if not isinstance(screen, LiveScreen) or not screen.is_mounted:
            return
        try:
            screen.render_state(self.console_state())
            screen.show_header(self.header_state(screen))
        except NoMatches:  # the screen is still composing; the next tick renders
            pass

    def console_state(self) -> req.ConsoleState:
        """What a screen is told when it renders: the state goes down."""
        return req.ConsoleState(
            snapshot=self.snapshot,
            workflows=self.workflows,
            readonly=self.readonly,
            now=self.clock(),
            wall_ns=self.wall_clock_ns(),
        )

    # -- requests from screens (messages.REQUESTS) --------------------------
    @on(req.RenderNow)
    def _render_requested(self, _: req.RenderNow) -> None:
        self.render_now()

    @on(req.GoBack)
    def _back_requested(self, _: req.GoBack) -> None:
        self.action_go_back()

    @on(req.CloseCommandLine)
    def _close_command_line_requested(self, _: req.CloseCommandLine) -> None:
        self.close_command_line()

    @on(req.OpenScreen)
    def _screen_requested(self, request: req.OpenScreen) -> None:
        if isinstance(request.view, LiveScreen):
            request.view.state = self.console_state()
        self.push_screen(request.view)

    @on(req.OpenPlot)
    def _plot_requested(self, request: req.OpenPlot) -> None:
        self.open_plots(request.result)

    @on(req.OpenStartForm)
    def _start_form_requested(self, request: req.OpenStartForm) -> None:
        self.open_start_form(request.workflow_ref)

    @on(req.StartJob)
    def _start_requested(self, request: req.StartJob) -> None:
        self.start_job(
            request.workflow_id,
            request.source_names,
            request.params,
            request.aux_source_names,
        )

    @on(req.ConfirmJobs)
    def _confirmation_requested(self, request: req.ConfirmJobs) -> None:
        self.confirm_then(request.question, request.job_ids, request.kind)

    @on(req.CopyText)
    def _copy_requested(self, request: req.CopyText) -> None:
        self.copy_to_clipboard(request.text)
        self.notify(f"copied {request.what} {request.text}", timeout=4)

    def header_state(self, screen: LiveScreen) -> HeaderState:
        bad = (Health.WARN, Health.ERR, Health.STALE, Health.DEAD)
        probe = getattr(self.plane, "connection", None)
        link = probe() if callable(probe) else None
        return HeaderState(
            instrument=self.instrument,
            view=screen.view_name,
            pending=self.snapshot.pending_count,
            paused=self.paused,
            readonly=self.readonly,
            rate_hz=self.refresh_hz,
            unhealthy=sum(1 for s in self.snapshot.services if s.health in bad),
            broker=None if link is None else link.address,
            connected=None if link is None else link.connected,
            down_since_s=None if link is None or link.connected else link.since_s,
        )

    # -- navigation ---------------------------------------------------------
    def action_view(self, view: str, filter_text: str | None = None) -> None:
        self.switch_mode(view)
        if filter_text is not None:
            self.call_after_refresh(self._apply_filter, filter_text)

    def _apply_filter(self, text: str) -> None:
        if isinstance(self.screen, TableScreen):
            self.screen.set_filter(text)

    def action_go_back(self) -> None:
        """Esc on a drill-down or form: back to the view it came from."""
        if len(self.screen_stack) > 1:
            self.pop_screen()

    go_back = action_go_back

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.active_bindings, self.commands_help()))

    def commands_help(self) -> str:
        """The ``:`` commands this console offers (a read-only one: no writes)."""
        words = [
            ":services :jobs [filter] :commands :workflows :results :lag",
            ":notifications :job <id>",
        ]
        if not self.readonly:
            words.append(":start <workflow> :stop <id> :reset <id>")
        if self.logs_dir is not None:
            words.append(":logs [service]")
        words.append(":plots :q   (<id>: any unique prefix of a job number)")
        return " ".join(words)

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.render_now()

    def action_faster(self) -> None:
        self._set_rate(+1)

    def action_slower(self) -> None:
        self._set_rate(-1)

    def _set_rate(self, step: int) -> None:
        index = min(
            range(len(RATES_HZ)), key=lambda i: abs(RATES_HZ[i] - self.refresh_hz)
        )
        self.refresh_hz = RATES_HZ[max(0, min(len(RATES_HZ) - 1, index + step))]
        self._start_timer()
        self.render_now()

    # -- the command line ---------------------------------------------------
    def action_command_line(self) -> None:
        try:
            line = self.screen.query_one("#command-line", CommandLine)
        except NoMatches:
            return
        line.open(
            command_line.candidates(
                command_line.workflow_refs(self.workflows),
                (fmt.short_job(j.job_id) for j in self.snapshot.jobs),
                readonly=self.readonly,
                logs=self.logs_dir is not None,
            )
        )

    def close_command_line(self) -> None:
        for line in self.screen.query("#command-line"):
            line.close()

    def on_input_submitted(self, event: CommandLine.Submitted) -> None:
        if event.input.id != "command-line":
            return
        self.close_command_line()
        self.run_command(event.value)

    def run_command(self, text: str) -> None:
        """Execute one ``:`` command line (without the colon)."""
        command = command_line.parse(text)
        if command.kind == "quit":
            self.exit()
        elif command.kind == "view":
            self.action_view(command.target, command.argument)
        elif command.kind == "start":
            self.open_start_form(command.target)
        elif command.kind in ("stop", "reset", "job"):
            self.act_on_job(command.kind, command.target)
        elif command.kind == "logs":
            self.open_logs(command.argument)
        elif command.kind == "plots":
            self.open_plots()
        else:
            self.notify(command.argument, severity="error")

    def act_on_job(self, kind: str, text: str) -> None:
        """``:stop``/``:reset`` (after a yes, as in the Jobs view) or ``:job``
        (its detail) of the one job ``text`` names; else one line saying why."""
        if kind != "job" and self.readonly:
            self.notify(READONLY_MESSAGE, severity="warning")
            return
        job = self._one_job(text, running=kind != "job")
        if job is None:
            return
        if kind == "job":
            self.push_screen(job_detail(job.job_id))
            return
        short = fmt.short_job(job.job_id)
        question = (
            f"Stop job {short}?"
            if kind == "stop"
            else f"Reset (clear accumulated data of) job {short}?"
        )
        self.confirm_then(question, [job.job_id], kind)

    def _one_job(self, text: str, *, running: bool) -> JobRow | None:
        jobs = [
            j
            for j in self.plane.snapshot().jobs
            if not running or j.state not in ENDED_JOB_STATES
        ]
        found = matching_jobs(jobs, text)
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(fmt.short_job(j.job_id) for j in found[:4])
            more = f" and {len(found) - 4} more" if len(found) > 4 else ""
            self.notify(f"job {text!r} is ambiguous: {names}{more}", severity="error")
        else:
            what = "running job" if running else "job"
            self.notify(f"no {what} {text!r}", severity="error")
        return None

    def open_logs(self, service: str = "") -> None:
        """The services' log files, followed; only where the console knows them."""
        if self.logs_dir is None:
            self.notify(
                "no logs here: the demo's console has them, or livedata tui --logs DIR",
                severity="warning",
            )
            return
        self.push_screen(LogsScreen(self.logs_dir, service or None))

    # -- the plot server -------------------------------------------------------
    def open_plots(self, result: ResultRow | None = None) -> None:
        """Start the plot server (once) and show its URL, or the URL of one
        result's plot. Launched here (the main thread: the child's lifeline
        follows it), waited for on a worker thread."""
        if self.plots is None:
            self.notify(
                "no plot server here (livedata tui starts one)", severity="warning"
            )
            return
        try:
            self.plots.launch()
        except OSError as err:
            self.notify(f"cannot start the plot server: {err}", severity="error")
            return
        if self.plots.url is None:
            self.notify("starting the plot server ...", timeout=3)
        self.run_worker(
            lambda: self._wait_for_plots(result), thread=True, group="plots"
        )

    def _wait_for_plots(self, result: ResultRow | None) -> None:
        try:
            url = self.plots.wait_url()
        except RuntimeError as err:  # PlotsStartError
            self._from_thread(self.notify, f"no plots: {err}", severity="error")
            return
        if result is not None:
            source = result.job_id.rpartition("/")[0] or result.job_id
            url = (
                self.plots.url_for(result.workflow_id, result.output_name, source)
                or url
            )
        self.plots_url = url
        self._from_thread(self.notify, f"plots: {url}", timeout=30)

    # -- commands to the control plane --------------------------------------
    def open_start_form(self, ref: str) -> None:
        workflow_id = command_line.match_workflow(ref, self.workflows)
        if workflow_id is None:
            self.notify(f"no workflow {ref!r}", severity="error")
        elif self.readonly:
            self.notify(READONLY_MESSAGE, severity="warning")
        else:
            initial = self.plane.last_config(workflow_id)
            self.push_screen(StartJobScreen(self.workflows[workflow_id], initial))

    def start_job(
        self,
        workflow_id: str,
        source_names: Sequence[str],
        params: Mapping[str, Any] | None,
        aux_source_names: Mapping[str, str] | None = None,
    ) -> None:
        def send() -> CommandRow:
            return self.plane.start_job(
                workflow_id, source_names, params, aux_source_names or None
            )

        self._send(send)

    def confirm_then(self, question: str, job_ids: Sequence[str], kind: str) -> None:
        """Ask, then stop or reset ``job_ids`` (``kind`` is "stop" or "reset")."""
        if self.readonly:
            self.notify(READONLY_MESSAGE, severity="warning")
            return
        if not job_ids:
            self.notify("no job selected", severity="warning")
            return
        ids = list(job_ids)
        send = self.plane.stop_jobs if kind == "stop" else self.plane.reset_jobs

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(lambda: send(ids))

        self.push_screen(ConfirmDialog(question), answered)

    def _send(self, send: Callable[[], CommandRow]) -> None:
        if self.readonly:
            self.notify(READONLY_MESSAGE, severity="warning")
            return
        self.run_worker(
            lambda: self._send_in_thread(send), thread=True, group="commands"
        )

    def _send_in_thread(self, send: Callable[[], CommandRow]) -> None:
        """Thread worker: send (Kafka may block); the tick reports the answers."""
        try:
            row = send()
        except ValueError as err:
            self._from_thread(self.notify, f"not sent: {err}", severity="error")
            return
        self._from_thread(self._sent, row)

    def _from_thread(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        if self.is_running:
            # RuntimeError: the app closed while we waited.
            with contextlib.suppress(RuntimeError):
                self.call_from_thread(fn, *args, **kwargs)

    def _sent(self, row: CommandRow) -> None:
        if row.outcome is CommandOutcome.PENDING:
            self.notify(f"sent: {row.summary}", timeout=3)
            self._awaiting[row.message_id] = row
        else:  # resolved already (not sent, or answered before we got here)
            self._answered(row)
        self.render_now()

    def _report_answers(self, snapshot: Snapshot) -> None:
        for row in snapshot.commands:
            if row.message_id in self._awaiting and (
                row.outcome is not CommandOutcome.PENDING
            ):
                del self._awaiting[row.message_id]
                self._answered(row)

    def _answered(self, row: CommandRow) -> None:
        if row.outcome is CommandOutcome.ACK:
            self.notify(f"{row.summary}: ACK", timeout=3)
        else:
            detail = "; ".join(row.errors) or row.outcome.value
            self.notify(f"{row.summary}: {detail}", severity="error")


SCREEN_CLASSES = (
    *LivedataApp.MODES.values(),
    RecordScreen,
    ResultScreen,
    StartJobScreen,
    ConfirmDialog,
    HelpScreen,
    CommandLine,
    LogsScreen,
)


def binding_ids() -> frozenset[str]:
    """Every binding id a keymap file may name (app, views, forms, dialogs)."""
    ids = set()
    for cls in (LivedataApp, *SCREEN_CLASSES):
        for klass in cls.__mro__:
            for binding in klass.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return frozenset(ids)
