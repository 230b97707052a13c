"""Generate man pages and shell completion scripts from the CLI itself.

``python -m livedata.cli.manpages [ROOT]`` writes ``ROOT/man/livedata.1``, one
page per subcommand (``livedata-kafka-peek.1``, ...) and
``ROOT/completions/livedata.{bash,zsh,fish}``. ROOT defaults to the repository.

Written here because click-man does not understand Typer >= 0.26 (which vendors
its own Click) and Typer has no man page writer. Output is deterministic (no
dates), so a test regenerates it and fails when the committed files are stale.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

# Plain help text whatever the environment (set before Typer is imported).
os.environ.setdefault("TYPER_USE_RICH", "0")

import typer

PROG = "livedata"
SHELLS = ("bash", "zsh", "fish")
ENVIRONMENT = {
    "LIVEDATA_INSTRUMENT": "Default for --instrument.",
    "LIVEDATA_KAFKA_BOOTSTRAP": "Kafka bootstrap HOST:PORT when --bootstrap is "
    "not given (else the YAML configuration).",
    "LIVEDATA_ENV": "Configuration layer: dev (default), staging or production.",
    "LIVEDATA_CONFIG_DIR": "A configuration tree replacing the shipped one.",
    "LIVEDATA_KAFKA_SECURITY_PROTOCOL": "librdkafka security.protocol "
    "(production default SASL_SSL).",
    "LIVEDATA_KAFKA_SASL_MECHANISM, LIVEDATA_KAFKA_SASL_USERNAME, "
    "LIVEDATA_KAFKA_SASL_PASSWORD": "SASL settings (the password is never printed).",
    "LIVEDATA_KAFKA_SSL_CA_LOCATION, LIVEDATA_KAFKA_SSL_CERTIFICATE_LOCATION, "
    "LIVEDATA_KAFKA_SSL_KEY_LOCATION, LIVEDATA_KAFKA_SSL_KEY_PASSWORD, "
    "LIVEDATA_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM": "TLS settings, passed "
    "to librdkafka as ssl.*.",
    "LIVEDATA_DATA_DIR": "A folder of geometry files used before any cache or download.",
    "LIVEDATA_GEOMETRY_URL, LIVEDATA_GEOMETRY_CACHE": "Where geometry files are "
    "fetched from (pooch) and cached.",
    "LIVEDATA_KEYMAP": "The console's keymap file.",
    "LIVEDATA_PLOTS_BASIC_AUTH": "user:password: the plot server asks for HTTP "
    "basic auth (needed, or --token, when bound beyond loopback).",
    "NO_COLOR": "When set, output has no colour (neither has output to a pipe).",
}
EXIT_STATUS = {
    0: "Success.",
    1: "Error, e.g. the broker is unreachable (one line on stderr).",
    2: "Usage error or invalid input (unknown workflow, instrument, topic).",
    3: "A command got no acknowledgement in time.",
    4: "A service answered ERR.",
    5: "Partial: some answers ACK, others ERR or missing.",
}


# Commands that send a command and wait for its answers; every other command
# exits 0, 1 or 2 only. A group's page lists what any of its commands may exit.
ANSWERED = {("job", "start"), ("job", "stop"), ("job", "reset")}
PLAIN_EXITS = (0, 1, 2)


def exit_codes(path: tuple[str, ...], command, ctx) -> list[int]:
    """The exit statuses ``command`` (or any command under it) can end with."""
    if path[1:] in ANSWERED:
        return sorted(EXIT_STATUS)
    codes = set(PLAIN_EXITS)
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                sub_ctx = sub.context_class(sub, info_name=name, parent=ctx)
                codes.update(exit_codes((*path, name), sub, sub_ctx))
    return sorted(codes)


def roff(text: str) -> str:
    """Escape text for roff: backslashes, and leading dots or quotes."""
    text = text.replace("\\", "\\e")
    lines = []
    for line in text.splitlines():
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def bold(text: str) -> str:
    return "\\fB" + roff(text).replace("-", "\\-") + "\\fR"


def paragraphs(text: str) -> list[str]:
    """Help text split into paragraphs, each on one line (roff fills lines)."""
    blocks = [b for b in text.replace("\b", "").split("\n\n") if b.strip()]
    return [" ".join(line.strip() for line in b.splitlines()) for b in blocks]


def walk(command, ctx, path: tuple[str, ...]) -> Iterator[tuple]:
    """(path, command, context) for a command and all its subcommands."""
    yield path, command, ctx
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            sub_ctx = sub.context_class(sub, info_name=name, parent=ctx)
            yield from walk(sub, sub_ctx, (*path, name))


def page_name(path: tuple[str, ...]) -> str:
    return "-".join(path)


def man_page(path: tuple[str, ...], command, ctx, version: str) -> str:
    """One man page (roff) for one command."""
    name = page_name(path)
    out = [
        f'.TH "{name.upper()}" "1" "" "{PROG} {version}" "{PROG} manual"',
        ".SH NAME",
        f"{roff(name).replace('-', '\\-')} \\- {roff(command.get_short_help_str(200))}",
        ".SH SYNOPSIS",
        f"{bold(' '.join(path))} {roff(' '.join(command.collect_usage_pieces(ctx)))}",
    ]
    if command.help:
        out.append(".SH DESCRIPTION")
        for i, paragraph in enumerate(paragraphs(command.help)):
            out.extend([".PP"] if i else [])
            out.append(roff(paragraph))
    for title, kind in (("ARGUMENTS", "argument"), ("OPTIONS", "option")):
        params = [
            p
            for p in command.get_params(ctx)
            if p.param_type_name == kind and not getattr(p, "hidden", False)
        ]
        records = [r for r in (_help_record(p, ctx) for p in params) if r]
        if records:
            out.append(f".SH {title}")
        for opts, help_text in records:
            out.extend([".TP", bold(opts), roff(" ".join(help_text.split()))])
    children = []
    if hasattr(command, "list_commands"):
        out.append(".SH COMMANDS")
        for sub_name in command.list_commands(ctx):
            sub = command.get_command(ctx, sub_name)
            if sub is None or sub.hidden:
                continue
            children.append(page_name((*path, sub_name)))
            out.extend(
                [
                    ".TP",
                    bold(sub_name),
                    roff(sub.get_short_help_str(200))
                    + f"\nSee \\fB{children[-1].replace('-', '\\-')}\\fR(1).",
                ]
            )
    if len(path) == 1:
        out.append(".SH ENVIRONMENT")
        for var, text in ENVIRONMENT.items():
            out.extend([".TP", bold(var), roff(text)])
    out.append(".SH EXIT STATUS")
    for code in exit_codes(path, command, ctx):
        out.extend([".TP", bold(str(code)), roff(EXIT_STATUS[code])])
    related = ([page_name(path[:-1])] if len(path) > 1 else []) + children
    if related:
        out.append(".SH SEE ALSO")
        out.append(", ".join(f"\\fB{r.replace('-', '\\-')}\\fR(1)" for r in related))
    return "\n".join(out) + "\n"


def _help_record(param, ctx) -> tuple[str, str] | None:
    """Typer's help record, but an argument is named by its metavar alone
    (``TOPIC``, not ``TOPIC <str>``)."""
    record = param.get_help_record(ctx)
    if record is None or param.param_type_name != "argument":
        return record
    name = param.metavar or param.name.upper()
    return name, record[1]


def completion_script(shell: str) -> str:
    """The completion script Typer emits for ``_LIVEDATA_COMPLETE=source_<shell>``."""
    from typer.testing import CliRunner

    from .main import app

    result = CliRunner().invoke(
        app, [], env={"_LIVEDATA_COMPLETE": f"source_{shell}"}, prog_name=PROG
    )
    if result.exit_code != 0 or not result.stdout.strip():
        raise RuntimeError(f"no {shell} completion script: {result.output!r}")
    return result.stdout


def generate(root: Path) -> list[Path]:
    """Write every man page and completion script under ``root``; returns them."""
    import typer.main

    from .. import __version__
    from .main import app

    command = typer.main.get_command(app)
    ctx = command.context_class(command, info_name=PROG)
    written = []
    man_dir = root / "man"
    man_dir.mkdir(parents=True, exist_ok=True)
    for path, cmd, cmd_ctx in walk(command, ctx, (PROG,)):
        target = man_dir / f"{page_name(path)}.1"
        target.write_text(man_page(path, cmd, cmd_ctx, __version__))
        written.append(target)
    completions = root / "completions"
    completions.mkdir(parents=True, exist_ok=True)
    for shell in SHELLS:
        target = completions / f"{PROG}.{shell}"
        target.write_text(completion_script(shell))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(__file__).resolve().parents[2]
    for path in generate(root):
        typer.echo(str(path), err=True)


if __name__ == "__main__":
    main()
