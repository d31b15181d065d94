"""A chart of each indicator's reported values against its path from base to target (small multiples).

Each panel shows the path (dashed), the base and the target, the values reported so far (dots joined by a
line) and the status in the panel's title colour. Chinese is drawn with the shipped CJK font, like the
progress charts (handlers.chart_figures); matplotlib is imported when the first chart is drawn.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from handlers.chart_figures import DPI, chart_font, render, shorten
from handlers.indicator_status import STATUS_LABELS, facts_of, path_value
from handlers.indicator_views import JudgedIndicator

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

COLUMNS = 3
PANEL_WIDTH, PANEL_HEIGHT = 4.0, 2.7
MOST_PANELS = 30  # a chart of more is unreadable: filter by plan or department
STATUS_COLOURS = {
    "on_track": "#2e7d32",
    "yellow": "#f9a825",
    "red": "#c62828",
    "unreported": "#757575",
    "no_value": "#455a64",
    "unjudged": "#455a64",
}
PATH_COLOUR, VALUE_COLOUR = "#90a4ae", "#1565c0"


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def path_points(item: JudgedIndicator) -> list[tuple[int, float]]:
    """(year, where the indicator should stand) for every year from its base to its target."""
    indicator = item.row.indicator
    if indicator.base_year is None or indicator.target_year is None:
        return []
    facts = facts_of(indicator)
    points = []
    for year in range(indicator.base_year, indicator.target_year + 1):
        value = path_value(facts, year)
        if value is not None:
            points.append((year, value))
    return points


def value_points(item: JudgedIndicator) -> list[tuple[int, float]]:
    return [(year, value.number) for year, value in item.row.values.items() if value.number is not None]


def indicators_figure(items: list[JudgedIndicator], *, title: str, today: date) -> Figure:
    font = chart_font()
    shown = items[:MOST_PANELS]
    rows = max(1, -(-len(shown) // COLUMNS))
    figure = _new_figure(PANEL_WIDTH * COLUMNS, 0.8 + PANEL_HEIGHT * rows)
    more = f"（共 {len(items)} 项，图中前 {MOST_PANELS} 项）" if len(items) > MOST_PANELS else ""
    figure.suptitle(
        f"{title}（截至 {today.isoformat()}）{more}", fontproperties=font, fontsize=13, x=0.01, ha="left"
    )
    if not shown:
        axes = figure.add_subplot()
        axes.set_axis_off()
        axes.text(
            0.5,
            0.5,
            "还没有指标。先导入含主要指标表的规划。\nNo indicators yet.",
            ha="center",
            va="center",
            fontproperties=font,
            fontsize=12,
            transform=axes.transAxes,
        )
        return figure
    grid = figure.subplots(rows, COLUMNS, squeeze=False)
    for index, axes in enumerate(grid.flat):
        if index < len(shown):
            _panel(axes, shown[index], font)
        else:
            axes.set_axis_off()
    return figure


def _panel(axes: Axes, item: JudgedIndicator, font) -> None:  # type: ignore[no-untyped-def]
    indicator = item.row.indicator
    status = item.judgement.status
    unit = f"（{indicator.unit}）" if indicator.unit else ""
    axes.set_title(
        f"#{indicator.id} {shorten(indicator.name, 16)}{unit}\n{STATUS_LABELS[status].split(' ', 1)[-1]}",
        fontproperties=font,
        fontsize=9,
        color=STATUS_COLOURS[status],
        loc="left",
    )
    path = path_points(item)
    if path:
        axes.plot(*zip(*path, strict=True), linestyle="--", color=PATH_COLOUR, label="进度线 path")
        axes.scatter([path[-1][0]], [path[-1][1]], marker="*", s=90, color=PATH_COLOUR, zorder=3)
    values = value_points(item)
    if values:
        axes.plot(*zip(*values, strict=True), marker="o", color=VALUE_COLOUR, label="实际值 reported")
    if not path and not values:
        axes.text(
            0.5,
            0.5,
            f"目标：{indicator.target_value or '—'}",
            ha="center",
            va="center",
            fontproperties=font,
            fontsize=9,
            transform=axes.transAxes,
        )
        axes.set_xticks([])
        axes.set_yticks([])
    years = [year for year, _ in path + values]
    if years:
        axes.set_xticks(range(min(years), max(years) + 1))
    axes.tick_params(labelsize=7)
    axes.spines[["top", "right"]].set_visible(False)
    if path and values:
        small = font.copy()
        small.set_size(7)
        axes.legend(prop=small, frameon=False, loc="best")


def indicators_chart_png(items: list[JudgedIndicator], *, title: str, today: date) -> bytes:
    return render(indicators_figure(items, title=title, today=today))
