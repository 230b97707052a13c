"""Naming a job as an operator types it: full id, number, or a unique prefix
(one implementation for the CLI and the console; no I/O)."""

from __future__ import annotations

import pytest

from livedata.control.job_ids import matching_jobs, split_job_id
from livedata.control.snapshots import JobRow

A = "11111111-aaaa-4000-8000-000000000000"
B = "11112222-bbbb-4000-8000-000000000000"
C = "11111111"  # a short number that is a prefix of A's


def job(source: str, number: str) -> JobRow:
    return JobRow(f"{source}/{number}", source, number, "dummy/panel_0_xy/1", "active")


JOBS = (job("panel_0", A), job("panel_0", B), job("mon", A))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"panel_0/{A}", [f"panel_0/{A}"]),
        (A, [f"panel_0/{A}", f"mon/{A}"]),  # the number alone: both sources
        (A.upper(), [f"panel_0/{A}", f"mon/{A}"]),  # hex digits in any case
        ("11112", [f"panel_0/{B}"]),
        ("1111", [f"panel_0/{A}", f"panel_0/{B}", f"mon/{A}"]),
        ("panel_0/1111", [f"panel_0/{A}", f"panel_0/{B}"]),
        ("mon/1111", [f"mon/{A}"]),
        ("2222", []),
        ("not-a-job", []),
        ("/1111", []),
    ],
)
def test_jobs_are_named_by_id_number_or_unique_prefix(text, expected):
    assert [j.job_id for j in matching_jobs(JOBS, text)] == expected


def test_an_exact_number_wins_over_the_longer_ones_it_starts():
    jobs = (*JOBS, job("panel_0", C))
    assert [j.job_id for j in matching_jobs(jobs, f"panel_0/{C}")] == [f"panel_0/{C}"]


def test_what_cannot_be_a_job_id_is_told_apart_from_an_unknown_one():
    assert split_job_id("panel_0/6ab3") == ("panel_0", "6ab3")
    assert split_job_id("6AB3") == (None, "6ab3")
    assert split_job_id("panel_0/zz") is None
    assert split_job_id("/6ab3") is None
