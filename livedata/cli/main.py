"""Root of the ``livedata`` CLI.

Start-up must stay light: ``livedata --help`` and every Tab completion run this
module. So the command groups are loaded lazily: ``COMMANDS`` names each one with
its module and the one-line help the root's ``--help`` shows, and a group's
module is imported only when that command is run, completed or asked for help.
Those modules, in turn, import only Typer and the standard library at import
time; scientific, Kafka, Rich and UI libraries are imported inside the command
functions (tests/cli/test_startup.py guards both).

To add a command group: write ``livedata/cli/<name>.py`` with ``app = new_app(...)``
(or a plain function for a single command) and add one line to ``COMMANDS``.
"""

from __future__ import annotations

import importlib
import os

import typer
from typer.completion import completion_init
from typer.core import TyperGroup

# name: (module in this package, attribute, one-line help for ``livedata --help``)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("demo", "demo", "Run a whole livedata system locally until Ctrl-C."),
    "service": ("service", "app", "Run processing services."),
    "services": ("services", "app", "Processing services and their health."),
    "job": ("job", "app", "Start, stop, reset and list jobs."),
    "roi": (
        "roi",
        "app",
        "Regions of interest of detector-view jobs: set, clear, show.",
    ),
    "tui": (
        "tui_cmd",
        "tui",
        "Watch services, jobs, commands and results; start and stop jobs.",
    ),
    "plots": (
        "plots_cmd",
        "plots",
        "Serve live plots of an instrument's results in a browser.",
    ),
    "workflows": (
        "workflows",
        "app",
        "Workflows of the instruments (from their specs).",
    ),
    "results": ("results", "app", "Results published by the services."),
    "kafka": ("kafka", "app", "Kafka administration: topics, records, consumer lag."),
    "config": ("config_cmd", "app", "Effective configuration (YAML + environment)."),
    "fake": ("fake", "app", "Fake data producers (ev44, ad00, f144)."),
    "broker": (
        "broker",
        "broker",
        "Run an in-memory Kafka-protocol broker (Tansu) until Ctrl-C.",
    ),
    "bench": ("bench", "app", "Measure processing throughput."),
    "geometry": (
        "geometry",
        "app",
        "NeXus geometry files: make them from layouts, fetch, list.",
    ),
}


def plain_help(group: typer.Typer) -> None:
    """Plain Click help for a group and its subgroups, also those not built with
    ``common.new_app``: Typer's Rich help imports Rich and markdown-it (~0.2 s)."""
    group.rich_markup_mode = None
    for info in group.registered_groups:
        if info.typer_instance is not None:
            plain_help(info.typer_instance)


def name_metavars(command) -> None:
    """Options without a metavar show their own name (``--log-level LOG_LEVEL``)
    in help and man pages, not Typer's type in brackets (``<list[str]>``)."""
    for param in getattr(command, "params", ()):
        if (
            param.param_type_name == "option"
            and param.metavar is None
            and not getattr(param, "is_flag", False)
            and not getattr(param, "count", False)
            # choices are listed in place of a metavar: keep them
            and not getattr(getattr(param, "type_descriptor", None), "is_choice", 0)
        ):
            longest = max(param.opts, key=len).lstrip("-")
            param.metavar = longest.upper().replace("-", "_")
    for sub in getattr(command, "commands", {}).values():
        name_metavars(sub)


def load_command(name: str):
    """Import the module of one command and build its Click command."""
    import typer.main

    module_name, attribute, _ = COMMANDS[name]
    module = importlib.import_module(f"{__package__}.{module_name}")
    target = getattr(module, attribute)
    if isinstance(target, typer.Typer):
        plain_help(target)
        command = typer.main.get_group(target)
    else:  # a plain function: a command of its own
        single = typer.Typer(add_completion=False, rich_markup_mode=None)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    name_metavars(command)
    return command


class LazyGroup(TyperGroup):
    """A Typer group whose subcommands in ``COMMANDS`` are imported on first use."""

    def list_commands(self, ctx) -> list[str]:
        extra = [n for n in super().list_commands(ctx) if n not in COMMANDS]
        return [*COMMANDS, *extra]

    def get_command(self, ctx, cmd_name: str):
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx, formatter) -> None:
        """The Commands section from ``COMMANDS`` without importing the modules."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is None:
                rows.append((name, COMMANDS[name][2]))
            elif not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="livedata",
    cls=LazyGroup,
    help="Live reduction of neutron data on Kafka.",
    no_args_is_help=True,
    # No --install-completion/--show-completion: Typer coerces those options with
    # pydantic on every run, which would double the time each Tab press takes.
    # The scripts ship in completions/ (README); completion_init() below keeps
    # _LIVEDATA_COMPLETE=complete_<shell> answering.
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


completion_init()


@app.callback()
def root() -> None:
    """Live reduction of neutron data on Kafka."""


def _skip_coercion_of_missing_values() -> None:
    """Tab completion only: leave unset parameters as None without Typer's coercion.

    Completion parses the command line leniently, so unset flags (``--help``)
    arrive as None; Typer 0.29 still builds a pydantic TypeAdapter for each
    before returning None unchanged, which imports pydantic and doubles the
    time a Tab press takes. Skipping that changes no value. Guarded, so a Typer
    without this private method simply completes more slowly.
    """
    from typer import core

    parameter = getattr(core, "_TyperParameter", None)
    original = getattr(parameter, "process_value", None)
    if original is None:
        return

    def process_value(self, ctx, value):
        if value is None and ctx.resilient_parsing:
            return None
        return original(self, ctx, value)

    parameter.process_value = process_value


def run() -> None:
    """Console-script entry point."""
    if os.environ.get("LIVEDATA_PARENT_PID"):
        from .lifeline import hold_on_to_parent

        hold_on_to_parent()
    if os.environ.get("_LIVEDATA_COMPLETE"):
        _skip_coercion_of_missing_values()
    app(prog_name="livedata")
