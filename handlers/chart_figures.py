"""Drawing the progress charts: the shipped CJK font, the two figures, and PNG bytes.

Figures are built with matplotlib's object API on an Agg canvas (no pyplot, no global figure state), and every
Chinese label is drawn with the font shipped in bot/assets, passed explicitly to each text, so a server without
any CJK system font still renders them, and two charts drawn at once cannot change each other's font.
matplotlib is imported on first use: it costs a second of start-up that other commands need not pay.
What to draw is decided in handlers.report_chart, from the ledger.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

FONT_FILE = "PlanbotCJKSans-Regular.otf"
DPI = 120

# (key, legend, colour), in the order the bars are stacked from the left
STATUSES = (
    ("done", "已完成 done", "#2e7d32"),
    ("on_track", "正常推进 on track", "#90a4ae"),
    ("yellow", "黄灯 7天内到期 due ≤7d", "#f9a825"),
    ("red", "红灯 逾期 overdue", "#c62828"),
)
REVIEW_STYLES = {  # marker, colour, size, label
    "annual_monitoring": ("o", "#1565c0", 60, "年度监测 annual monitoring"),
    "mid_term_review": ("D", "#ef6c00", 110, "中期评估 mid-term review"),
    "final_review": ("*", "#c62828", 260, "总结评估 final review"),
}
REVIEW_NAMES = {"annual_monitoring": "年度监测", "mid_term_review": "中期评估", "final_review": "总结评估"}

# matplotlib's pyplot-free API is safe for separate figures, but its font cache and text layout are shared
_RENDER_LOCK = threading.Lock()


# -- the font -------------------------------------------------------------------------------------------------


def font_path() -> Path:
    return Path(str(resources.files("bot") / "assets" / FONT_FILE))


@lru_cache(maxsize=1)
def chart_font() -> FontProperties:
    """The shipped CJK font, registered with matplotlib's font manager on the first chart (not at import)."""
    from matplotlib import font_manager

    path = font_path()
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall planbot (pip install -e .)")
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path))


# -- drawing --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusBar:
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def status_figure(bars: list[StatusBar], *, title: str, today: date) -> Figure:
    """Horizontal stacked bars: one row per department, segments done / on track / 黄灯 / 红灯."""
    font = chart_font()
    height = 2.0 + 0.34 * max(len(bars), 1)
    figure = _new_figure(10.0, height)
    axes = figure.add_subplot()
    axes.set_title(f"{title}（截至 {today.isoformat()}）", fontproperties=font, fontsize=13, loc="left")
    if not bars:
        axes.set_axis_off()
        axes.text(
            0.5,
            0.5,
            "台账中还没有任务。先用 planbot ingest 导入规划文件。\nNo tasks in the ledger yet.",
            ha="center",
            va="center",
            fontproperties=font,
            fontsize=12,
            transform=axes.transAxes,
        )
        return figure
    ordered = list(reversed(bars))  # barh draws bottom-up; the most overdue goes on top
    positions = range(len(ordered))
    left = [0] * len(ordered)
    widest = max(bar.total for bar in bars)
    for key, legend, colour in STATUSES:
        values = [bar.counts.get(key, 0) for bar in ordered]
        axes.barh(positions, values, left=left, color=colour, label=legend, height=0.7, edgecolor="white")
        for position, (start, value) in enumerate(zip(left, values, strict=True)):
            if value and value >= widest * 0.04:
                text_colour = "black" if key in ("yellow", "on_track") else "white"
                axes.text(
                    start + value / 2,
                    position,
                    str(value),
                    ha="center",
                    va="center",
                    color=text_colour,
                    fontsize=8,
                )
        left = [start + value for start, value in zip(left, values, strict=True)]
    axes.set_yticks(list(positions))
    axes.set_yticklabels([bar.label for bar in ordered], fontproperties=font, fontsize=10)
    axes.set_xlabel("任务数 / tasks", fontproperties=font)
    axes.set_xlim(0, widest * 1.05)
    axes.set_ylim(-0.6, len(ordered) - 0.4)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(prop=font, loc="outside lower center", ncols=4, frameon=False, fontsize=9)
    return figure


@dataclass(frozen=True)
class CalendarPoint:
    row: str  # the plan, as "辖区 《title》"
    kind: str
    due_on: date
    year: int


def calendar_figure(points: list[CalendarPoint], deadlines: list[date], *, title: str, today: date) -> Figure:
    """Review events of each plan on a time axis, with the open task deadlines per month beneath."""
    import matplotlib.dates as mdates

    font = chart_font()
    rows = list(dict.fromkeys(point.row for point in sorted(points, key=lambda p: (p.row, p.due_on))))
    height = 3.0 + 0.8 * max(len(rows), 1)
    figure = _new_figure(11.0, height)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[max(len(rows), 1) * 0.8 + 0.6, 1.4])
    top.set_title(f"{title}（{today.isoformat()}）", fontproperties=font, fontsize=13, loc="left", pad=16)
    dates = [point.due_on for point in points] + deadlines + [today]
    first, last = min(dates), max(dates)
    first, last = date(first.year, 1, 1), date(last.year, 12, 31)
    for kind, (marker, colour, size, legend) in REVIEW_STYLES.items():
        chosen = [point for point in points if point.kind == kind]
        if not chosen:
            continue
        top.scatter(
            [p.due_on for p in chosen],
            [rows.index(p.row) for p in chosen],
            marker=marker,
            s=size,
            color=colour,
            label=legend,
            zorder=3,
        )
        for point in chosen:
            # yearly monitoring is labelled above its marker and the reviews below: the final review (12-31)
            # and the last monitoring (01-31 next) sit a month apart and would overprint each other
            above = kind == "annual_monitoring"
            words = (
                f"{point.year}年度\n{point.due_on:%m-%d}"
                if above
                else (f"{REVIEW_NAMES[kind]}\n{point.due_on.isoformat()}")
            )
            top.annotate(
                words,
                (mdates.date2num(point.due_on), rows.index(point.row)),
                xytext=(0, 8 if above else -10),
                textcoords="offset points",
                ha="center",
                va="top" if not above else "bottom",
                fontproperties=font,
                fontsize=7,
                color=colour,
            )
    top.set_yticks(range(len(rows)))
    top.set_yticklabels(rows, fontproperties=font, fontsize=9)
    top.set_ylim(len(rows) - 0.3, -0.7)  # first plan on top, with room for the labels above and below
    if not rows:
        top.text(
            0.5,
            0.5,
            "还没有评估节点。导入五年规划纲要后会自动生成。\nNo review events yet.",
            ha="center",
            va="center",
            fontproperties=font,
            transform=top.transAxes,
        )
    for axes in (top, bottom):
        axes.axvline(today, color="#455a64", linestyle="--", linewidth=1)
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="x", color="#eceff1")
    top.text(
        mdates.date2num(today),
        1.0,
        " 今天 today",
        transform=top.get_xaxis_transform(),
        fontproperties=font,
        fontsize=8,
        color="#455a64",
        va="bottom",
    )
    months = Counter(date(day.year, day.month, 15) for day in deadlines)
    bottom.bar(list(months), list(months.values()), width=25, color="#78909c")
    bottom.set_ylabel("到期任务\ndeadlines", fontproperties=font, fontsize=9)
    bottom.yaxis.get_major_locator().set_params(integer=True)
    bottom.set_xlim(first - timedelta(days=20), last + timedelta(days=20))
    bottom.xaxis.set_major_locator(mdates.YearLocator())
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    if points:
        figure.legend(prop=font, loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    return figure


def render(figure: Figure) -> bytes:
    """PNG bytes of a figure, under one lock. A character the font lacks draws as a box instead of a warning."""
    with _RENDER_LOCK, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        return png_bytes(figure)


def describe_png(png: bytes) -> dict[str, Any]:
    """Width and height of a PNG, read from its header (for tests and the CLI's confirmation line)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return {
        "width": int.from_bytes(png[16:20], "big"),
        "height": int.from_bytes(png[20:24], "big"),
        "bytes": len(png),
    }
