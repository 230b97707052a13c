"""The reduction benchmark feeds each workflow through its instrument's
facility stream names and gets results: a figure from a job that published
nothing would be no figure at all."""

import pytest
from typer.testing import CliRunner

from livedata.cli.main import app
from livedata.services.bench_reduction import CASES, run_reduction_bench

pytestmark = pytest.mark.slow  # the instruments' science workflows


@pytest.mark.parametrize("workflow", sorted(CASES))
def test_every_benchmarked_reduction_publishes_its_results(workflow):
    result = run_reduction_bench(workflow, rate=1e5, seconds=1, warmup_seconds=1)
    assert result.results_published > 0
    assert result.dropped_events == 0
    assert result.events == pytest.approx(1e5, rel=0.05)


def test_an_unknown_workflow_is_one_line_and_exit_1():
    done = CliRunner().invoke(app, ["bench", "reduction", "--workflow", "dream/nope"])
    assert done.exit_code != 0
    assert "dream/nope" in done.output
    assert "Traceback" not in done.output
