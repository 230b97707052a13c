"""Screens talk to the app only through the requests declared in messages.py.

Requests go up as Textual messages, state comes down as ``ConsoleState``: no
screen touches ``self.app``, binds an ``app.`` action or posts a message that
is not declared, and the app handles every declared request.
"""

from __future__ import annotations

import ast
from pathlib import Path

from livedata_tui import messages
from livedata_tui.app import LivedataApp

from .conftest import SIZE
from .helpers import pilot_test, until

SCREENS = Path(messages.__file__).parent / "screens"


def _screen_modules() -> list[tuple[str, ast.AST]]:
    return [(p.name, ast.parse(p.read_text())) for p in sorted(SCREENS.glob("*.py"))]


def test_no_screen_reaches_into_the_app() -> None:
    found = []
    for name, tree in _screen_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("app", "console"):
                found.append(f"{name}:{node.lineno} .{node.attr}")
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith("app.")
            ):
                found.append(f"{name}:{node.lineno} action {node.value!r}")
    assert len(_screen_modules()) >= 10
    assert not found, found


def test_screens_post_only_declared_requests() -> None:
    declared = {cls.__name__ for cls in messages.REQUESTS}
    posted = set()
    for name, tree in _screen_modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "post_message"
            ):
                (argument,) = node.args
                assert isinstance(argument, ast.Call), f"{name}:{node.lineno}"
                posted.add((name, argument.func.id))
    undeclared = {p for p in posted if p[1] not in declared}
    assert not undeclared, undeclared
    # Every declared request is used by some screen (none is dead).
    assert {request for _, request in posted} == declared


def test_the_app_handles_every_declared_request() -> None:
    subclasses = set(messages.Request.__subclasses__())
    assert set(messages.REQUESTS) == subclasses
    handled = set(LivedataApp._decorated_handlers)
    assert set(messages.REQUESTS) <= handled, set(messages.REQUESTS) - handled


@pilot_test
async def test_a_request_posted_by_a_screen_reaches_the_app(system, make_app):
    """End to end through Textual's bubbling: Enter on a workflow row posts
    OpenStartForm, the app opens the form; Esc there posts GoBack."""
    from livedata_tui.screens.start_job import StartJobScreen
    from livedata_tui.screens.workflows import WorkflowsScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.switch_mode("workflows")
        await until(pilot, lambda: isinstance(app.screen, WorkflowsScreen))
        screen = app.screen
        key = next(iter(app.workflows))
        screen.post_message(messages.OpenStartForm(key))
        await until(pilot, lambda: isinstance(app.screen, StartJobScreen))
        assert str(app.screen.spec.workflow_id) == key
        app.screen.post_message(messages.GoBack())
        await until(pilot, lambda: app.screen is screen)
        # Back in view, it asked for a render (RenderNow) and got the state.
        await until(pilot, lambda: bool(screen.state.workflows))
        assert screen.state.workflows.keys() == app.workflows.keys()
        assert screen.state.snapshot is app.snapshot
