"""Recurring duties are reminded every period; overdue tasks are escalated, not nagged; old ones stay quiet."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

from handlers.reminders import LedgerSnapshot, PlanRow, planned_reminders, reminders_due
from tests.reminders.ledgers import COORDINATORS, FGJ, JYJ, task

D = date.fromisoformat
PLAN_15 = PlanRow(
    id=1,
    title="临川区“十五五”规划纲要实施方案",
    jurisdiction="莱芜区",
    starts_on=D("2026-01-01"),
    ends_on=D("2030-12-31"),
)


def ledger(*rows, plan: PlanRow = PLAN_15) -> LedgerSnapshot:
    return LedgerSnapshot(
        plans={1: plan}, departments={1: FGJ, 2: JYJ}, tasks=list(rows), reviews=[], coordinators=COORDINATORS
    )


def to_channel(reminders, kind):
    return [r for r in reminders if r.kind == kind and r.target == "slack:CFGJ"]


def test_a_yearly_duty_is_reminded_every_year_not_nagged_forever():
    yearly = replace(task(1, D("2027-01-15"), recurrence="yearly"), imported_on=D("2026-03-01"))
    reminders = planned_reminders(ledger(yearly), D("2027-01-01"), D("2029-12-31"))
    deadlines = Counter(r.occurrence_on.year for r in to_channel(reminders, "deadline"))
    # 30, 7, 1 and 0 days before 01-15 of each year: the 30-day one of 2027 fell before the range, the 30-day
    # one of 2030 is inside it, and 2029-01-14 is a Sunday, so its 1-day reminder merges into Monday's
    assert deadlines == {2027: 3, 2028: 4, 2029: 3, 2030: 1}
    overdue = Counter(r.fire_on.year for r in to_channel(reminders, "overdue"))
    assert overdue == {2027: 3, 2028: 3, 2029: 3}  # three reminders per missed year, no weekly nag
    assert all(
        "2028年度" in r.text for r in to_channel(reminders, "deadline") if r.occurrence_on.year == 2028
    )


def test_reporting_one_year_closes_that_year_only():
    yearly = replace(
        task(1, D("2027-01-15"), recurrence="yearly"),
        imported_on=D("2026-03-01"),
        done_periods=frozenset({"2027"}),
    )
    reminders = planned_reminders(ledger(yearly), D("2027-01-01"), D("2028-12-31"))
    assert {r.occurrence_on.year for r in to_channel(reminders, "deadline")} == {2028, 2029}
    assert {r.fire_on.year for r in to_channel(reminders, "overdue")} == {2028}


def test_quarterly_and_monthly_duties_have_a_deadline_every_quarter_and_month():
    quarterly = replace(task(2, D("2027-03-25"), recurrence="quarterly"), imported_on=D("2026-03-01"))
    monthly = replace(task(3, D("2027-01-05"), recurrence="monthly"), imported_on=D("2026-03-01"))
    reminders = planned_reminders(
        ledger(quarterly, monthly), D("2027-01-01"), D("2027-12-31"), kinds=["deadline"]
    )
    on_the_day = [
        r for r in to_channel(reminders, "deadline") if r.rule == "deadline-0" or r.fire_on == r.occurrence_on
    ]
    quarters = sorted({r.occurrence_on for r in on_the_day if r.task_id == 2})
    months = sorted({r.occurrence_on.month for r in to_channel(reminders, "deadline") if r.task_id == 3})
    assert [d.isoformat() for d in quarters] == ["2027-03-25", "2027-06-25", "2027-09-25", "2027-12-25"]
    assert months == list(range(1, 13))
    # a monthly duty is not reminded 30 days ahead (that is before the previous month's deadline)
    assert {r.rule for r in to_channel(reminders, "deadline") if r.task_id == 3} == {
        "deadline-7",
        "deadline-1",
        "deadline-0",
    }
    assert "deadline-30" in {r.rule for r in to_channel(reminders, "deadline") if r.task_id == 2}


def test_an_overdue_task_is_nagged_three_times_then_escalated_in_the_coordinators_digest():
    late = replace(task(4, D("2026-11-30")), imported_on=D("2026-03-01"))
    reminders = planned_reminders(ledger(late), D("2026-12-01"), D("2027-03-31"))
    assert len(to_channel(reminders, "overdue")) == 3
    coordinators = {
        r.fire_on: r.text for r in reminders if r.kind == "digest" and r.target == COORDINATORS[0]
    }
    stages = [
        next((stage for stage in ("黄灯", "红灯", "通报") if f"{stage} #4" in coordinators[day]), None)
        for day in sorted(coordinators)
    ]
    assert stages[0] is None  # still the department's own reminders
    assert "黄灯" in stages and "红灯" in stages and stages[-1] == "通报"
    assert stages.index("黄灯") < stages.index("红灯") < stages.index("通报")
    department = [r.text for r in reminders if r.kind == "digest" and r.target == "slack:CFGJ"]
    assert "已报协调员督办" in department[-1]


def test_a_sweep_does_not_resend_the_last_nag_after_it_expired():
    late = replace(task(4, D("2026-11-30")), imported_on=D("2026-03-01"))
    assert [r.rule for r in reminders_due(ledger(late), D("2026-12-21"), kinds=["overdue"])] == ["overdue"]
    assert reminders_due(ledger(late), D("2027-02-01"), kinds=["overdue", "deadline"]) == []


def test_tasks_long_overdue_when_imported_are_historic_and_silent():
    historic = replace(task(5, D("2024-06-30")), imported_on=D("2027-03-01"))
    recent = replace(task(6, D("2027-02-20"), department=2), imported_on=D("2027-03-01"))
    reminders = planned_reminders(ledger(historic, recent), D("2027-03-01"), D("2027-12-31"))
    assert {r.task_id for r in reminders if r.kind in ("deadline", "overdue")} == {6}
    # the department whose only task is historic gets no digest either
    assert not [r for r in reminders if r.kind == "digest" and r.department == FGJ.name]
    assert [r for r in reminders if r.kind == "digest" and r.department == JYJ.name]


def test_plans_ended_more_than_a_year_ago_and_archived_plans_are_silent():
    old_plan = replace(PLAN_15, starts_on=D("2016-01-01"), ends_on=D("2020-12-31"))
    old = replace(task(7, D("2020-12-31")), imported_on=D("2020-01-01"))
    assert planned_reminders(ledger(old, plan=old_plan), D("2022-01-01"), D("2022-12-31")) == []
    archived = replace(PLAN_15, archived=True)
    assert (
        planned_reminders(ledger(task(8, D("2027-06-30")), plan=archived), D("2027-01-01"), D("2027-12-31"))
        == []
    )


def test_tasks_nobody_can_be_reminded_of_go_to_the_coordinators_list_once_a_week():
    unnamed = replace(task(9, D("2027-06-30"), department=0), addressed_as="各有关部门")
    snapshot = replace(ledger(task(10, D("2027-06-30"))), unassigned=[unnamed])
    reminders = planned_reminders(snapshot, D("2027-06-01"), D("2027-06-30"))
    assert not [r for r in reminders if r.task_id == 9]  # nobody is reminded under a role's name
    coordinators = [r for r in reminders if r.kind == "digest" and r.target == COORDINATORS[0]]
    assert len(coordinators) == len({r.fire_on for r in coordinators}) == 4
    assert all("#9" in r.text and "各有关部门" in r.text and "未分配" in r.text for r in coordinators)


def test_the_coordinators_hear_of_departments_nobody_can_reach():
    unreachable = replace(JYJ, audience=replace(JYJ.audience, members=()))
    snapshot = replace(
        ledger(task(11, D("2027-06-30"), department=2), task(12, D("2027-06-30"))),
        departments={1: FGJ, 2: unreachable},
    )
    reminders = planned_reminders(snapshot, D("2027-06-01"), D("2027-06-10"))
    assert not [r for r in reminders if r.department == JYJ.name]  # nobody to send to
    coordinators = [r.text for r in reminders if r.kind == "digest" and r.target == COORDINATORS[0]]
    assert coordinators and all(
        "未绑定频道的部门（其提醒无法送达）：区教育和体育局" in text for text in coordinators
    )
    assert FGJ.name not in coordinators[0].split("未绑定频道的部门")[1].split("。")[0]
