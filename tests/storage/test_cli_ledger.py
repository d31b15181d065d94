"""The ledger commands through typer's CliRunner, on a temporary SQLite file named by DATABASE_URL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app
from storage.db import create_engine_for, head_revision, session_factory
from storage.ingest import ingest_document
from tests.storage.documents import aliases, first_version, five_year_plan

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def ledger_url(database_url: str) -> str:
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        ingest_document(session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW)
        ingest_document(
            session=session,
            document=five_year_plan(first_version(), jurisdiction="潍城区"),
            aliases=aliases(),
            now=NOW,
        )
    engine.dispose()
    return database_url


@pytest.fixture
def run(ledger_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", ledger_url)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def _jsonl(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_tasks_of_a_department_as_jsonl(run) -> None:  # type: ignore[no-untyped-def]
    result = run("tasks", "--dept", "莱芜区发展和改革局", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = _jsonl(result.stdout)
    assert rows and {row["jurisdiction"] for row in rows} == {"莱芜区"}
    assert set(rows[0]) == {
        "id",
        "jurisdiction",
        "department",
        "role",
        "task",
        "evidence",
        "section",
        "due",
        "recurrence",
        "status",
        "percent",
        "awaiting_review",
    }
    assert {row["task"] for row in rows} >= {"开展规划实施动态监测", "制定分年度工作计划"}


def test_ambiguous_department_lists_candidates(run) -> None:  # type: ignore[no-untyped-def]
    result = run("tasks", "--dept", "区发改局")
    assert result.exit_code == 1
    assert "莱芜区发展改革局" in result.stderr and "潍城区发展改革局" in result.stderr
    assert "Did you mean" in result.stderr


def test_due_within_overdue_and_search(run) -> None:  # type: ignore[no-untyped-def]
    due = _jsonl(
        run(
            "tasks", "--region", "莱芜区", "--due-within", "30", "--today", "2024-06-15", "--format", "jsonl"
        ).stdout
    )
    assert {row["task"] for row in due} == {"培育高新技术企业"}
    overdue = _jsonl(
        run("tasks", "--region", "潍城区", "--overdue", "--today", "2024-07-01", "--format", "jsonl").stdout
    )
    # 潍城区's yearly 动态监测 has no year reported: 2023's period is overdue, listed at its own deadline
    assert {(row["task"], row["due"]) for row in overdue} == {
        ("培育高新技术企业", "2024-06-30"),
        ("开展规划实施动态监测", "2023-12-31"),
    }
    found = _jsonl(run("tasks", "--search", "高新技术", "--format", "jsonl").stdout)
    assert len({row["id"] for row in found}) == 2
    table = run("tasks", "--search", "高新技术")
    assert table.exit_code == 0 and "培育高新技术企业" in table.stdout


def test_progress_then_conflict(run) -> None:  # type: ignore[no-untyped-def]
    task_id = _jsonl(run("tasks", "--dept", "莱芜区科技局", "--format", "jsonl").stdout)[0]["id"]
    ok = run("progress", str(task_id), "--percent", "50", "--note", "已完成一半", "--version", "1")
    assert ok.exit_code == 0 and "50%" in ok.stdout
    stale = run("progress", str(task_id), "--percent", "60", "--version", "1")
    assert stale.exit_code == 1 and "刷新" in stale.stderr
    rows = _jsonl(run("tasks", "--dept", "莱芜区科技局", "--format", "jsonl").stdout)
    assert rows[0]["percent"] == 50 and rows[0]["status"] == "in_progress"
    missing = run("progress", "99999", "--percent", "10")
    assert missing.exit_code == 1 and "planbot tasks" in missing.stderr


def test_depts_calendar_alias_merge_export(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    depts = run("depts", "--region", "莱芜区")
    assert depts.exit_code == 0 and "区发展改革局" in depts.stdout
    cal = run("calendar", "--region", "莱芜区", "--today", "2023-01-01", "--days", "200")
    assert cal.exit_code == 0
    assert "年度监测" in cal.stdout and "中期评估" in cal.stdout and "2023-06-30" in cal.stdout
    assert run("alias", "add", "莱芜区科技局", "科创局").exit_code == 0
    assert run("tasks", "--dept", "莱芜区科创局").exit_code == 0
    merged = run("dept", "merge", "莱芜区科技局", "莱芜区工信局")
    assert merged.exit_code == 0, merged.stderr
    rows = _jsonl(run("tasks", "--dept", "莱芜区科创局", "--format", "jsonl").stdout)
    assert {row["department"] for row in rows} >= {"区工业和信息化局"}
    target = tmp_path / "out" / "台账.xlsx"
    exported = run("export", "--xlsx", str(target), "--region", "莱芜区")
    assert exported.exit_code == 0, exported.stderr
    assert "区工业和信息化局" in load_workbook(target).sheetnames


def test_db_upgrade_on_a_new_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new' / 'planbot.sqlite3'}")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["db", "upgrade"], catch_exceptions=False)
    assert result.exit_code == 0 and f"revision {head_revision()}" in result.stdout


def test_progress_status_may_be_typed_in_chinese(run) -> None:  # type: ignore[no-untyped-def]
    first = _jsonl(run("tasks", "--format", "jsonl").output)[0]
    result = run("progress", str(first["id"]), "--status", "已完成", "--note", "验收完成")
    assert result.exit_code == 0, result.output
    done = _jsonl(run("tasks", "--status", "完成", "--format", "jsonl").output)
    assert {row["id"] for row in done} == {first["id"]}  # one row per (task, department)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("progress", "99999999999999999999", "--status", "done"), "任务编号应是正整数"),
        (("progress", "1", "--status", "好的"), "不认识的状态"),
        (("tasks", "--due-within", "abc"), "天数应是"),
    ],
)
def test_malformed_arguments_are_answered_in_chinese_first(run, args, words) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code != 0
    assert words in result.output


def test_an_empty_calendar_says_what_to_do(run) -> None:  # type: ignore[no-untyped-def]
    result = run("calendar", "--today", "2040-01-01", "--days", "30")
    assert result.exit_code == 0
    assert "没有评估节点或任务时限" in result.output and "--days" in result.output
