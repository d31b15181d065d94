"""`planbot remind`: the dry run's jsonl contract and table, and `--now` through the console notifier."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from bot.cli import app
from storage.db import create_engine_for, session_factory
from tests.reminders.ledger_rows import add_review, seed_ledger

D = date.fromisoformat


def seeded(database_url: str) -> None:
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        seeded = seed_ledger(session, due_dates=[D("2025-10-09")], channels=["CONE"], members=["UONE"])
        add_review(session, seeded["plan"].id, "annual_monitoring", D("2026-01-31"), 2025)
    engine.dispose()


def run(database_url: str, *args: str, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner().invoke(app, ["remind", *args], catch_exceptions=False)


def test_dry_run_jsonl_fields(database_url, monkeypatch):
    seeded(database_url)
    result = run(
        database_url,
        "--dry-run",
        "--from",
        "2025-09-01",
        "--to",
        "2025-10-31",
        "--format",
        "jsonl",
        monkeypatch=monkeypatch,
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and all(
        set(line) == {"fire_on", "kind", "jurisdiction", "department", "task_id", "target", "text"}
        for line in lines
    )
    deadline = [(line["fire_on"], line["target"]) for line in lines if line["kind"] == "deadline"]
    # 30 days before on 09-09; the 7- and 1-day reminders fall in National Day and merge into 10-09's
    assert ("2025-09-09", "slack:CONE") in deadline and ("2025-10-09", "slack:UONE") in deadline
    assert not any(line["fire_on"] in ("2025-10-02", "2025-10-08") for line in lines)
    assert {line["kind"] for line in lines} >= {"deadline", "overdue", "digest"}
    assert all(line["jurisdiction"] == "莱芜区" for line in lines)


def test_dry_run_table_and_bad_dates(database_url, monkeypatch):
    seeded(database_url)
    result = run(
        database_url, "--dry-run", "--from", "2025-12-20", "--to", "2026-01-31", monkeypatch=monkeypatch
    )
    # six Mondays of digests to the department and the coordinators; the 10-09 task's three overdue
    # reminders all went out in October, so none is left for this range
    assert result.exit_code == 0 and "12 条" in result.stdout and "周报" in result.stdout
    assert "逾期" not in [line.split("│")[2].strip() for line in result.stdout.splitlines() if "│" in line][1:]
    assert run(database_url, "--dry-run", "--from", "2025-13-01", monkeypatch=monkeypatch).exit_code == 2
    assert run(database_url, monkeypatch=monkeypatch).exit_code == 2


def test_now_sweeps_and_dispatches_to_the_console(database_url, monkeypatch):
    seeded(database_url)
    # the day is injected: the deadline day, right after National Day moved that week's digest to Thursday
    first = run(database_url, "--now", "--today", "2025-10-09", "--workers", "1", monkeypatch=monkeypatch)
    assert first.exit_code == 0, first.output
    sent_to = [line for line in first.stdout.splitlines() if line.startswith("── 发往")]
    assert sorted(sent_to) == sorted(
        ["── 发往 / to CONE ──", "── 发往 / to UONE ──", "── 发往 / to UCOORD ──", "── 发往 / to CONE ──"]
    )
    assert first.stdout.count("今天（2025-10-09）到期") == 2 and "每周任务摘要" in first.stdout
    assert "新增提醒 4 条，已发送 4 条" in first.stderr.replace("\n", "")
    again = run(database_url, "--now", "--today", "2025-10-09", "--workers", "1", monkeypatch=monkeypatch)
    assert again.exit_code == 0 and "已发送 0 条" in again.stderr and "发往" not in again.stdout
    assert run(database_url, "--now", "--today", "2025-10-32", monkeypatch=monkeypatch).exit_code == 2


def test_dry_run_previews_unbound_departments_unless_bound_only(database_url, monkeypatch):
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        seed_ledger(session, due_dates=[D("2025-10-09")], channels=[None], coordinator=None)
    engine.dispose()
    args = ["--dry-run", "--from", "2025-09-01", "--to", "2025-10-31", "--format", "jsonl"]
    preview = [
        json.loads(line) for line in run(database_url, *args, monkeypatch=monkeypatch).stdout.splitlines()
    ]
    assert preview and {line["target"] for line in preview} == {"unbound"}
    assert {"deadline", "digest"} <= {line["kind"] for line in preview}
    assert run(database_url, *args, "--bound-only", monkeypatch=monkeypatch).stdout == ""
