"""The Excel round trip as a person does it: ingest, export, edit 任务清单, apply --dry-run, apply, ingest again."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app

# an invented annual plan: the sentences are made up for the tests
PLAN = """青石区2025年国民经济和社会发展计划

一、推动产业升级
（一）区工信局牵头，区财政局配合，6月底前完成工业技改项目库建设。
（二）区科技局负责，9月底前新认定科技型中小企业50家。
（三）区商务局牵头，年底前举办招商推介活动3场。
"""


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def _tasks(run) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in run("tasks", "--format", "jsonl").stdout.splitlines() if line]
    by_task: dict[str, dict[str, object]] = {}
    for row in rows:
        entry = by_task.setdefault(str(row["task"]), {"id": row["id"], "due": row["due"], "lead": []})
        if row["role"] == "lead":
            entry["lead"].append(row["department"])  # type: ignore[union-attr]
    return by_task


def _edit_workbook(path: Path, action: str, *, due: object, lead: str) -> int:
    book = load_workbook(path)
    sheet = book["任务清单"]
    row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[1].value == action)
    sheet.cell(row, 5).value = due
    sheet.cell(row, 3).value = lead
    book.save(path)
    return row


def test_export_edit_apply_survives_ingest_and_is_in_the_history(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "青石区2025年计划.txt"
    source.write_text(PLAN, encoding="utf-8")
    assert run("ingest", str(source)).exit_code == 0
    action = "9月底前新认定科技型中小企业50家"
    before = _tasks(run)[action]
    assert (before["due"], before["lead"]) == ("2025-09-30", ["区科技局"])

    workbook = tmp_path / "台账.xlsx"
    assert run("export", "--xlsx", str(workbook), "--today", "2025-06-16").exit_code == 0
    _edit_workbook(workbook, action, due=datetime(2025, 11, 30), lead="区商务局")

    preview = run("apply", str(workbook), "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert f"#{before['id']} {action}" in preview.stdout
    assert "完成时限：2025-09-30 → 2025-11-30" in preview.stdout
    assert "牵头单位：区科技局 → 区商务局" in preview.stdout
    assert _tasks(run)[action] == before  # the dry run changed nothing

    applied = run("apply", str(workbook), "--author", "cli:lihua")
    assert applied.exit_code == 0, applied.output
    after = _tasks(run)[action]
    assert (after["due"], after["lead"]) == ("2025-11-30", ["区商务局"])
    assert "已入库，无变化" in run("ingest", str(source)).stdout  # the same document again
    assert _tasks(run)[action] == after

    # a revised version of the document: the edit stays, the new sentence is added
    source.write_text(PLAN + "（四）区文旅局牵头，8月底前完成景区提升改造。\n", encoding="utf-8")
    dry = run("ingest", str(source), "--dry-run")
    assert "+ 8月底前完成景区提升改造" in dry.stdout and "没有存入任何内容" in dry.stdout
    assert "8月底前完成景区提升改造" not in _tasks(run)
    assert run("ingest", str(source)).exit_code == 0
    again = _tasks(run)
    assert (again[action]["due"], again[action]["lead"]) == ("2025-11-30", ["区商务局"])
    assert "8月底前完成景区提升改造" in again

    history = [
        json.loads(line)
        for line in run("task", "history", str(before["id"]), "--format", "jsonl").stdout.splitlines()
    ]
    assert {(h["field"], h["new"], h["author"], h["via"]) for h in history} == {
        ("due_on", "2025-11-30", "cli:lihua", "xlsx"),
        ("lead", "区商务局", "cli:lihua", "xlsx"),
    }


def test_a_workbook_with_one_bad_date_is_refused_whole(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "plan.txt"
    source.write_text(PLAN, encoding="utf-8")
    run("ingest", str(source))
    workbook = tmp_path / "台账.xlsx"
    run("export", "--xlsx", str(workbook))
    _edit_workbook(workbook, "年底前举办招商推介活动3场", due=datetime(2025, 10, 31), lead="区商务局")
    bad_row = _edit_workbook(workbook, "6月底前完成工业技改项目库建设", due="下个月吧", lead="区工信局")
    before = _tasks(run)
    refused = run("apply", str(workbook))
    assert refused.exit_code == 1
    assert f"第 {bad_row} 行 完成时限：「下个月吧」不是日期" in refused.stderr
    assert refused.stderr.index("没有作任何修改") < refused.stderr.index("Nothing was applied")
    assert _tasks(run) == before


def _reminders(run) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    result = run("remind", "--dry-run", "--from", "2027-06-01", "--to", "2027-12-31", "--format", "jsonl")
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_tasks_imported_for_review_are_reminded_only_once_confirmed(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "plan.txt"
    source.write_text(PLAN.replace("2025", "2027"), encoding="utf-8")
    result = run("ingest", str(source), "--review")
    assert "待核对 3 项" in result.stdout and "planbot task confirm --plan" in result.stdout
    task_id = _tasks(run)["年底前举办招商推介活动3场"]["id"]
    shown = json.loads(run("task", "show", str(task_id), "--format", "jsonl").stdout)
    assert shown["awaiting_review"] is True
    assert [r for r in _reminders(run) if r["department"] or r["task_id"]] == []

    confirmed = run("task", "confirm", "--all")
    assert "已确认 3 项" in confirmed.stdout
    reminded = _reminders(run)
    assert task_id in {r["task_id"] for r in reminded}
    assert "区商务局" in {r["department"] for r in reminded}
