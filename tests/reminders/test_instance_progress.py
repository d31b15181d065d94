"""Progress on a recurring duty is per instance: `/plan 进展` takes the current one and the card says which."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select

from bot.console import ConsoleChat
from bot.deps import Deps
from bot.settings import Settings
from storage.models import Assignment, ProgressUpdate, TaskInstance
from storage.reminder_rows import ReminderConventions
from storage.reminder_snapshot import load_snapshot
from tests.reminders.ledger_rows import seed_ledger
from tests.reminders.test_snapshot_lifecycle import _task

D = date.fromisoformat


class Clock:
    def __init__(self, day: str) -> None:
        self.now = datetime.fromisoformat(f"{day}T02:00:00+00:00")  # 10:00 in Shanghai

    def __call__(self) -> datetime:
        return self.now

    def set(self, day: str) -> None:
        self.now = datetime.fromisoformat(f"{day}T02:00:00+00:00")


def test_reporting_a_yearly_duty_closes_this_year_and_the_card_moves_to_the_next(sessions):
    with sessions() as session:
        seeded = seed_ledger(session, due_dates=[D("2027-06-30")], channels=["CONE"])
        plan = seeded["plan"]
        plan.kind, plan.year, plan.period_start, plan.period_end = "five_year_plan", None, 2026, 2030
        session.add(plan)
        duty = _task(
            session, seeded, "每年1月15日前报送上年度规划实施情况", D("2027-01-15"), recurrence="yearly"
        )
        session.add(Assignment(task_id=duty.id, department_id=seeded["departments"][0].id, role="lead"))
        session.commit()
        duty_id = duty.id
    clock = Clock("2027-01-10")
    chat = ConsoleChat(Deps(settings=Settings(_env_file=None), session_factory=sessions, clock=clock))

    card = chat.say(f"/plan 详情 {duty_id}")
    assert "2027-01-15（还剩 5 天），每年" in card and "本期：2027年度" in card
    assert f"已记录任务 #{duty_id}（2027年度）的进展" in chat.say(
        f"/plan 进展 {duty_id} 已汇总各科室材料 50%"
    )
    assert "进行中 50%" in chat.say(f"/plan 详情 {duty_id}")

    # late: on 02-01 the 2027 report is still the current one
    clock.set("2027-02-01")
    late = chat.say(f"/plan 详情 {duty_id}")
    assert "2027-01-15（已逾期 17 天），每年" in late and "本期：2027年度" in late
    assert "2027年度" in chat.say(f"/plan 完成 {duty_id}")
    after = chat.say(f"/plan 详情 {duty_id}")
    assert "2028-01-15（还剩 348 天），每年" in after and "本期：2028年度" in after and "未开始" in after

    with sessions() as session:
        instances = {
            row.period: (row.status, row.percent) for row in session.exec(select(TaskInstance)).all()
        }
        periods = list(session.exec(select(ProgressUpdate.period).order_by(ProgressUpdate.id)).all())
        snapshot = load_snapshot(session=session, defaults=ReminderConventions())
    assert instances == {"2027": ("done", 100)}
    assert periods == ["2027", "2027"]
    row = next(row for row in snapshot.tasks if row.task_id == duty_id)
    assert row.status == "open" and row.done_periods == frozenset({"2027"})  # the duty itself goes on
