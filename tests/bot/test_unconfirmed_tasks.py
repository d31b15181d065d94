"""No department hears of a task awaiting review (待核对): the lists, search, questions, App Home, digests and
`planbot tasks` leave it out for everyone but coordinators, who see it marked. Through the console chat, the
signed Slack front and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.console import ConsoleChat
from storage.models import Assignment, Task
from storage.search import search_grams
from tests.bot.conftest import text_of
from tests.fakes import payloads
from tests.handlers.ledger import COORDINATOR, FGJ_MEMBER, NOW

# two tasks of 莱芜区发展改革局 imported in Slack and not yet confirmed: one due in five days, one overdue
WAITING_SOON = "建设智慧园区数据平台"
WAITING_LATE = "清理批而未供闲置土地"
CONFIRMED_LATE = "编制年度重点项目计划"  # the ledger's own overdue task of the same department


@pytest.fixture
def waiting(sessions, ledger) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ids = {}
    with sessions() as session:
        plan_task = session.get(Task, ledger.overdue_task)
        assert plan_task is not None
        for action, due in ((WAITING_SOON, date(2025, 6, 20)), (WAITING_LATE, date(2025, 6, 1))):
            evidence = f"区发改局牵头，{action}。"
            task = Task(
                plan_id=plan_task.plan_id,
                document_id=plan_task.document_id,
                section="第十五章 规划实施保障",
                action=action,
                evidence=evidence,
                evidence_key=action,
                search_grams=search_grams(action, evidence),
                due_on=due,
                awaiting_review=True,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(task)
            session.flush()
            session.add(Assignment(task_id=task.id, department_id=ledger.laiwu_fgj, role="lead"))
            ids[action] = task.id
        session.commit()
    return ids


LISTS = (
    "/plan 任务",
    "/plan 任务 莱芜区发改局",
    "/plan 到期",
    "/plan 到期 本月",
    "/plan 逾期",
    "/plan 搜索 智慧园区",
    "/plan 搜索 闲置土地",
    "/plan 日程",
    "莱芜区发改局本月有哪些任务到期？",
    "莱芜区发改局有哪些逾期任务？",
)


def test_a_member_never_sees_a_task_awaiting_review(deps, waiting) -> None:  # type: ignore[no-untyped-def]
    chat = ConsoleChat(deps, user_id=FGJ_MEMBER, coordinator=False)
    for line in LISTS:
        answer = chat.say(line)
        assert WAITING_SOON not in answer and WAITING_LATE not in answer, line
        assert "待核对" not in answer and "有 2 个" not in answer, line  # answered, not an ambiguity
    overdue = chat.say("/plan 逾期")
    assert CONFIRMED_LATE in overdue and "（1 项）" in overdue  # the confirmed one is still there, alone
    for task_id in waiting.values():
        assert f"没有编号为 #{task_id} 的任务" in chat.say(f"/plan 详情 {task_id}")
        assert f"没有编号为 #{task_id} 的任务" in chat.say(f"/plan 进展 {task_id} 已启动 10%")
    # the department counts leave them out too: 10 confirmed open tasks, 1 of them late
    assert "莱芜区发展改革局：未完成 10，逾期 1" in chat.say("/plan 部门")


def test_a_coordinator_sees_them_marked(deps, waiting) -> None:  # type: ignore[no-untyped-def]
    chat = ConsoleChat(deps, user_id=COORDINATOR)
    overdue = chat.say("/plan 逾期")
    assert WAITING_LATE in overdue and CONFIRMED_LATE in overdue
    assert "状态：未开始（待核对，确认前不提醒）" in overdue
    assert overdue.count("待核对") == 1  # the confirmed task is not marked
    assert WAITING_SOON in chat.say("/plan 到期") and WAITING_SOON in chat.say("/plan 搜索 智慧园区")
    assert WAITING_SOON in chat.say("/plan 任务 莱芜区发改局")
    shown = chat.say(f"/plan 详情 {waiting[WAITING_SOON]}")
    assert WAITING_SOON in shown and "待核对" in shown
    assert "莱芜区发展改革局：未完成 12，逾期 2" in chat.say("/plan 部门")


def test_app_home_leaves_them_out_for_a_member_and_marks_them_for_a_coordinator(bot, waiting) -> None:  # type: ignore[no-untyped-def]
    bot.post(payloads.app_home_opened(FGJ_MEMBER))
    [member_home] = bot.fake.wait_for("views.publish")
    text = text_of(member_home.body["view"])
    assert CONFIRMED_LATE in text and WAITING_LATE not in text and WAITING_SOON not in text
    bot.post(payloads.app_home_opened(COORDINATOR))
    coordinator_home = bot.fake.wait_for("views.publish", count=2)[1]
    text = text_of(coordinator_home.body["view"])
    assert WAITING_LATE in text and "待核对" in text


@pytest.fixture
def run(engine, monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def _actions(output: str) -> dict[str, bool]:
    rows = [json.loads(line) for line in output.splitlines() if line.strip()]
    return {row["task"]: row["awaiting_review"] for row in rows}


def test_planbot_tasks_marks_them_and_leaves_them_out_as_a_department_sees_it(run, waiting) -> None:  # type: ignore[no-untyped-def]
    listed = _actions(run("tasks", "--dept", "莱芜区发改局", "--format", "jsonl").stdout)
    assert listed[WAITING_SOON] is True and listed[CONFIRMED_LATE] is False
    table = run(
        "tasks", "--dept", "莱芜区发改局", "--overdue", "--today", "2025-06-15", "--limit", "0"
    ).stdout
    assert WAITING_LATE in table and "未开始（待核对）" in table
    as_department = run("tasks", "--dept", "莱芜区发改局", "--no-coordinator", "--format", "jsonl").stdout
    assert set(_actions(as_department)) & {WAITING_SOON, WAITING_LATE} == set()
    assert CONFIRMED_LATE in _actions(as_department)
    searched = run("tasks", "--search", "智慧园区", "--no-coordinator", "--format", "jsonl").stdout
    assert _actions(searched) == {}


def test_a_department_digest_leaves_them_out(run, waiting) -> None:  # type: ignore[no-untyped-def]
    result = run("remind", "--dry-run", "--from", "2025-06-16", "--to", "2025-06-16", "--format", "jsonl")
    reminders = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    [digest] = [r for r in reminders if r["kind"] == "digest" and r["department"] == "区发展改革局"]
    # its 10 own open tasks and 各部门's one; the confirmed overdue task is its only late one
    assert (
        "在办任务 11 项，30 天内到期 1 项，逾期 1 项" in digest["text"] and CONFIRMED_LATE in digest["text"]
    )
    assert not [r for r in reminders if WAITING_SOON in r["text"] or WAITING_LATE in r["text"]]
    assert not {r["task_id"] for r in reminders} & set(waiting.values())


def test_the_progress_chart_counts_confirmed_tasks_only_when_departments_see_it(sessions, waiting) -> None:  # type: ignore[no-untyped-def]
    from handlers.report_chart import department_status

    with sessions() as session:
        everything = department_status(session=session, department="莱芜区发改局", today=date(2025, 6, 15))
        confirmed = department_status(
            session=session, department="莱芜区发改局", today=date(2025, 6, 15), confirmed_only=True
        )
    # the two waiting tasks (one late, one due within a week) are in the coordinator's figures only
    assert sum(everything.tasks.values()) - sum(confirmed.tasks.values()) == 2
    assert everything.tasks["red"] - confirmed.tasks["red"] == 1
