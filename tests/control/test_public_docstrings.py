"""Every public class of the client side says what it is for."""

from __future__ import annotations

import ast
from pathlib import Path

CONTROL = Path(__file__).parents[2] / "livedata" / "control"


def test_public_classes_of_control_have_docstrings() -> None:
    missing = []
    for path in sorted(CONTROL.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ClassDef)
                and not node.name.startswith("_")
                and not ast.get_docstring(node)
            ):
                missing.append(f"{path.name}:{node.lineno} {node.name}")
    assert len(list(CONTROL.glob("*.py"))) > 10  # the folder was found
    assert not missing, "public classes without a docstring: " + ", ".join(missing)
