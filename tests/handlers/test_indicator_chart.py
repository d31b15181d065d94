"""The indicator chart: each indicator's path and values drawn, with Chinese in the shipped font."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image
from typer.testing import CliRunner

from bot.cli import app
from handlers.chart_figures import describe_png, font_path
from handlers.indicator_chart import indicators_figure, path_points, value_points
from handlers.indicator_views import judge_rows
from storage.db import create_engine_for, session_factory
from storage.indicators import indicator_rows, record_indicator_value
from storage.ingest import ingest_document
from tests.storage.documents import aliases
from tests.storage.indicator_documents import plan_with_indicators

NOW = datetime(2024, 3, 1, tzinfo=UTC)
TODAY = date(2024, 3, 1)


@pytest.fixture
def judged(sqlite_engine):  # type: ignore[no-untyped-def]
    with session_factory(sqlite_engine)() as session:
        ingest_document(session=session, document=plan_with_indicators(), aliases=aliases(), now=NOW)
        rows = {row.indicator.name: row for row in indicator_rows(session=session)}
        urban = rows["常住人口城镇化率"].indicator.id
        for year, value in ((2021, "90.0"), (2022, "90.2"), (2023, "89.9")):
            record_indicator_value(
                session=session, indicator_id=urban, year=year, value=value, author="U", now=NOW
            )
        return judge_rows(indicator_rows(session=session), today=TODAY)


def test_each_panel_draws_the_path_and_the_reported_values(judged) -> None:  # type: ignore[no-untyped-def]
    urban = next(item for item in judged if item.row.indicator.name == "常住人口城镇化率")
    path = path_points(urban)
    assert path[0] == (2020, 89.72) and path[-1] == (2025, 91.0) and len(path) == 6
    assert value_points(urban) == [(2021, 90.0), (2022, 90.2), (2023, 89.9)]

    figure = indicators_figure(judged, title="莱芜区 主要指标", today=TODAY)
    panels = [axes for axes in figure.axes if axes.get_visible() and axes.axison]
    assert len(panels) == len(judged) == 4
    titles = [axes.get_title(loc="left") for axes in panels]
    assert any(title.startswith(f"#{urban.id} 常住人口城镇化率（%）") and "红灯" in title for title in titles)
    urban_axes = next(axes for axes in panels if "常住人口城镇化率" in axes.get_title(loc="left"))
    lines = {line.get_label(): line for line in urban_axes.get_lines()}
    assert list(lines["实际值 reported"].get_ydata()) == [90.0, 90.2, 89.9]
    assert lines["进度线 path"].get_ydata()[-1] == 91.0
    # every Chinese text is drawn with the shipped font, never a system fallback
    for text in figure.findobj(Text):
        if any("\u4e00" <= character <= "\u9fff" for character in text.get_text()):
            assert Path(text.get_fontproperties().get_file()) == font_path(), text.get_text()


def test_planbot_indicators_chart_writes_a_png_with_ink(database_url, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        ingest_document(session=session, document=plan_with_indicators(), aliases=aliases(), now=NOW)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    png = tmp_path / "指标.png"
    result = CliRunner().invoke(app, ["indicators", "chart", "--png", str(png), "--today", "2024-03-01"])
    assert result.exit_code == 0, result.output
    assert "指标图已保存" in result.stdout
    size = describe_png(png.read_bytes())
    assert size["width"] == 1440 and size["height"] > 600
    pixels = np.asarray(Image.open(io.BytesIO(png.read_bytes())).convert("L"))
    assert (pixels < 128).sum() > 2000  # titles, axes and lines, not a blank page
