"""Results: latest value per output stream, with a trend; detail plots per shape.

0-d outputs show their history as a sparkline; 1-d outputs a plotext plot of the
latest values when the snapshot carries them (``summary["values"]``) and the
plotext extra is installed, else a sparkline; ROI spectra (``roi`` x spectral)
one curve per ROI beside the job's confirmed ROIs (D12); ROI readbacks their
shapes; other 2-d outputs a numeric summary (the full image belongs in the plot
server, not in a terminal).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from livedata.control.snapshots import ResultRow, Snapshot

from .. import formatting as fmt
from ..messages import CopyText, OpenPlot, OpenScreen
from ..widgets.synced_table import Column
from .base import LiveScreen, TableScreen


def latest(r: ResultRow) -> float | None:
    for name in ("value", "sum", "last", "mean"):
        value = r.summary.get(name)
        if isinstance(value, int | float):
            return value
    return None


def shape_text(r: ResultRow) -> str:
    return "x".join(map(str, r.shape)) if r.shape else "scalar"


# At 120 columns every column shows without scrolling sideways, also beside a
# vertical scrollbar: names longer than NAME_WIDTH end in an ellipsis (Enter
# shows them whole), the trend is the last TREND_WIDTH values.
NAME_WIDTH = 17
TREND_WIDTH = 8


class ResultsScreen(TableScreen):
    view_name = "Results"
    columns = (
        Column("workflow", "WORKFLOW", max_width=NAME_WIDTH, priority=1),
        Column("job", "JOB", max_width=NAME_WIDTH, min_width=NAME_WIDTH),
        Column("output", "OUTPUT", max_width=NAME_WIDTH, min_width=12),
        Column("shape", "SHAPE", 9, priority=3),
        Column("unit", "UNIT", 7, priority=5),
        Column("latest", "VALUE", 8),
        Column("max", "MAX", 8, priority=4),
        Column("trend", "TREND", TREND_WIDTH, priority=6),
        Column("age", "UPDATED", 7, priority=2),
    )

    def rows(self, snapshot: Snapshot):
        now = self.state.now
        return {
            r.key: (
                fmt.short_workflow(r.workflow_id),
                fmt.short_job(r.job_id),
                r.output_name,
                shape_text(r),
                r.unit or "",
                fmt.number(latest(r), 2),
                fmt.number(r.summary.get("max"), 2),
                fmt.sparkline(r.history, TREND_WIDTH),
                fmt.age(now - r.updated_s),
            )
            for r in snapshot.results
        }

    BINDINGS = [
        Binding("p", "plot", "Plot", id="result.plot"),
        Binding("c", "copy_id", "Copy job id", id="result.copy"),
    ]

    def open_detail(self, key: str) -> None:
        self.post_message(OpenScreen(ResultScreen(key)))

    def action_copy_id(self) -> None:
        """The full id of the selected result's job (the table shows it short)."""
        row = self._selected()
        if row is not None:
            self.post_message(CopyText(row.job_id, "job id"))

    def _selected(self) -> ResultRow | None:
        key = self.table.selected_key()
        return next((r for r in self.state.snapshot.results if r.key == key), None)

    def action_plot(self) -> None:
        """Open the selected output in the plot server (started if need be)."""
        row = self._selected()
        if row is not None:
            self.post_message(OpenPlot(row))


def _plot_widget():
    """A plotext plot widget, or None when the optional extra is not installed."""
    try:
        from textual_plotext import PlotextPlot
    except ImportError:
        return None
    return PlotextPlot(id="plot")


class ResultScreen(LiveScreen):
    """One result stream: numbers, and a plot or sparkline that follows updates."""

    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.view_name = "Result"
        self._drawn: tuple | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(id="result"):
            yield Static("", id="numbers")
            plot = _plot_widget()
            if plot is not None:
                yield plot
            yield Sparkline([], id="spark")
        yield from self.compose_footer()

    def show(self, snapshot: Snapshot) -> None:
        row = next((r for r in snapshot.results if r.key == self.key), None)
        numbers = self.query_one("#numbers", Static)
        if row is None:
            numbers.update("this result is no longer in the snapshot")
            return
        self.view_name = f"Result {row.output_name}"
        drawn = (
            row.updated_s,
            row.history,
            tuple(sorted(row.summary.items(), key=str)),
        )
        if drawn == self._drawn:
            return
        self._drawn = drawn
        numbers.update(self._numbers(row) + readbacks_text(snapshot, row))
        values = row.summary.get("values")
        curve = values if len(row.dims) == 1 and isinstance(values, list) else None
        many = row.summary.get("curves")
        plots = self.query("#plot")
        spark = self.query_one("#spark", Sparkline)
        if isinstance(many, dict) and many and plots:
            plots.first().display = True
            spark.display = False
            self._plot_curves(plots.first(), row, many)
        elif curve is not None and plots:
            plots.first().display = True
            spark.display = False
            self._plot(plots.first(), row, curve)
        else:
            for plot in plots:
                plot.display = False
            spark.display = len(row.dims) < 2
            spark.data = fmt.resample(curve if curve is not None else row.history, 200)

    @staticmethod
    def _numbers(row: ResultRow) -> str:
        lines = [
            f"[b]{row.output_name}[/b]  of {row.workflow_id}  job {row.job_id}",
            f"dims ({', '.join(row.dims)})  shape {shape_text(row)}  unit {row.unit or '-'}",
        ]
        for name, value in row.summary.items():
            if isinstance(value, int | float):
                exact = f"{value:,.4f}".rstrip("0").rstrip(".")
                lines.append(f"  {name:<10} {exact}")
        if not row.dims:
            lines.append(f"  history    {len(row.history)} values")
        for shape in row.summary.get("rois", ()):
            lines.append(f"  ROI {shape}")
        return "\n".join(lines)

    @staticmethod
    def _plot_curves(widget, row: ResultRow, curves: dict[str, list]) -> None:
        """One curve per ROI, coloured by its index as the plot server colours it."""
        plt = widget.plt
        plt.clear_data()
        for label, values in curves.items():
            plt.plot(
                curve_x(row, len(values)),
                list(values),
                marker="braille",
                label=f"ROI {label}",
                color=roi_colour(label),
            )
        plt.title(f"{row.output_name} [{row.unit or ''}]")
        plt.xlabel(curve_label(row))
        widget.refresh()

    @staticmethod
    def _plot(widget, row: ResultRow, values: Sequence[float]) -> None:
        plt = widget.plt
        plt.clear_data()
        # An explicit colour: plotext takes the next one of the theme current at
        # this call, which differs before and after the widget's first render.
        plt.plot(
            curve_x(row, len(values)), list(values), marker="braille", color="blue+"
        )
        plt.title(f"{row.output_name} [{row.unit or ''}]")
        plt.xlabel(curve_label(row))
        widget.refresh()


def curve_x(row: ResultRow, n: int) -> list[float]:
    """Bin centres when the summary carries them (and they match), else indices."""
    x = row.summary.get("x")
    return list(x) if isinstance(x, list) and len(x) == n else list(range(n))


def curve_label(row: ResultRow) -> str:
    """``tof [us]`` from the summary's label and unit; the dim when absent."""
    label = row.summary.get("x_label") or row.dims[0]
    unit = row.summary.get("x_unit")
    return f"{label} [{unit}]" if unit else str(label)


def roi_colour(label: str) -> tuple[int, int, int] | str:
    """The shared colour of ROI ``label`` (livedata.control.roi) as plotext RGB."""
    from livedata.control.roi import roi_colour as hex_colour

    try:
        code = hex_colour(int(label)).lstrip("#")
    except ValueError:
        return "white"
    return (int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16))


def readbacks_text(snapshot: Snapshot, row: ResultRow) -> str:
    """For ROI spectra: the confirmed ROIs of the same job (its readback rows)."""
    if not row.output_name.startswith("roi_spectra"):
        return ""
    lines = [
        f"  ROI {shape}"
        for other in snapshot.results
        if other.job_id == row.job_id and other.output_name in READBACKS
        for shape in other.summary.get("rois", ())
    ]
    header = "\nconfirmed ROIs (service readback):"
    return "\n".join([header, *lines]) if lines else f"{header} none"


READBACKS = ("roi_rectangle", "roi_polygon")
