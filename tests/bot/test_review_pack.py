"""`planbot review-pack`: the workbook of a plan's review, read back with openpyxl."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from storage.db import create_engine_for, session_factory
from storage.indicators import record_indicator_value
from storage.ingest import ingest_document
from storage.models import Indicator, Task
from storage.progress import record_progress
from tests.storage.documents import aliases
from tests.storage.indicator_documents import plan_with_indicators

NOW = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.fixture
def plan_id(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> int:
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        report = ingest_document(session=session, document=plan_with_indicators(), aliases=aliases(), now=NOW)
        industry = session.exec(select(Task).where(Task.action == "培育规模以上工业企业")).one()
        record_progress(
            session=session, task_id=industry.id, author="U1", percent=40, note="已培育320家", now=NOW
        )
        urban = session.exec(select(Indicator).where(Indicator.name == "常住人口城镇化率")).one()
        for year, value in ((2023, "90.6"), (2024, "89.9"), (2025, "91.2")):
            record_indicator_value(
                session=session, indicator_id=urban.id, year=year, value=value, author="U1", now=NOW
            )
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    return report.plan_id


def _rows(sheet) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def test_review_pack_has_tasks_indicators_and_units_behind(plan_id: int, tmp_path: Path) -> None:
    pack = tmp_path / "评估材料.xlsx"
    result = CliRunner().invoke(
        app,
        ["review-pack", str(plan_id), "--year", "2024", "--xlsx", str(pack), "--today", "2025-03-01"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "已生成评估材料" in result.stdout
    book = load_workbook(pack)
    assert book.sheetnames == ["说明", "任务", "指标", "落后单位"]

    tasks = {row["任务"]: row for row in _rows(book["任务"])}
    assert "40% 已培育320家" in str(tasks["培育规模以上工业企业"]["进展情况"])
    assert tasks["培育规模以上工业企业"]["是否滞后"] is None  # due 2025-12-31
    high_tech = tasks["培育高新技术企业"]
    assert high_tech["是否滞后"] == "滞后" and high_tech["牵头单位"] == "区科技局"
    assert high_tech["配合单位"] == "区财政局" and high_tech["状态"] == "未开始"

    indicators = {row["指标"]: row for row in _rows(book["指标"])}
    urban = indicators["常住人口城镇化率"]
    # 2025's value came after the year reviewed: the pack judges 2024's, which is behind its path of 90.74
    assert (urban["2023年"], urban["2024年"], urban.get("2025年")) == ("90.6", "89.9", None)
    assert "红灯" in str(urban["状态"]) and urban["判断年份"] == 2024 and urban["应达"] == "90.74"
    assert "未报送" in str(indicators["森林覆盖率"]["状态"])

    units = {row["单位"]: row for row in _rows(book["落后单位"])}
    assert units["区科技局"]["滞后任务"] == 1
    assert units["区住房城乡建设局"]["预警指标名称"] == "常住人口城镇化率"
    assert "区财政局" not in units  # a co-operating unit answers with its lead, not alone
    cover = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True)}
    assert cover["评估年度"] == "2024年" and "滞后 1 项" in str(cover["任务"])


def test_an_unknown_plan_is_named(plan_id: int, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["review-pack", "99", "--year", "2024", "--xlsx", str(tmp_path / "x.xlsx")]
    )
    assert result.exit_code == 1 and "没有编号为 99 的规划" in result.output
