"""The lock file and pyproject.toml say the same thing, and the lock covers the
machines livedata runs on: a new clone installs exactly what CI tested."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())


def _project_entry() -> dict:
    return next(p for p in LOCK["package"] if p["name"] == "livedata")


def _normalised(requirements) -> set[tuple[str, str, str]]:
    out = set()
    for text in requirements:
        req = Requirement(text) if isinstance(text, str) else text
        out.add(
            (
                canonicalize_name(req.name),
                str(req.specifier),
                ",".join(sorted(req.extras)),
            )
        )
    return out


def _locked(entries: list[dict], extra: str | None) -> set[tuple[str, str, str]]:
    """The lock's record of livedata's own requirements, for one extra (or none)."""
    return {
        (
            canonicalize_name(e["name"]),
            str(Requirement(f"x{e.get('specifier', '')}").specifier),
            ",".join(sorted(e.get("extras", []))),
        )
        for e in entries
        if (f"extra == '{extra}'" in e.get("marker", ""))
        or (extra is None and "extra ==" not in e.get("marker", ""))
    }


def test_the_lock_records_the_dependencies_pyproject_declares():
    """What ``uv sync --locked`` checks, without asking an index: fails when
    pyproject.toml was edited and ``make lock`` not run."""
    requires = _project_entry()["metadata"]["requires-dist"]
    assert _locked(requires, None) == _normalised(
        PYPROJECT["project"]["dependencies"]
    ), "pyproject.toml's dependencies differ from uv.lock: run `make lock`"
    for extra, requirements in PYPROJECT["project"]["optional-dependencies"].items():
        declared = {
            r
            for r in _normalised(requirements)
            if r[0] != canonicalize_name("livedata")
        }
        locked = {
            r for r in _locked(requires, extra) if r[0] != canonicalize_name("livedata")
        }
        assert declared == locked, (
            f"extra {extra!r} differs from uv.lock: run `make lock`"
        )


def test_every_declared_package_is_pinned_in_the_lock():
    pinned = {canonicalize_name(p["name"]): p["version"] for p in LOCK["package"]}
    declared = [
        *PYPROJECT["project"]["dependencies"],
        *(
            r
            for reqs in PYPROJECT["project"]["optional-dependencies"].values()
            for r in reqs
        ),
    ]
    for text in declared:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        if name == "livedata":
            continue
        assert name in pinned, f"{req.name} is not in uv.lock"
        assert req.specifier.contains(pinned[name], prereleases=True), (
            f"uv.lock pins {req.name} {pinned[name]}, outside {req.specifier}"
        )


def test_the_lock_is_for_python_312_on_linux_x86_64():
    (marker,) = LOCK["supported-markers"]
    for fact in ("sys_platform == 'linux'", "platform_machine == 'x86_64'", "< '3.13'"):
        assert fact in marker
    assert LOCK["requires-python"].startswith(">=3.12")


def test_the_installed_environment_is_the_lock():
    """What this test run imports is what uv.lock pins (make test syncs first)."""
    from importlib import metadata

    pinned = {canonicalize_name(p["name"]): p["version"] for p in LOCK["package"]}
    for name in ("numpy", "scipp", "textual", "confluent-kafka", "pydantic", "panel"):
        assert metadata.version(name) == pinned[canonicalize_name(name)], name
