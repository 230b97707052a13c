"""Job ids an operator can type: ``source/uuid``, ``source/PREFIX`` or ``PREFIX``.

The console shows the first 8 hex digits of a job number; any prefix that
matches exactly one job heard in the heartbeats names it. One implementation
for every client: the CLI refuses unknown or ambiguous ids before anything is
published (exit 2), the console says so in one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_HEX = re.compile(r"^[0-9a-fA-F-]{1,36}$")


def split_job_id(text: str) -> tuple[str | None, str] | None:
    """``(source or None, number prefix)``, or None when it cannot be a job id."""
    source, sep, number = text.strip().rpartition("/")
    if sep and not source:
        return None
    if not _HEX.match(number) and not (source and number == ""):
        return None
    return (source or None), number.lower()


def matching_jobs(jobs: Iterable[Any], text: str) -> list[Any]:
    """Jobs (``JobRow``) whose id ``text`` names; several when ambiguous. A full
    job number wins over longer numbers it is a prefix of."""
    parts = split_job_id(text)
    if parts is None:
        return []
    source, prefix = parts
    found = [
        j
        for j in jobs
        if (source is None or j.source_name == source)
        and j.job_number.lower().startswith(prefix)
    ]
    exact = [j for j in found if j.job_number.lower() == prefix]
    return exact or found
