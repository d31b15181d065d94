"""The progress charts: statuses counted right, PNGs of the expected size with ink where the labels are, and
Chinese drawn with real glyphs from the shipped font (not the empty boxes a font without CJK draws)."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session

from handlers import report_chart
from handlers.report_chart import (
    CalendarPoint,
    ChartSubjectNotFound,
    StatusBar,
    calendar_figure,
    chart_font,
    department_status_png,
    describe_png,
    render,
    review_calendar_png,
    status_bars,
    status_figure,
    status_of,
)
from storage.db import session_factory
from storage.queries import TaskRow, find_tasks
from tests.handlers.chart_ledger import TODAY, store_chart_ledger


@pytest.fixture
def ledger(sqlite_engine: Engine) -> Iterator[Session]:
    with session_factory(sqlite_engine)() as session:
        store_chart_ledger(session)
        yield session


# -- counting -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "due_on", "expected"),
    [
        ("done", date(2025, 1, 1), "done"),
        ("open", date(2025, 6, 15), "red"),
        ("in_progress", date(2025, 6, 16), "yellow"),
        ("open", date(2025, 6, 23), "yellow"),
        ("open", date(2025, 6, 24), "on_track"),
        ("open", None, "on_track"),
        ("archived", date(2025, 1, 1), None),
    ],
)
def test_status_of_follows_the_reminders_lights(
    status: str, due_on: date | None, expected: str | None
) -> None:
    assert status_of(status, due_on, TODAY) == expected


def test_bars_count_each_department_once_per_task_most_overdue_first(ledger: Session) -> None:
    bars = status_bars(find_tasks(session=ledger), TODAY)
    assert [bar.label for bar in bars] == ["区发展改革局", "区财政局"]
    assert bars[0].counts == {"red": 1, "yellow": 1, "on_track": 1}
    assert bars[1].counts == {"on_track": 1, "done": 1}


def test_bars_by_plan_for_one_department(ledger: Session) -> None:
    rows = [row for row in find_tasks(session=ledger) if row.department == "区财政局"]
    bars = status_bars(rows, TODAY, by_plan=True)
    assert len(bars) == 1 and bars[0].label.startswith("临河区国民经济") and bars[0].total == 2


# -- the pictures ---------------------------------------------------------------------------------------------


def _pixels_for(inches: float) -> int:
    return int(inches * report_chart.DPI)  # matplotlib truncates the canvas size


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def _ink_in(pixels: np.ndarray, box, margin: int = 2) -> int:  # type: ignore[no-untyped-def]
    """Inked (clearly not white) pixels inside a text's window extent (display coordinates: origin bottom left)."""
    height = pixels.shape[0]
    top, bottom = int(height - box.y1) - margin, int(height - box.y0) + margin
    left, right = int(box.x0) - margin, int(box.x1) + margin
    return int((pixels[max(top, 0) : bottom, max(left, 0) : right] < 200).sum())


def test_department_png_has_its_size_and_ink_where_the_labels_are() -> None:
    bars = [
        StatusBar("区发展改革局", {"red": 2, "yellow": 1, "on_track": 4}),
        StatusBar("区财政局", {"done": 3, "on_track": 1}),
        StatusBar("各镇（街道）", {"on_track": 2}),
    ]
    figure = status_figure(bars, title="临河区 各部门任务状态", today=TODAY)
    png = render(figure)
    size = describe_png(png)
    assert (size["width"], size["height"]) == (1200, _pixels_for(2.0 + 0.34 * 3))
    pixels = _pixels(png)
    assert pixels.shape == (size["height"], size["width"])
    renderer = figure.canvas.get_renderer()
    axes = figure.axes[0]
    labels = [label for label in axes.get_yticklabels() if label.get_text()]
    assert [label.get_text() for label in labels] == ["各镇（街道）", "区财政局", "区发展改革局"]
    title = next(text for text in figure.findobj(Text) if text.get_text().startswith("临河区 各部门任务状态"))
    for label in [*labels, title, *figure.legends[0].get_texts()]:
        box = label.get_window_extent(renderer)
        assert box.width > 20, label.get_text()
        assert _ink_in(pixels, box) > 40, f"no ink where {label.get_text()!r} should be"
    # the bars themselves: red, yellow and grey-blue segments are all there
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    for colour in ("#c62828", "#f9a825", "#90a4ae", "#2e7d32"):
        wanted = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(rgb - wanted).sum(axis=1) < 12).sum() > 500, colour


def test_calendar_png_marks_each_review_with_labelled_plans() -> None:
    points = [
        CalendarPoint("临河区 《十四五规划纲要》", "annual_monitoring", date(year + 1, 1, 31), year)
        for year in range(2021, 2026)
    ] + [
        CalendarPoint("临河区 《十四五规划纲要》", "mid_term_review", date(2023, 6, 30), 2023),
        CalendarPoint("临河区 《十四五规划纲要》", "final_review", date(2025, 12, 31), 2025),
    ]
    figure = calendar_figure(points, [date(2025, 6, 30), date(2025, 12, 31)], title="评估日历", today=TODAY)
    png = render(figure)
    size = describe_png(png)
    assert size["width"] == 1320 and size["height"] == _pixels_for(3.0 + 0.8)
    pixels = _pixels(png)
    renderer = figure.canvas.get_renderer()
    top = figure.axes[0]
    texts = [label for label in top.get_yticklabels() if label.get_text()]
    texts += [text for text in top.texts if "中期评估" in text.get_text() or "总结评估" in text.get_text()]
    assert len(texts) == 3
    for text in texts:
        assert _ink_in(pixels, text.get_window_extent(renderer)) > 40, text.get_text()


def test_charts_from_the_ledger(ledger: Session) -> None:
    status = department_status_png(session=ledger, today=TODAY)
    assert describe_png(status)["width"] == 1200
    assert describe_png(status)["height"] == _pixels_for(2.0 + 0.34 * 2)
    one = department_status_png(session=ledger, jurisdiction="临河区", department="区财政局", today=TODAY)
    assert describe_png(one)["height"] == _pixels_for(2.0 + 0.34)
    calendar = review_calendar_png(session=ledger, jurisdiction="临河", today=TODAY)
    assert describe_png(calendar)["width"] == 1320
    assert (_pixels(calendar) < 128).sum() > 5000


def test_unknown_subjects_say_what_exists(ledger: Session) -> None:
    with pytest.raises(ChartSubjectNotFound) as error:
        department_status_png(session=ledger, jurisdiction="莱芜区", today=TODAY)
    assert "临河区" in error.value.zh
    with pytest.raises(ChartSubjectNotFound) as error:
        department_status_png(session=ledger, department="区水务局", today=TODAY)
    assert "区水务局" in error.value.zh and "区财政局" in error.value.zh  # the nearest names are offered


def test_an_empty_ledger_still_draws_a_chart_that_says_so(sqlite_engine: Engine) -> None:
    with session_factory(sqlite_engine)() as session:
        png = department_status_png(session=session, today=TODAY)
        calendar = review_calendar_png(session=session, today=TODAY)
    assert describe_png(png)["height"] > 200 and describe_png(calendar)["height"] > 200
    assert (_pixels(png) < 128).sum() > 1000


# -- the font -------------------------------------------------------------------------------------------------


def _render_word(word: str, family_or_font) -> np.ndarray:  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2.0, 0.6), dpi=100)
    FigureCanvasAgg(figure)
    figure.text(0.05, 0.3, word, fontsize=20, **family_or_font)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return _pixels(buffer.getvalue())


def test_chinese_renders_as_real_glyphs_not_tofu() -> None:
    font = chart_font()
    assert font.get_file().endswith("bot/assets/PlanbotCJKSans-Regular.otf")
    ours = {character: _render_word(character, {"fontproperties": font}) for character in "区局评估"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DejaVu lacks these glyphs and says so: that is the point
        tofu = {character: _render_word(character, {"family": "DejaVu Sans"}) for character in "区局评估"}
    # a font without CJK draws the same empty box for every character; ours draws four different shapes
    assert len({array.tobytes() for array in tofu.values()}) == 1
    assert len({array.tobytes() for array in ours.values()}) == 4
    for character in "区局评估":
        assert not np.array_equal(ours[character], tofu[character])
        assert (ours[character] < 128).sum() > 30


def test_the_font_covers_every_label_the_samples_produce(ledger: Session) -> None:
    from matplotlib.ft2font import FT2Font

    covered = set(FT2Font(str(report_chart.font_path())).get_charmap())
    words = "各部门任务状态规划评估日历年度监测中期评估总结评估已完成正常推进黄灯红灯逾期截至今天（）《》、"
    words += "".join(row.department or "" for row in find_tasks(session=ledger))
    assert {character for character in words if ord(character) not in covered} == set()


def test_matplotlib_and_the_font_load_at_chart_time_not_at_import() -> None:
    probe = (
        "import sys, handlers.report_chart, bot.cli\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at start-up'\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)


def _row(jurisdiction: str, department: str, task_id: int) -> TaskRow:
    return TaskRow(
        id=task_id,
        jurisdiction=jurisdiction,
        plan_id=1,
        plan_title="纲要",
        department_id=1,
        department=department,
        role="lead",
        via_collective=None,
        action="任务",
        evidence="",
        section="",
        due_on=None,
        recurrence=None,
        starts_on=None,
        kind="task",
        status="open",
        percent=0,
        version=1,
    )


def test_same_names_in_two_jurisdictions_stay_apart() -> None:
    bars = status_bars(
        [_row("临河区", "各部门", 1), _row("青川市", "各部门", 2), _row("青川市", "各部门", 3)], TODAY
    )
    assert [(bar.label, bar.total) for bar in bars] == [("青川市 各部门", 2), ("临河区 各部门", 1)]
    assert [bar.label for bar in status_bars([_row("临河区", "各部门", 1)], TODAY)] == ["各部门"]


def test_status_rows_from_other_layers_count_the_same() -> None:
    row = TaskRow(
        id=1,
        jurisdiction="临河区",
        plan_id=1,
        plan_title="纲要",
        department_id=1,
        department="区科技局",
        role="lead",
        via_collective=None,
        action="培育高新技术企业",
        evidence="",
        section="",
        due_on=date(2025, 6, 1),
        recurrence=None,
        starts_on=None,
        kind="task",
        status="open",
        percent=0,
        version=1,
    )
    assert status_bars([row, row], TODAY) == [StatusBar("区科技局", {"red": 1})]
