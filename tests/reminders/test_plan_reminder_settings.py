"""A plan's own reminder days and pause switch: stored per plan, read by the sweep, set with `planbot plan`."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.scheduler import REMINDER_KINDS, sweep
from storage.db import create_engine_for, session_factory
from storage.models import Plan
from storage.plan_settings import (
    PlanSettingsError,
    ReminderOverrides,
    overrides_from_words,
    update_plan_reminders,
)
from storage.reminder_rows import ReminderConventions
from tests.reminders.ledger_rows import seed_ledger
from tests.reminders.test_reminder_sweep import at_shanghai, deliveries, deps_for

D = date.fromisoformat


def test_a_plans_own_deadline_days_replace_the_defaults_for_that_plan_only(sessions):
    with sessions() as session:
        seeded = seed_ledger(session, due_dates=[D("2025-06-30")], channels=["CONE"])
        other = seed_ledger(
            session, due_dates=[D("2025-06-30")], channels=["CTWO"], coordinator=None, place="潍城区"
        )
        update_plan_reminders(
            session=session,
            plan_id=seeded["plan"].id,
            overrides=overrides_from_words(deadline_days="14,3"),
        )
    # the default's 30 days before is 05-31, in the 端午 holiday: it goes out on 06-03, to the other plan only
    assert sweep(deps_for(sessions, at_shanghai("2025-06-03")), kinds=REMINDER_KINDS) == 1
    assert [(row.rule, row.target) for row in deliveries(sessions)] == [("deadline-30", "slack:CTWO")]
    # 2025-06-16 is 14 days before: only the plan that asked for 14 days hears of it
    assert sweep(deps_for(sessions, at_shanghai("2025-06-16")), kinds=REMINDER_KINDS) == 1
    assert [(row.rule, row.target) for row in deliveries(sessions)][-1] == ("deadline-14", "slack:CONE")
    assert other["plan"].id != seeded["plan"].id


def test_the_overdue_rhythm_and_the_pause_are_per_plan(sessions):
    with sessions() as session:
        seeded = seed_ledger(session, due_dates=[D("2025-03-03")], channels=["CONE"])
        update_plan_reminders(
            session=session,
            plan_id=seeded["plan"].id,
            overrides=overrides_from_words(overdue_every_days=3),
        )
    assert sweep(deps_for(sessions, at_shanghai("2025-03-06")), kinds=("overdue",)) == 1  # 3 days late
    with sessions() as session:
        update_plan_reminders(session=session, plan_id=seeded["plan"].id, paused=True)
    assert sweep(deps_for(sessions, at_shanghai("2025-03-10")), kinds=("overdue",)) == 0
    with sessions() as session:
        overview = update_plan_reminders(session=session, plan_id=seeded["plan"].id, paused=False, reset=True)
    assert not overview.paused and overview.overrides.is_empty
    assert sweep(deps_for(sessions, at_shanghai("2025-03-10")), kinds=("overdue",)) == 1  # 7 days late


@pytest.mark.parametrize(
    ("words", "zh"),
    [
        ({"deadline_days": "-3"}, "非负整数"),
        ({"deadline_days": "三十"}, "非负整数"),
        ({"review_days": ", ,"}, "至少要有一个"),
        ({"annual_monitoring_days": "3000"}, "最多提前"),
        ({"overdue_every_days": 0}, "逾期提醒间隔"),
    ],
)
def test_unusable_settings_are_refused_in_chinese_first(words, zh):
    with pytest.raises(PlanSettingsError) as refused:
        overrides_from_words(**words)
    assert zh in refused.value.zh and refused.value.en


def test_days_typed_with_chinese_punctuation_are_read():
    assert overrides_from_words(deadline_days="30，7、1 0").deadline_days == (30, 7, 1, 0)


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "not json",
        "[1, 2]",
        '{"deadline_days": "30"}',
        '{"deadline_days": [-1]}',
        '{"overdue_every_days": 0}',
    ],
)
def test_stored_settings_that_do_not_validate_fall_back_to_the_defaults(stored):
    defaults = ReminderConventions()
    assert ReminderOverrides.from_json(stored).applied_to(defaults) == defaults


def test_stored_settings_round_trip_and_merge():
    first = overrides_from_words(deadline_days="7,1", overdue_every_days=14)
    merged = ReminderOverrides.from_json(first.to_json()).merged_with(
        overrides_from_words(review_days="90,30")
    )
    assert merged == ReminderOverrides(deadline_days=(7, 1), review_days=(90, 30), overdue_every_days=14)
    assert json.loads(merged.to_json() or "") == {
        "deadline_days": [7, 1],
        "overdue_every_days": 14,
        "review_days": [90, 30],
    }


# -- the command line -----------------------------------------------------------------------------------------


def invoke(database_url: str, monkeypatch, *args: str):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def seeded_plan_id(database_url: str) -> int:
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        plan_id = seed_ledger(session, due_dates=[D("2025-10-31")], channels=["CONE"])["plan"].id
    engine.dispose()
    return plan_id


def test_cli_sets_lists_and_the_dry_run_follows(database_url, monkeypatch):
    plan_id = seeded_plan_id(database_url)
    changed = invoke(database_url, monkeypatch, "plan", "reminders", str(plan_id), "--deadline-days", "45,1")
    assert changed.exit_code == 0, changed.output
    assert "到期前 45,1 天（本规划）" in changed.stdout and "中期/总结评估前 60,30,7 天；" in changed.stdout
    listed = invoke(database_url, monkeypatch, "plan", "list")
    assert listed.exit_code == 0 and "45,1" in listed.stdout and "年度计划" in listed.stdout

    def deadline_rules() -> set[str]:
        preview = invoke(
            database_url,
            monkeypatch,
            "remind",
            "--dry-run",
            "--from",
            "2025-09-01",
            "--to",
            "2025-10-31",
            "--format",
            "jsonl",
        )
        assert preview.exit_code == 0, preview.output
        return {json.loads(line)["fire_on"] for line in preview.stdout.splitlines() if '"deadline"' in line}

    assert deadline_rules() == {"2025-09-16", "2025-10-30"}  # 45 and 1 days before 10-31
    assert invoke(database_url, monkeypatch, "plan", "reminders", str(plan_id), "--pause").exit_code == 0
    assert deadline_rules() == set()
    with session_factory(create_engine_for(database_url))() as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None and plan.reminders_paused and plan.reminder_settings


def test_cli_refuses_unknown_plans_and_bad_days(database_url, monkeypatch):
    plan_id = seeded_plan_id(database_url)
    unknown = invoke(database_url, monkeypatch, "plan", "reminders", "999", "--pause")
    assert unknown.exit_code == 1 and "没有编号为 999 的规划" in unknown.stderr
    bad = invoke(database_url, monkeypatch, "plan", "reminders", str(plan_id), "--deadline-days", "30,-7")
    assert bad.exit_code == 2 and "非负整数" in bad.stderr
    both = invoke(database_url, monkeypatch, "plan", "reminders", str(plan_id), "--pause", "--resume")
    assert both.exit_code == 2 and "只能选一个" in both.stderr
