"""`planbot plan list --format jsonl`: one plan a line, with the kind, year and period read from its text."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app


def test_plan_list_prints_one_plan_a_line_with_kind_year_and_period(database_url, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", database_url)
    five_year = tmp_path / "规划.txt"
    five_year.write_text(
        "临河区国民经济和社会发展第十四个五年规划纲要\n第十五章 规划实施保障\n区发改局要加强规划实施监测。\n",
        encoding="utf-8",
    )
    annual = tmp_path / "分解.txt"
    annual.write_text(
        "临河区2024年政府工作报告重点任务分解\n1.区住建局要在6月底前完成老旧小区改造。\n", encoding="utf-8"
    )
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(five_year), str(annual)]).exit_code == 0
    result = runner.invoke(app, ["plan", "list", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    plans = [json.loads(line) for line in result.stdout.splitlines()]
    by_kind = {plan["kind"]: plan for plan in plans}
    assert set(by_kind) == {"five_year_plan", "annual_breakdown"}
    assert by_kind["five_year_plan"]["period"] == [2021, 2025]
    assert by_kind["annual_breakdown"]["period"] is None and by_kind["annual_breakdown"]["year"] == 2024
    # the title is the document's own, never its file name
    assert by_kind["annual_breakdown"]["title"] == "临河区2024年政府工作报告重点任务分解"
    assert all({"id", "jurisdiction", "title", "kind", "year", "period"} <= set(plan) for plan in plans)
    wrong = runner.invoke(app, ["plan", "list", "--format", "xml"])
    assert wrong.exit_code == 2 and "不支持的输出格式" in wrong.output
