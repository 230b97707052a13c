"""The plot wizard in a real browser (D16), on the event system: a 2-D
correlation histogram of counts against the motors (D14), axes offered from
what is on offer, fills exactly the bins the motors visited; a plot added
through the wizard survives a page reload and a plot server restart."""

from __future__ import annotations

import time

import numpy as np
import pytest

from .conftest import shot
from .page_tools import fill_number, image, select_containing

pytestmark = pytest.mark.slow


def open_page(browser, url: str):
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector(".cell-0", timeout=60_000)
    return page


def click(page, css: str) -> None:
    page.locator(f"{css} button").first.click()


def wizard_step(page, n: int) -> None:
    page.wait_for_selector(f"text=step {n} of 3", timeout=20_000)


def titled(page) -> None:
    """The added cell, with the title given in the wizard."""
    page.locator(".cell-6").get_by_text("Counts, latest window").wait_for(
        timeout=30_000
    )


def start_adding(page, workflow: str, output: str) -> None:
    click(page, ".add-cell")
    wizard_step(page, 1)
    select_containing(page, ".wizard-workflow", f"({workflow})")
    page.locator(".wizard-output select").select_option(output)
    click(page, ".wizard-next")
    wizard_step(page, 2)


def test_a_2d_correlation_histogram_fills_the_bins_the_motors_visited(
    browser, event_system, event_plots
):
    url, _ = event_plots()
    motors = event_system.motors
    motors.move(-60.0, -120.0)  # reported after the plot server started
    page = open_page(browser, url)
    start_adding(page, "dummy/panel_0_xy/2", "counts_total")
    page.locator(".wizard-plotter select").select_option("correlation")
    page.wait_for_selector(".wizard-x-axis select", state="visible")
    x_label = select_containing(page, ".wizard-x-axis", "motion1 timeseries")
    y_label = select_containing(page, ".wizard-y-axis", "motion2 timeseries")
    assert "[mm]" in x_label and "[deg]" in y_label  # offered with their units
    shot(page.locator(".plot-wizard"), "wizard-step-2-correlation")
    click(page, ".wizard-next")
    wizard_step(page, 3)
    # The bins start from each log's valid range (motion1 +-100 mm, motion2
    # +-180 deg); four bins per axis.
    assert page.locator(".param-x_start input").input_value() == "-100"
    assert page.locator(".param-y_stop input").input_value() == "180"
    fill_number(page, ".param-x_bins", 4)
    fill_number(page, ".param-y_bins", 4)
    fill_number(page, ".wizard-row", 3)
    shot(page.locator(".plot-wizard"), "wizard-step-3-correlation")
    click(page, ".wizard-finish")
    page.wait_for_selector(".cell-6", timeout=30_000)

    # The motors visit three positions, 3 s each (three windows or more).
    visits = [(-60.0, -120.0), (40.0, -120.0), (40.0, 30.0)]
    cells = {(0, 0), (0, 2), (2, 2)}  # (motion2 bin, motion1 bin) of each visit
    for m1, m2 in visits:
        motors.move(m1, m2)
        time.sleep(3.0)
    since = page.evaluate("Date.now()")
    deadline = time.monotonic() + 30
    drawn = None
    while time.monotonic() < deadline:
        drawn = image(page, "cell6-layer0")
        if drawn is not None and drawn["t"] > since:
            break
        page.wait_for_timeout(300)
    assert drawn is not None and drawn["t"] > since, drawn
    values = np.asarray(drawn["values"], dtype=float).reshape(drawn["shape"])
    assert values.shape == (4, 4)
    filled = {tuple(int(i) for i in ix) for ix in np.argwhere(values > 0)}
    assert filled == cells, values
    shot(page.locator(".cell-6"), "correlation-2d")


def test_a_plot_added_through_the_wizard_survives_a_reload_and_a_restart(
    browser, event_system, event_plots
):
    url, first = event_plots()
    page = open_page(browser, url)
    start_adding(page, "dummy/panel_0_xy/2", "counts_total")
    page.locator(".wizard-plotter select").select_option("number")
    click(page, ".wizard-next")
    wizard_step(page, 3)
    fill_number(page, ".wizard-row", 3)
    fill_number(page, ".wizard-col", 1)
    page.locator(".wizard-title input").fill("Counts, latest window")
    page.locator(".wizard-title input").press("Enter")
    click(page, ".wizard-finish")
    page.wait_for_selector(".cell-6", timeout=30_000)
    page.wait_for_selector(".cell-6 .big-number", timeout=30_000)
    shot(page, "wizard-added")

    page.reload()
    page.wait_for_selector(".cell-6", timeout=60_000)
    titled(page)
    page.wait_for_selector(".cell-6 .big-number", timeout=30_000)

    first.stop()
    url, _ = event_plots()  # the same state directory
    again = open_page(browser, url)
    again.wait_for_selector(".cell-6", timeout=60_000)
    titled(again)
    again.wait_for_selector(".cell-6 .big-number", timeout=30_000)
    shot(again, "wizard-after-restart")
