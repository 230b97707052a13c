"""The start form generated from the params model: defaults, errors at the field,
switches, selects, auxiliary inputs and the last config restored (G5)."""

from __future__ import annotations

from textual.widgets import Select, SelectionList, Switch

from livedata.core.commands import WorkflowConfig
from livedata.instruments import get_instrument
from livedata.workflows.edges import CoordinateMode
from livedata_tui.app import LivedataApp
from livedata_tui.screens.start_job import StartJobScreen

from .conftest import SIZE
from .helpers import open_form, pilot_test, until
from .scene import PANEL_XY, System, previous_session_config


def configs(system) -> list[WorkflowConfig]:
    return [c for c in system.commands_on_bus() if isinstance(c, WorkflowConfig)]


@pilot_test
async def test_form_fills_defaults_and_shows_errors_at_the_field(system, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "monitor_histogram")
        assert (
            form.query_one("#f-coordinate_mode").value is CoordinateMode.TIME_OF_ARRIVAL
        )
        assert form.query_one("#f-toa_edges-num_bins").value == "100"
        assert form.query_one("#f-toa_edges-start").value == "0.0"
        assert "≥" not in str(form.query_one(".hint").render())
        form.query_one("#f-toa_edges-num_bins").value = "0"
        form.query_one("#f-wavelength_edges-stop").value = "0.1"  # below start 0.5
        await pilot.press("ctrl+s")
        await pilot.pause()
        bins_error = str(form.query_one("#err-toa_edges-num_bins").render())
        assert "greater than or equal to 1" in bins_error
        group_error = str(form.query_one("#err-wavelength_edges").render())
        assert "stop must be greater than start" in group_error
        assert str(form.query_one("#err-toa_edges-start").render()) == ""
        assert isinstance(app.screen, StartJobScreen)
        assert configs(system) == []
        form.query_one("#f-toa_edges-num_bins").value = "abc"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a whole number" in str(
            form.query_one("#err-toa_edges-num_bins").render()
        )
        form.query_one("#f-toa_edges-num_bins").value = "50"
        form.query_one("#f-wavelength_edges-stop").value = "5"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(configs(system)) == 2)
        assert not isinstance(app.screen, StartJobScreen)
        assert {c.params["toa_edges"]["num_bins"] for c in configs(system)} == {50}


@pilot_test
async def test_switches_and_selects_reach_the_params(system, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "panel_0_xy")
        switch = form.query_one("#f-toa_range-enabled", Switch)
        assert switch.value is False  # the model's default
        switch.focus()
        await pilot.press("space")
        assert switch.value is True
        mode = form.query_one("#f-coordinate_mode", Select)
        mode.focus()
        await pilot.press("enter", "down", "down", "enter")  # the third choice
        assert mode.value is CoordinateMode.WAVELENGTH
        unit = form.query_one("#f-toa_edges-unit", Select)
        unit.value = "us"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(configs(system)) == 1)
    (config,) = configs(system)
    assert str(config.identifier) == PANEL_XY
    assert config.params["toa_range"]["enabled"] is True
    assert config.params["coordinate_mode"] == "wavelength"
    assert config.params["toa_edges"]["unit"] == "us"


@pilot_test
async def test_aux_inputs_are_selects_and_an_optional_one_can_be_left_out(tmp_path):
    system = System(tmp_path, "loki")
    specs = get_instrument("loki").workflows.specs()
    app = LivedataApp(system.plane, workflows=specs, clock=system.clock)
    try:
        async with app.run_test(size=(120, 60)) as pilot:
            form = await open_form(pilot, "loki/i_of_q")
            incident = form.query_one("#aux-incident_monitor", Select)
            transmission = form.query_one("#aux-transmission_monitor", Select)
            assert incident.value == "beam_monitor_m1"
            assert transmission.value == "beam_monitor_m3"
            assert transmission._allow_blank  # optional: may be left out
            transmission.clear()
            sources = form.query_one("#sources", SelectionList)
            sources.deselect_all()
            sources.select("loki_detector_2")
            form.query_one("#f-correct_transmission", Switch).value = False
            await pilot.press("ctrl+s")
            await until(pilot, lambda: len(configs(system)) == 1)
    finally:
        system.close()
    (config,) = configs(system)
    assert config.job_id.source_name == "loki_detector_2"
    assert config.aux_source_names["incident_monitor"] == "beam_monitor_m1"
    assert "transmission_monitor" not in config.aux_source_names  # left out
    assert config.params["correct_transmission"] is False


@pilot_test
async def test_no_source_chosen_is_an_error_at_the_field(system, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "monitor_histogram")
        form.query_one("#sources", SelectionList).deselect_all()
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(app.screen.query_one("#err-sources").render())
        assert error == "⚠ choose at least one source"
        assert isinstance(app.screen, StartJobScreen)
        assert configs(system) == []


@pilot_test
async def test_form_opens_with_the_config_restored_from_the_commands_topic(
    system, make_app
):
    system.feed.command(previous_session_config())
    assert system.plane.restore_configs(1.0) == 1
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "monitor_histogram")
        assert form.query_one("#sources", SelectionList).selected == ["monitor2"]
        assert form.query_one("#f-toa_edges-num_bins").value == "42"
        assert form.query_one("#f-toa_edges-start").value == "0.0"  # a default
        form.query_one("#f-toa_edges-num_bins").value = "7"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(configs(system)) == 2)
        form = await open_form(pilot, "monitor_histogram")  # again: the last started
        assert form.query_one("#f-toa_edges-num_bins").value == "7"


@pilot_test
async def test_the_facility_version_has_its_own_form_and_sends_its_params(
    system, make_app
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot, "dummy/monitor_histogram/1")
        assert str(form.spec.workflow_id) == "dummy/monitor_histogram/1"
        assert form.query_one("#f-toa_edges-stop").value == "71.43"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(configs(system)) == 2)
        sent = configs(system)[0]
        assert str(sent.identifier) == "dummy/monitor_histogram/1"
        assert sent.params["coordinate_mode"] == {"mode": "toa"}
        assert sent.params["toa_range"]["unit"] == "\u03bcs"
