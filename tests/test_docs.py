"""The design is in the repository: every reference in code and docs resolves here.

Concept tags cited anywhere (``(B2)``, ``F3, docs/concepts.md``) have an entry in
``docs/concepts.md``; a cited document (``docs/wire.md "ROI requests"``) exists
and has that section; the paths a concept entry names exist; links between the
docs and from README resolve; nothing points outside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
SOURCES = ("livedata", "tui", "config", "tests", "benchmarks")
SUFFIXES = {".py", ".yaml", ".tcss"}
TAG = re.compile(r"\b([A-G](?:[1-9]|1[0-9]))\b")
CITED_DOC = re.compile(r'docs/([a-z_]+\.md)(?:\s+"([^"]+)")?')
# Documents the code used to cite that lived outside the repository.
OUTSIDE = re.compile(r"\b(?:WIRE|CONCEPTS|ARCHITECTURE|SCIENCE)(?:\.md)?\b|\.\./shared")


def source_files() -> list[Path]:
    files = []
    for folder in SOURCES:
        files.extend(
            p
            for p in sorted((ROOT / folder).rglob("*"))
            if p.suffix in SUFFIXES and p.name != "test_docs.py"
        )
    return files


def headings(doc: Path) -> list[str]:
    return [
        line.lstrip("#").strip()
        for line in doc.read_text().splitlines()
        if line.startswith("#")
    ]


def concept_entries() -> dict[str, str]:
    """``{"B2": "<the entry's text>"}`` from the ``### B2. Title`` headings."""
    text = (DOCS / "concepts.md").read_text()
    parts = re.split(r"^### ([A-G]\d+)\. .*$", text, flags=re.MULTILINE)
    # An entry ends at the next heading of any level.
    return {parts[i]: parts[i + 1].split("\n#")[0] for i in range(1, len(parts), 2)}


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading."""
    slug = re.sub(r"[^\w\- ]", "", heading.lower()).strip()
    return slug.replace(" ", "-")


def test_every_cited_concept_tag_has_an_entry() -> None:
    entries = concept_entries()
    cited: dict[str, str] = {}
    for path in source_files():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for tag in TAG.findall(line):
                cited.setdefault(tag, f"{path.relative_to(ROOT)}:{number}")
    assert len(cited) > 40  # the code does cite tags: the scan works
    missing = [f"{tag} (cited at {where})" for tag, where in cited.items()
               if tag not in entries]  # fmt: skip
    assert not missing, "tags without an entry in docs/concepts.md: " + ", ".join(
        missing
    )


def test_every_concept_entry_says_where_it_lives() -> None:
    entries = concept_entries()
    assert len(entries) >= 50
    for tag, text in entries.items():
        assert "Lives in:" in text, f"{tag} names no place in the code"


def _paths_named(text: str) -> list[str]:
    return re.findall(r"`((?:livedata|tui|config|tests)/[^`\s]*)`", text)


def test_paths_in_the_concept_map_exist() -> None:
    missing = []
    for tag, text in concept_entries().items():
        for named in _paths_named(text):
            pattern = named.replace("<name>", "*")
            if not list(ROOT.glob(pattern.rstrip("/"))):
                missing.append(f"{tag}: {named}")
    assert not missing, "paths in docs/concepts.md that do not exist: " + ", ".join(
        missing
    )


def test_cited_documents_and_sections_exist() -> None:
    problems = []
    seen = 0
    for path in [*source_files(), *DOCS.glob("*.md"), ROOT / "README.md"]:
        for doc, section in CITED_DOC.findall(path.read_text()):
            seen += 1
            target = DOCS / doc
            if not target.is_file():
                problems.append(f"{path.relative_to(ROOT)}: no docs/{doc}")
            elif section and section not in headings(target):
                problems.append(
                    f'{path.relative_to(ROOT)}: docs/{doc} has no "{section}"'
                )
    assert seen >= 20
    assert not problems, "\n".join(problems)


def test_nothing_points_outside_the_repository() -> None:
    outside = []
    for path in [*source_files(), *DOCS.glob("*.md"), ROOT / "README.md"]:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if OUTSIDE.search(line):
                outside.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not outside, "references to documents outside the repository:\n" + (
        "\n".join(outside)
    )


@pytest.mark.parametrize(
    "doc", ["README.md", *sorted(p.name for p in DOCS.glob("*.md"))]
)
def test_relative_links_resolve(doc: str) -> None:
    path = ROOT / doc if doc == "README.md" else DOCS / doc
    broken = []
    for target in re.findall(r"\]\(([^)#\s]*)(#[^)\s]*)?\)", path.read_text()):
        file, fragment = target
        if file.startswith(("http://", "https://")):
            continue
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists() or (
            fragment and fragment[1:] not in {anchor(h) for h in headings(linked)}
        ):
            broken.append(f"{file}{fragment}")
    assert not broken, f"{doc}: broken links {broken}"


def test_readme_links_the_design() -> None:
    readme = (ROOT / "README.md").read_text()
    for doc in ("docs/architecture.md", "docs/wire.md", "docs/concepts.md"):
        assert f"]({doc})" in readme, doc
