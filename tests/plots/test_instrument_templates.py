"""Every instrument's default grid template works: each layer gets results of
the shape its output template declares (real da00 bytes), and every cell
computes and renders without error. DREAM's 1.1 M-pixel banks arrive as
projected screens (the views' outputs), never per pixel."""

from __future__ import annotations

import numpy as np
import pytest
import scipp as sc

from livedata.control.data_service import DataService
from livedata.instruments import get_instrument
from livedata.instruments.grid import load_grid_templates
from livedata.plots.page import SessionPage
from livedata.plots.server import ServeOptions, build_context

from .helpers import Publisher

UNKNOWN_SIZE = 40


def frame(template, rng) -> sc.DataArray:
    sizes = {
        dim: size or UNKNOWN_SIZE
        for dim, size in zip(
            template.dims, template.shape or (None,) * template.ndim, strict=True
        )
    }
    values = rng.poisson(50, size=tuple(sizes.values())).astype(float)
    da = sc.DataArray(sc.array(dims=list(sizes), values=values, unit=template.unit))
    for name, coord in template.coords.items():
        if name == "time" or not all(d in sizes for d in coord.dims):
            continue
        n = [sizes[d] + (1 if coord.bin_edges else 0) for d in coord.dims]
        if len(n) == 1:
            da.coords[name] = sc.linspace(
                coord.dims[0], 1.0, 2.0, n[0], unit=coord.unit
            )
    if template.dims == ("time",):
        start = np.datetime64("2026-01-01T00:00:00", "ns")
        times = start + np.arange(sizes["time"]) * np.timedelta64(1, "s")
        da.coords["time"] = sc.array(dims=["time"], values=times)
    return da


@pytest.mark.parametrize("instrument", ["dummy", "dream", "loki", "bifrost", "tbl"])
def test_the_default_template_draws_every_layer(instrument, tmp_path):
    inst = get_instrument(instrument)
    template = load_grid_templates(instrument)[0]
    data = DataService()
    ctx = build_context(instrument, None, data, ServeOptions(state_dir=tmp_path))
    page = SessionPage(ctx)
    assert page.grid.name == template.name
    pub = Publisher(data, instrument)
    rng = np.random.default_rng(0)
    for cell in template.cells:
        for layer in cell.layers:
            spec = inst.workflows.spec(layer.parsed_workflow_id)
            for source in layer.source_names:
                output = spec.outputs_for(layer.workflow_params, source)[layer.output]
                pub.publish(
                    layer.workflow_id, source, 0, **{layer.output: frame(output, rng)}
                )
    ctx.updater.run_once()
    page.tick()
    for view in page.cells:
        for layer in view.layers:
            where = f"{instrument} {view.cell.title}"
            assert layer.feed.error is None, (where, layer.feed.error)
            assert layer.render_error is None, (where, layer.render_error)
            assert layer.feed.state is not None, where
            assert layer.rendered == layer.feed.version == 1, where
    if instrument == "dream":
        mantle = next(c for c in page.cells if c.cell.title == "Mantle").layers[0]
        assert mantle.feed.state.values.shape == (64, 90)  # a screen, not 1.1 M pixels
