"""The 指标 sheet of the Excel round trip: exported with each year's value, filled in, applied back."""

from __future__ import annotations

import json
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
from storage.models import Indicator
from tests.storage.documents import aliases
from tests.storage.indicator_documents import plan_with_indicators

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        ingest_document(session=session, document=plan_with_indicators(), aliases=aliases(), now=NOW)
        forest = session.exec(select(Indicator).where(Indicator.name == "森林覆盖率")).one()
        record_indicator_value(
            session=session, indicator_id=forest.id, year=2021, value="40.5", author="U1", now=NOW
        )
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def _sheet(path: Path) -> tuple[list[str], dict[str, dict[str, object]]]:
    rows = list(load_workbook(path)["指标"].iter_rows(values_only=True))
    header = [str(cell) for cell in rows[0]]
    return header, {str(row[header.index("指标")]): dict(zip(header, row, strict=False)) for row in rows[1:]}


def _fill(path: Path, name: str, year: int, value: object) -> None:
    book = load_workbook(path)
    sheet = book["指标"]
    header = [cell.value for cell in sheet[1]]
    row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[header.index("指标")].value == name)
    sheet.cell(row, header.index(f"{year}年") + 1).value = value
    book.save(path)


def _values(run) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    lines = run("indicators", "--format", "jsonl").stdout.splitlines()
    return {row["name"]: row["values"] for row in map(json.loads, lines)}


def test_the_indicator_sheet_goes_out_and_comes_back(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workbook = tmp_path / "台账.xlsx"
    assert run("export", "--xlsx", str(workbook), "--today", "2026-03-01").exit_code == 0
    header, rows = _sheet(workbook)
    assert header[:11] == [
        "编号",
        "规划",
        "类别",
        "指标",
        "单位",
        "基期年份",
        "基期值",
        "目标年份",
        "目标值",
        "属性",
        "责任单位",
    ]
    assert [h for h in header if h.endswith("年") and h[:4].isdigit()] == [
        "2021年",
        "2022年",
        "2023年",
        "2024年",
        "2025年",
    ]
    urban = rows["常住人口城镇化率"]
    assert (urban["基期值"], urban["目标值"], urban["属性"]) == ("89.72", "91", "预期性")
    assert rows["森林覆盖率"]["2021年"] == "40.5"

    _fill(workbook, "常住人口城镇化率", 2023, 90.8)  # typed as a number in Excel
    _fill(workbook, "森林覆盖率", 2021, "40.5")  # unchanged: not reported again
    preview = run("apply", str(workbook), "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert f"指标 #{urban['编号']} 常住人口城镇化率 2023年：— → 90.8" in preview.stdout
    assert "森林覆盖率" not in preview.stdout
    assert _values(run)["常住人口城镇化率"] == {}

    applied = run("apply", str(workbook), "--author", "cli:lihua")
    assert applied.exit_code == 0, applied.output
    assert "已报送 1 个指标数值" in applied.stdout
    reported = _values(run)["常住人口城镇化率"]["2023"]
    assert reported["value"] == "90.8" and reported["reported_by"] == "cli:lihua"


def test_a_bad_indicator_cell_refuses_the_whole_workbook(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workbook = tmp_path / "台账.xlsx"
    run("export", "--xlsx", str(workbook))
    _fill(workbook, "常住人口城镇化率", 2023, "90.8")
    book = load_workbook(workbook)
    sheet = book["指标"]
    sheet.cell(sheet.max_row + 1, 1).value = 999
    sheet.cell(sheet.max_row, 14).value = "12"
    book.save(workbook)
    refused = run("apply", str(workbook))
    assert refused.exit_code == 1
    assert "没有编号为 999 的指标" in refused.output and "没有作任何修改" in refused.output
    assert _values(run)["常住人口城镇化率"] == {}
