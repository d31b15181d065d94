"""`planbot task …` through typer's CliRunner, on a temporary SQLite file named by DATABASE_URL."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from storage.db import create_engine_for, session_factory
from storage.ingest import ingest_document
from tests.storage.documents import aliases, first_version, five_year_plan

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        ingest_document(session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def _jsonl(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def _task_id(run, action: str) -> int:  # type: ignore[no-untyped-def]
    rows = _jsonl(run("tasks", "--format", "jsonl").stdout)
    return int(next(row["id"] for row in rows if row["task"] == action))  # type: ignore[arg-type]


def test_edit_then_show_and_history_with_the_terminal_user(run) -> None:  # type: ignore[no-untyped-def]
    task_id = _task_id(run, "培育高新技术企业")
    result = run("task", "edit", str(task_id), "--due", "2025年3月31日", "--lead", "区财政局", "--co", "无")
    assert result.exit_code == 0, result.output
    assert "完成时限：2024-06-30 → 2025-03-31" in result.stdout
    shown = _jsonl(run("task", "show", str(task_id), "--format", "jsonl").stdout)[0]
    assert (shown["due"], shown["lead"], shown["co"]) == ("2025-03-31", ["区财政局"], [])
    history = _jsonl(run("task", "history", str(task_id), "--format", "jsonl").stdout)
    assert {(h["field"], h["old"], h["new"]) for h in history} == {
        ("due_on", "2024-06-30", "2025-03-31"),
        ("lead", "区科技局", "区财政局"),
        ("co", "区财政局", ""),
    }
    assert {h["author"] for h in history} == {f"cli:{getpass.getuser()}"}
    table = run("task", "history", str(task_id))
    assert "完成时限" in table.stdout and "2025-03-31" in table.stdout


def test_a_bad_date_or_unknown_unit_is_refused_chinese_first(run) -> None:  # type: ignore[no-untyped-def]
    task_id = _task_id(run, "培育高新技术企业")
    bad_date = run("task", "edit", str(task_id), "--due", "下个月吧")
    assert bad_date.exit_code == 1
    assert bad_date.stderr.index("「下个月吧」不是日期") < bad_date.stderr.index("is not a date")
    unknown = run("task", "edit", str(task_id), "--lead", "区财政厅")
    assert unknown.exit_code == 1 and "区财政局" in unknown.stderr
    assert _jsonl(run("task", "history", str(task_id), "--format", "jsonl").stdout) == []
    missing = run("task", "show", "99999")
    assert missing.exit_code == 1 and "没有编号为 99999 的任务" in missing.stderr


def test_add_delete_merge_and_confirm(run) -> None:  # type: ignore[no-untyped-def]
    keep, duplicate = _task_id(run, "培育规模以上工业企业"), _task_id(run, "培育高新技术企业")
    plan_id = _jsonl(run("task", "show", str(keep), "--format", "jsonl").stdout)[0]["plan_id"]
    added = run("task", "add", "--plan", str(plan_id), "--task", "建立项目月调度制度", "--lead", "区发改局")
    assert added.exit_code == 0, added.output
    new_id = _task_id(run, "建立项目月调度制度")
    assert run("task", "merge", str(keep), str(duplicate)).exit_code == 0
    assert run("task", "delete", str(new_id)).exit_code == 0
    again = run("task", "delete", str(new_id))
    assert again.exit_code == 1 and "已经归档" in again.stderr
    live = {row["task"] for row in _jsonl(run("tasks", "--format", "jsonl").stdout)}
    assert "培育高新技术企业" not in live and "建立项目月调度制度" not in live
    shown = _jsonl(run("task", "show", str(keep), "--format", "jsonl").stdout)[0]
    assert shown["lead"] == ["区工业和信息化局", "区科技局"] and shown["co"] == ["区财政局"]
    nothing = run("task", "confirm", "--all")
    assert nothing.exit_code == 0 and "已确认 0 项" in nothing.stdout
