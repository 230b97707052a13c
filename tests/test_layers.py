"""The import graph follows the layers of the design, lazy imports included.

Layers, lowest first: core (with the configuration loader and the package root,
which holds only ``__version__``); kafka, preprocessors, workflows; instruments;
geometry (which reads the files instruments get their geometry from, through a
provider the services install); services; control; cli, tui, plots. A module may import its own
layer and the ones below, never one above, and packages never import each other
in a cycle (within a layer neither). Every ``import`` counts, wherever it stands:
inside functions, under ``TYPE_CHECKING``, and ``importlib.import_module`` with a
literal name. A failure names the file, line and import.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# Source folders and the import name each is installed under.
SOURCES = {"livedata": "livedata", "tui": "livedata_tui"}
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"livedata", "livedata.core", "livedata.config"}),
    frozenset({"livedata.kafka", "livedata.preprocessors", "livedata.workflows"}),
    frozenset({"livedata.instruments"}),
    frozenset({"livedata.geometry"}),
    frozenset({"livedata.services"}),
    frozenset({"livedata.control"}),
    frozenset({"livedata.cli", "livedata_tui", "livedata.plots"}),
)
# Single modules that belong to a package other than their folder's.
PLACED = {"livedata.__main__": "livedata.cli"}
# Packages that stand for their ``__init__`` only: a module beside them is in
# no layer until it is placed.
ROOTS = frozenset({"livedata"})


@dataclass(frozen=True)
class Import:
    """One import statement: where it stands and the module it names."""

    where: str  # the file, relative to the project
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.importer} imports {self.imported}"


def module_name(path: Path, root: Path, name: str) -> str:
    parts = [name, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _is_import_module(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return (
        name == "import_module"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def imports_of(path: Path, module: str, where: str) -> Iterator[Import]:
    """Every import in the file, at any depth (functions, classes, if-blocks)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), where)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(where, node.lineno, module, alias.name)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, module, is_package)
            yield Import(where, node.lineno, module, target)
            # ``from livedata import instruments`` imports a subpackage.
            for alias in node.names:
                yield Import(where, node.lineno, module, f"{target}.{alias.name}")
        elif isinstance(node, ast.Call) and _is_import_module(node):
            yield Import(where, node.lineno, module, node.args[0].value)


def all_imports(root: Path, sources: dict[str, str]) -> list[Import]:
    found = []
    for folder, name in sources.items():
        base = root / folder
        for path in sorted(base.rglob("*.py")):
            module = module_name(path, base, name)
            found.extend(imports_of(path, module, path.relative_to(root).as_posix()))
    return found


def package_of(module: str, known: set[str]) -> str | None:
    """The layered package a module belongs to (longest known prefix)."""
    if module in PLACED:
        return PLACED[module]
    if module in ROOTS:
        return module if module in known else None
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        candidate = ".".join(parts[:size])
        if candidate in known and candidate not in ROOTS:
            return candidate
    return None


def layer_problems(
    imports: list[Import], layers: tuple[frozenset[str], ...] = LAYERS
) -> list[str]:
    """One line per import that points up the layers (or into no layer)."""
    rank = {package: i for i, layer in enumerate(layers) for package in layer}
    known = set(rank)
    problems: dict[tuple[str, int, str | None], str] = {}
    for imp in imports:
        source = package_of(imp.importer, known)
        if source is None:
            problems.setdefault(
                (imp.where, 0, None), f"{imp}: {imp.importer} is in no layer"
            )
            continue
        target = package_of(imp.imported, known)
        # Other distributions, and this project's own names beyond the layers
        # (``livedata_config`` holds YAML files, no code), are not layered.
        if target is None or target == source:
            continue
        if rank[target] > rank[source]:
            problems.setdefault(
                (imp.where, imp.line, target),
                f"{imp}: {source} (layer {rank[source]}) may not import "
                f"{target} (layer {rank[target]})",
            )
    return list(problems.values())


def package_cycles(
    imports: list[Import], layers: tuple[frozenset[str], ...] = LAYERS
) -> list[str]:
    """Each cycle between packages, with one import per step."""
    known = {package for layer in layers for package in layer}
    edges: dict[str, dict[str, Import]] = defaultdict(dict)
    for imp in imports:
        source, target = (
            package_of(imp.importer, known),
            package_of(imp.imported, known),
        )
        if source and target and source != target:
            edges[source].setdefault(target, imp)
    cycles: list[str] = []
    seen: set[frozenset[str]] = set()

    def visit(path: list[str]) -> None:
        for target in sorted(edges[path[-1]]):
            if target == path[0]:
                members = frozenset(path)
                if members not in seen:
                    seen.add(members)
                    steps = [*path, path[0]]
                    cycles.append(
                        " -> ".join(steps)
                        + "".join(f"\n    {edges[a][b]}" for a, b in pairwise(steps))
                    )
            elif target not in path and target > path[0]:
                visit([*path, target])

    for start in sorted(edges):
        visit([start])
    return cycles


PROJECT_IMPORTS = all_imports(ROOT, SOURCES)


def test_every_import_points_down_the_layers() -> None:
    problems = layer_problems(PROJECT_IMPORTS)
    assert not problems, "imports against the layer order:\n" + "\n".join(problems)


def test_no_cycles_between_packages() -> None:
    cycles = package_cycles(PROJECT_IMPORTS)
    assert not cycles, "cycles between packages:\n" + "\n".join(cycles)


def test_the_graph_is_read_from_the_code() -> None:
    """The checks see real edges, lazy ones included (a vacuous pass would not)."""
    edges = {(i.importer, i.imported) for i in PROJECT_IMPORTS}
    assert ("livedata.cli.tui_cmd", "livedata_tui.app") in edges  # inside a function
    assert ("livedata.services.runner", "livedata.instruments") in edges
    assert ("livedata.control.memory_transport", "livedata.services.builder") in edges
    packages = {package_of(i.importer, set().union(*LAYERS)) for i in PROJECT_IMPORTS}
    assert {"livedata.instruments", "livedata_tui", "livedata.control"} <= packages


@pytest.fixture
def toy_tree(tmp_path: Path) -> Path:
    """A project whose kafka package imports control lazily, and a cycle."""
    for folder in ("core", "kafka", "control"):
        (tmp_path / "livedata" / folder).mkdir(parents=True)
        (tmp_path / "livedata" / folder / "__init__.py").write_text("")
    (tmp_path / "livedata" / "__init__.py").write_text("")
    (tmp_path / "livedata" / "kafka" / "sink.py").write_text(
        "from ..core import stream\n\n\ndef f():\n    from ..control import plane\n"
    )
    (tmp_path / "livedata" / "core" / "stream.py").write_text(
        "import importlib\n\nimportlib.import_module('livedata.kafka.sink')\n"
    )
    return tmp_path


def test_a_lazy_upward_import_is_named(toy_tree: Path) -> None:
    problems = layer_problems(all_imports(toy_tree, {"livedata": "livedata"}))
    assert any(
        "livedata/kafka/sink.py:5: livedata.kafka.sink imports livedata.control" in line
        and "livedata.kafka (layer 1) may not import livedata.control (layer 5)" in line
        for line in problems
    ), problems
    assert any(
        "livedata/core/stream.py:3:" in line and "livedata.kafka.sink" in line
        for line in problems
    ), problems


def test_a_cycle_is_named_with_its_imports(toy_tree: Path) -> None:
    cycles = package_cycles(all_imports(toy_tree, {"livedata": "livedata"}))
    assert len(cycles) == 1, cycles
    assert cycles[0].startswith("livedata.core -> livedata.kafka -> livedata.core")
    assert "livedata/kafka/sink.py:1:" in cycles[0]
    assert "livedata/core/stream.py:3:" in cycles[0]


def test_a_module_outside_every_layer_is_reported(tmp_path: Path) -> None:
    (tmp_path / "livedata" / "newpkg").mkdir(parents=True)
    (tmp_path / "livedata" / "newpkg" / "x.py").write_text("import os\n")
    problems = layer_problems(all_imports(tmp_path, {"livedata": "livedata"}))
    assert problems == [
        "livedata/newpkg/x.py:1: livedata.newpkg.x imports os: "
        "livedata.newpkg.x is in no layer"
    ]
