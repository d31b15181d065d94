"""`planbot indicators` and `planbot indicators report` through typer's CliRunner on a SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from storage.db import create_engine_for, session_factory
from storage.ingest import ingest_document
from tests.storage.documents import aliases
from tests.storage.indicator_documents import plan_with_indicators

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        ingest_document(session=session, document=plan_with_indicators(), aliases=aliases(), now=NOW)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def _jsonl(output: str) -> dict[str, dict]:
    rows = [json.loads(line) for line in output.splitlines() if line.strip()]
    return {row["name"]: row for row in rows}


def test_indicators_as_jsonl_carry_base_target_units_values_and_status(run) -> None:  # type: ignore[no-untyped-def]
    result = run("indicators", "--format", "jsonl", "--today", "2024-03-01")
    assert result.exit_code == 0, result.output
    rows = _jsonl(result.stdout)
    urban = rows["常住人口城镇化率"]
    assert {
        "id",
        "plan",
        "name",
        "unit",
        "base_year",
        "base_value",
        "target_year",
        "target_value",
        "attribute",
        "departments",
        "values",
        "status",
    } <= set(urban)
    assert (urban["base_year"], urban["base_value"], urban["target_year"], urban["target_value"]) == (
        2020,
        "89.72",
        2025,
        "91",
    )
    assert urban["departments"] == ["区住房城乡建设局", "区发展改革局"]
    assert urban["status"] == "unreported" and urban["values"] == {}

    reported = run(
        "indicators",
        "report",
        str(urban["id"]),
        "2023",
        "89.9",
        "--note",
        "统计公报",
        "--today",
        "2024-03-01",
    )
    assert reported.exit_code == 0, reported.output
    assert "红灯" in reported.stdout and "90.49" in reported.stdout
    urban = _jsonl(run("indicators", "--format", "jsonl", "--today", "2024-03-01").stdout)["常住人口城镇化率"]
    assert urban["status"] == "red" and urban["values"]["2023"]["value"] == "89.9"
    assert urban["values"]["2023"]["note"] == "统计公报"

    run("indicators", "report", str(urban["id"]), "2023", "90.8", "--today", "2024-03-01")
    urban = _jsonl(run("indicators", "--format", "jsonl", "--today", "2024-03-01").stdout)["常住人口城镇化率"]
    assert urban["status"] == "on_track" and urban["values"]["2023"]["value"] == "90.8"


def test_indicators_by_department_and_plan_as_a_table(run) -> None:  # type: ignore[no-untyped-def]
    table = run("indicators", "--dept", "区统计局", "--today", "2021-06-01")
    assert table.exit_code == 0, table.output
    assert "地区生产总值增速" in table.stdout and "常住人口城镇化率" not in table.stdout
    assert "暂无数值" in table.stdout
    assert run("indicators", "--plan", "99").stdout.startswith("没有找到指标")


def test_a_report_for_a_year_outside_the_plan_is_refused(run) -> None:  # type: ignore[no-untyped-def]
    rows = _jsonl(run("indicators", "--format", "jsonl").stdout)
    refused = run("indicators", "report", str(rows["森林覆盖率"]["id"]), "2031", "43")
    assert refused.exit_code == 1 and "2020–2025" in refused.output
    missing = run("indicators", "report", "999", "2023", "43")
    assert missing.exit_code == 1 and "没有编号为 999 的指标" in missing.output


def test_the_taishan_plan_from_its_text_to_a_judged_value(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seeds_dir: Path
) -> None:
    """The real 泰山区 plan through extraction and storage: 城镇化率 89.72 -> 91 is behind at 89.9 in 2023."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    [seed] = sorted(seeds_dir.glob("004_*.txt"))
    ingested = runner.invoke(app, ["ingest", str(seed)], catch_exceptions=False)
    assert ingested.exit_code == 0 and "主要指标：新增 1" in ingested.stdout

    def listed() -> dict[str, dict]:
        result = runner.invoke(app, ["indicators", "--format", "jsonl", "--today", "2024-03-01"])
        return _jsonl(result.stdout)

    rows = listed()
    assert len(rows) >= 14
    assert all(row["base_value"] and row["target_value"] and row["attribute"] for row in rows.values())
    growth = rows["地区生产总值增速"]
    assert growth["attribute"] == "预期性" and growth["target_number"] == 5.5
    urban = rows["常住人口城镇化率"]
    assert (urban["base_value"], urban["target_value"]) == ("89.72", "91")
    report = ["indicators", "report", str(urban["id"]), "2023"]
    assert runner.invoke(app, [*report, "89.9", "--today", "2024-03-01"]).exit_code == 0
    assert listed()["常住人口城镇化率"]["status"] == "red"
    assert runner.invoke(app, [*report, "90.8", "--today", "2024-03-01"]).exit_code == 0
    assert listed()["常住人口城镇化率"]["status"] == "on_track"


def test_the_history_keeps_every_report_and_marks_the_one_that_counts(run) -> None:  # type: ignore[no-untyped-def]
    urban = _jsonl(run("indicators", "--format", "jsonl").stdout)["常住人口城镇化率"]
    run("indicators", "report", str(urban["id"]), "2023", "89.9", "--author", "U1")
    run("indicators", "report", str(urban["id"]), "2023", "90.8", "--note", "更正", "--author", "U2")
    lines = [
        json.loads(line)
        for line in run("indicators", "history", str(urban["id"]), "--format", "jsonl").stdout.splitlines()
    ]
    assert [(line["value"], line["reported_by"], line["counts"]) for line in lines] == [
        ("89.9", "U1", False),
        ("90.8", "U2", True),
    ]
    table = run("indicators", "history", str(urban["id"])).stdout
    assert "已被更正" in table and "现行" in table and "更正" in table
    assert run("indicators", "history", "999").exit_code == 1
