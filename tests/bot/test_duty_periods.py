"""A yearly duty is due, overdue and shown per period: done for 2027, it is due (then overdue) for 2028 in
`/plan 到期`, `/plan 逾期`, on its card and in the 任务清单 sheet, which reads the period's cells back. Through
the console chat with a frozen clock and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.console import ConsoleChat
from bot.deps import Deps
from storage.models import Assignment, Document, Plan, Task
from storage.search import search_grams
from tests.handlers.ledger import COORDINATOR, FGJ_MEMBER, NOW

DUTY = "报送上年度规划实施情况"
EVIDENCE = f"区发展改革局每年1月15日前{DUTY}。"


class FrozenClock:
    def __init__(self) -> None:
        self.now = NOW

    def on(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def duty(sessions, ledger) -> int:  # type: ignore[no-untyped-def]
    """A 十五五 plan's yearly duty of 莱芜区发展改革局: due 01-15 of every year from 2027 on."""
    with sessions() as session:
        old_plan = session.get(Task, ledger.overdue_task)
        assert old_plan is not None
        jurisdiction_id = session.get(Plan, old_plan.plan_id).jurisdiction_id  # type: ignore[union-attr]
        plan = Plan(
            jurisdiction_id=jurisdiction_id,
            title="莱芜区十五五规划实施方案",
            title_key="莱芜区十五五实施方案",
            identity_key="implementation_plan|P2026-2030|莱芜区十五五实施方案",
            kind="five_year_plan",
            period_start=2026,
            period_end=2030,
            created_at=NOW,
        )
        session.add(plan)
        session.flush()
        document = Document(
            plan_id=plan.id,
            source="方案.txt",
            sha256="c" * 64,
            format="txt",
            title=plan.title,
            kind="five_year_plan",
            text=EVIDENCE,
            ingested_at=NOW,
        )
        session.add(document)
        session.flush()
        task = Task(
            plan_id=plan.id,
            document_id=document.id,
            section="五、保障措施",
            action=DUTY,
            evidence=EVIDENCE,
            evidence_key=EVIDENCE,
            search_grams=search_grams(DUTY, EVIDENCE),
            due_on=date(2027, 1, 15),
            recurrence="yearly",
            starts_on=date(2027, 1, 1),
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(task)
        session.flush()
        session.add(Assignment(task_id=task.id, department_id=ledger.laiwu_fgj, role="lead"))
        session.commit()
        assert task.id is not None
        return task.id


@pytest.fixture
def chats(settings, sessions, clock, duty):  # type: ignore[no-untyped-def]
    deps = Deps(settings=settings, session_factory=sessions, clock=clock)
    return ConsoleChat(deps, user_id=FGJ_MEMBER, coordinator=False), ConsoleChat(deps, user_id=COORDINATOR)


def _card(answer: str, task_id: int) -> str:
    """The lines of one task's card in a plain-text answer."""
    match = re.search(rf"^[🔴🟡🟢✅⚪] #{task_id} .*?(?=\n\S|\Z)", answer, re.M | re.S)
    assert match, answer
    return match.group(0)


def test_a_yearly_duty_done_for_2027_is_due_then_overdue_for_2028(chats, clock, duty) -> None:  # type: ignore[no-untyped-def]
    member, coordinator = chats
    clock.on(date(2027, 1, 10))
    soon = _card(member.say("/plan 到期"), duty)
    assert "期限：2027-01-15（还剩 5 天），每年" in soon and "本期：2027年度" in soon
    assert "已标记完成" in member.say(f"/plan 完成 {duty}")  # the 2027 report closes 2027 only

    clock.on(date(2027, 12, 20))
    assert f"#{duty} " not in member.say("/plan 逾期")  # its first deadline has passed, but 2027 is done
    due = _card(member.say("/plan 到期"), duty)  # the next 30 days hold 2028's deadline
    assert "期限：2028-01-15（还剩 26 天），每年" in due and "本期：2028年度" in due
    assert f"#{duty} " in member.say("/plan 到期 2028年")
    assert f"#{duty} " not in member.say("/plan 到期 2027年")
    assert "期限：2028-01-15" in _card(member.say(f"/plan 详情 {duty}"), duty)

    clock.on(date(2028, 2, 1))
    overdue = member.say("/plan 逾期")
    card = _card(overdue, duty)
    assert "🔴" in card and "期限：2028-01-15（已逾期 17 天），每年" in card and "本期：2028年度" in card
    assert re.findall(r"#(\d+) ", overdue)[0] == str(duty)  # latest deadline first: the 2025 tasks follow
    assert f"#{duty} " in coordinator.say("莱芜区发改局有哪些逾期任务？")
    assert f"#{duty} " not in member.say("/plan 到期")

    assert "已标记完成" in member.say(f"/plan 完成 {duty}")  # 2028 reported, late
    assert f"#{duty} " not in member.say("/plan 逾期")
    assert "期限：2029-01-15" in _card(member.say("/plan 到期 2029年"), duty)


def test_a_duty_with_an_undone_period_stays_overdue_after_a_later_deadline(chats, clock, duty) -> None:  # type: ignore[no-untyped-def]
    member, _ = chats
    clock.on(date(2029, 3, 1))  # nothing reported for 2027, 2028 or 2029: the latest missed period is listed
    card = _card(member.say("/plan 逾期"), duty)
    assert "期限：2029-01-15（已逾期 45 天）" in card and "本期：2029年度" in card
    listing = member.say("/plan 逾期")
    assert listing.count(f"#{duty} ") == 1  # one entry per duty, not one per missed period


def test_a_monthly_duty_is_listed_once_by_the_period_worth_chasing(chats, clock, duty, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        task = session.get(Task, duty)
        task.recurrence, task.due_on = "monthly", date(2027, 1, 5)  # 每月5日前
        session.add(task)
        session.commit()
    member, _ = chats
    clock.on(date(2027, 6, 16))
    this_year = member.say("/plan 到期 今年")
    assert this_year.count(f"#{duty} ") == 1
    # January to June were all missed: the year lists June's, not January's
    assert "本期：2027年6月" in _card(this_year, duty) and "期限：2027-06-05（已逾期 11 天）" in this_year
    assert "期限：2027-07-05（还剩 19 天）" in _card(member.say("/plan 到期"), duty)
    assert "本期：2027年8月" in _card(member.say("/plan 到期 2027年8月"), duty)


@pytest.fixture
def run(engine, monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def _sheet_row(path: Path, task_id: int) -> dict[str, object]:
    sheet = load_workbook(path)["任务清单"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == task_id:
            return {str(title): cell for title, cell in zip(header, row, strict=False)}
    raise AssertionError(f"no row for task {task_id}")


def test_the_task_list_sheet_shows_the_current_period_and_reads_it_back(  # type: ignore[no-untyped-def]
    run, chats, clock, duty, sessions, tmp_path: Path
) -> None:
    member, _ = chats
    clock.on(date(2027, 1, 10))
    assert "已标记完成" in member.say(f"/plan 完成 {duty}")  # 2027 reported

    workbook = tmp_path / "台账.xlsx"
    assert run("export", "--xlsx", str(workbook), "--today", "2028-02-01").exit_code == 0
    row = _sheet_row(workbook, duty)
    assert row["完成时限"].value == datetime(2028, 1, 15) and row["完成时限"].is_date
    assert (row["状态"].value, row["完成百分比"].value, row["本期"].value) == ("未开始", 0, "2028年度")
    assert row["任务"].fill.fgColor.rgb.endswith("FFC7CE")  # red: 2028's deadline has passed
    assert "没有变化" in run("apply", str(workbook)).stdout  # the period's values are not edits of the duty

    # the office marks 2028 done and moves the deadline to 01-31: every year's deadline moves alike
    book = load_workbook(workbook)
    sheet = book["任务清单"]
    number = row["状态"].row
    header = [cell.value for cell in sheet[1]]
    sheet.cell(number, header.index("状态") + 1).value = "已完成"
    sheet.cell(number, header.index("完成时限") + 1).value = datetime(2028, 1, 31)
    book.save(workbook)
    dry = run("apply", str(workbook), "--dry-run").stdout
    assert f"#{duty} {DUTY}（本期：2028年度）" in dry and "未开始 → 已完成" in dry
    assert run("apply", str(workbook)).exit_code == 0

    with sessions() as session:
        task = session.get(Task, duty)
        assert (task.due_on, task.status) == (
            date(2027, 1, 31),
            "open",
        )  # the pattern moved, the duty stays open
    clock.on(date(2028, 2, 1))
    assert f"#{duty} " not in member.say("/plan 逾期")
    assert "期限：2029-01-31" in _card(member.say("/plan 到期 2029年"), duty)
    assert run("export", "--xlsx", str(workbook), "--today", "2028-02-01").exit_code == 0
    assert _sheet_row(workbook, duty)["本期"].value == "2029年度"


def _listed(run, *args: str) -> dict[int, str]:  # type: ignore[no-untyped-def]
    result = run("tasks", "--dept", "莱芜区发改局", "--format", "jsonl", *args)
    assert result.exit_code == 0, result.output
    return {row["id"]: row["due"] for row in map(json.loads, result.stdout.splitlines())}


def test_planbot_tasks_lists_a_duty_by_its_open_period(run, chats, clock, duty) -> None:  # type: ignore[no-untyped-def]
    member, _ = chats
    clock.on(date(2027, 1, 10))
    assert "已标记完成" in member.say(f"/plan 完成 {duty}")
    assert duty not in _listed(run, "--overdue", "--today", "2027-12-20")
    assert _listed(run, "--due-within", "30", "--today", "2027-12-20")[duty] == "2028-01-15"
    assert _listed(run, "--overdue", "--today", "2028-02-01")[duty] == "2028-01-15"
    searched = _listed(run, "--overdue", "--today", "2028-02-01", "--search", "规划实施情况", "--limit", "5")
    assert searched == {duty: "2028-01-15"}
    assert duty not in _listed(run, "--overdue", "--today", "2028-02-01", "--search", "招商")


def test_the_department_counts_a_duty_late_only_when_a_period_is(chats, clock, duty) -> None:  # type: ignore[no-untyped-def]
    member, _ = chats
    clock.on(date(2027, 1, 10))
    assert "已标记完成" in member.say(f"/plan 完成 {duty}")
    # its ten 2025 tasks are all late by now; the duty, with 2027 reported, is open but not late
    clock.on(date(2027, 12, 20))
    assert "莱芜区发展改革局：未完成 11，逾期 10" in member.say("/plan 部门")
    clock.on(date(2028, 2, 1))
    assert "莱芜区发展改革局：未完成 11，逾期 11" in member.say("/plan 部门")


def test_a_departments_open_tasks_sort_a_duty_by_its_current_period(chats, clock, duty, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        duty_task = session.get(Task, duty)
        later = Task(
            plan_id=duty_task.plan_id,
            document_id=duty_task.document_id,
            action="建成区级规划实施监测平台",
            evidence="区发展改革局2027年6月底前建成区级规划实施监测平台。",
            evidence_key="建成区级规划实施监测平台",
            search_grams=search_grams("建成区级规划实施监测平台", ""),
            due_on=date(2027, 6, 30),
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(later)
        session.flush()
        fgj = session.exec(select(Assignment.department_id).where(Assignment.task_id == duty)).one()
        session.add(Assignment(task_id=later.id, department_id=fgj, role="lead"))
        session.commit()
        later_id = later.id
    member, _ = chats
    clock.on(date(2027, 1, 10))
    assert "已标记完成" in member.say(f"/plan 完成 {duty}")
    clock.on(date(2027, 3, 1))
    pages = [member.say("/plan 任务")]
    while "下一页" in pages[-1]:
        pages.append(member.say("下一页"))
    order = [int(found) for page in pages for found in re.findall(r"^[🔴🟡🟢✅⚪] #(\d+) ", page, re.M)]
    # the duty's first deadline (2027-01-15) is done: it is due 2028-01-15, after the task due 2027-06-30
    assert order.index(later_id) < order.index(duty) == len(order) - 1
