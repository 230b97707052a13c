"""The denominator in pixel chunks is esssans's one-piece denominator (to rounding)."""

import numpy as np
import pytest
import scipp as sc
from ess.sans import conversions, i_of_q, normalization
from ess.sans.conversions import ElasticCoordTransformGraph
from ess.sans.types import (
    BinnedQ,
    CleanDirectBeam,
    CorrectedDetector,
    Denominator,
    QBins,
    SampleRun,
    UncertaintyBroadcastMode,
)

from livedata.instruments.loki.denominator import (
    binned_in_chunks,
    chunked_binned_denominator,
)
from livedata.instruments.loki.iofq import iofq_pipeline
from livedata.instruments.loki.iofq_spec import IofQParams

BANK = "loki_detector_2"  # a 12-tube panel off the carriage


@pytest.fixture(scope="module")
def inputs():
    wf = iofq_pipeline(BANK, IofQParams())
    detector = wf.compute(CorrectedDetector[SampleRun, Denominator])
    return {
        # One layer (21,504 pixels) keeps the one-piece reference cheap.
        "detector": detector["layer", 0:1],
        "direct_beam": wf.compute(CleanDirectBeam),
        "graph": wf.compute(ElasticCoordTransformGraph[SampleRun]),
        "q_bins": wf.compute(QBins),
    }


def one_piece(inputs, mode, keep=()):
    term = normalization.norm_detector_term_denominator(
        inputs["detector"], inputs["direct_beam"], mode
    )
    q = conversions.compute_Q(term, inputs["graph"])
    return i_of_q.bin_in_q(q, inputs["q_bins"], keep)


def chunked(inputs, mode, keep=(), chunk_pixels=1_000):
    return binned_in_chunks(
        inputs["detector"],
        inputs["direct_beam"],
        mode,
        inputs["graph"],
        inputs["q_bins"],
        keep,
        chunk_pixels=chunk_pixels,
    )


@pytest.mark.parametrize("keep", [(), ("straw",)])
def test_chunks_sum_to_the_one_piece_histogram(inputs, keep):
    mode = UncertaintyBroadcastMode.drop
    expected = one_piece(inputs, mode, keep)
    got = chunked(inputs, mode, keep)  # 22 chunks, the last one partial
    assert got.dims == expected.dims
    assert got.sizes == expected.sizes
    assert sc.identical(got.coords["Q"], expected.coords["Q"])
    assert expected.values.sum() > 0
    np.testing.assert_allclose(got.values, expected.values, rtol=1e-12, atol=0)


def test_a_direct_beam_with_variances_is_broadcast_in_one_piece(inputs):
    """esssans's upper bound scales the direct beam's variances with the pixels
    it meets: chunking would shrink it, so such a beam is not chunked."""
    beam = inputs["direct_beam"].copy()
    beam.variances = (0.01 * beam.values) ** 2
    with_variances = {**inputs, "direct_beam": beam}
    mode = UncertaintyBroadcastMode.upper_bound
    expected = one_piece(with_variances, mode)
    got = chunked(with_variances, mode)
    np.testing.assert_allclose(got.variances, expected.variances, rtol=1e-12)
    np.testing.assert_allclose(got.values, expected.values, rtol=1e-12)


def test_the_pipeline_bins_the_denominator_in_chunks():
    import sciline

    pipeline = iofq_pipeline(BANK, IofQParams())
    graph = pipeline.get(
        BinnedQ[SampleRun, Denominator], handler=sciline.HandleAsComputeTimeException()
    )._graph
    assert graph[BinnedQ[SampleRun, Denominator]].func is chunked_binned_denominator
