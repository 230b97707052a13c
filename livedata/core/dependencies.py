"""Installed releases against the ranges livedata is tested with.

``make demo``/``make test`` install exactly ``uv.lock``; someone who runs
``pip install .`` into an environment of their own may later upgrade a package
past the release line the lock tests (pip only warns). A newer major of textual,
scipp or confluent-kafka can break a feature quietly, so each entry point checks
the packages it relies on and says, in one line per package, which release is
outside which range and how to get the tested one. The ranges are read from the
installed distribution's own metadata (``pyproject.toml``), not repeated here.

``python -m livedata.core.dependencies`` prints the key packages' versions (CI
does, so that a failing run can be compared with a working one).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata

from packaging.requirements import InvalidRequirement, Requirement

#: What each entry point needs; the names are distributions, as in pyproject.toml.
FEATURES: dict[str, tuple[str, ...]] = {
    "cli": ("typer", "rich", "pydantic", "confluent-kafka"),
    "console": ("textual", "textual-plotext", "rich", "pydantic", "confluent-kafka"),
    "services": (
        "numpy",
        "numba",
        "scipp",
        "sciline",
        "essreduce",
        "scippnexus",
        "scippneutron",
        "ess-streaming-data-types",
        "confluent-kafka",
        "pydantic",
        "h5py",
    ),
    "science": ("essdiffraction", "esssans", "tof"),
    "plots": ("panel", "bokeh", "holoviews"),
}

KEY_PACKAGES = tuple(
    dict.fromkeys(name for names in FEATURES.values() for name in names)
)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Mismatch:
    """One installed package outside its tested range (or missing)."""

    name: str
    installed: str | None
    tested: str

    def message(self, feature: str) -> str:
        have = (
            "not installed" if self.installed is None else f"{self.installed} installed"
        )
        return (
            f"livedata {feature}: {self.name} {have}, tested with {self.name}{self.tested};"
            f" install the tested releases (`make venv`, from uv.lock) or "
            f"`pip install '{self.name}{self.tested}'`"
        )


@cache
def tested_ranges() -> dict[str, str]:
    """Distribution name -> specifier string, from livedata's installed metadata."""
    try:
        requires = metadata.requires("livedata") or []
    except metadata.PackageNotFoundError:
        return {}
    ranges: dict[str, str] = {}
    for line in requires:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.name != "livedata" and str(req.specifier):
            ranges.setdefault(_normal(req.name), str(req.specifier))
    return ranges


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def mismatches(
    names: Iterable[str], ranges: dict[str, str] | None = None
) -> list[Mismatch]:
    """The packages among ``names`` whose installed release is outside its range."""
    from packaging.specifiers import SpecifierSet

    ranges = tested_ranges() if ranges is None else ranges
    found = []
    for name in names:
        spec = ranges.get(_normal(name))
        if spec is None:
            continue
        version = installed_version(name)
        if version is None or not SpecifierSet(spec).contains(
            version, prereleases=True
        ):
            found.append(Mismatch(name, version, spec))
    return found


def warn_if_untested(feature: str, stream=None) -> list[Mismatch]:
    """Print one line per package of ``feature`` outside its tested range."""
    found = mismatches(FEATURES[feature])
    for mismatch in found:
        print(f"warning: {mismatch.message(feature)}", file=stream or sys.stderr)
    return found


def main() -> int:
    ranges = tested_ranges()
    print(f"python {sys.version.split()[0]}")
    for name in KEY_PACKAGES:
        version = installed_version(name) or "not installed"
        mark = (
            ""
            if not mismatches([name], ranges)
            else f"  (outside {ranges[_normal(name)]})"
        )
        print(f"{name} {version}{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
