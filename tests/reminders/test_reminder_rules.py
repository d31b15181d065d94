"""The rules: which reminder fires on which working day, to whom, with what words."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.reminder_texts import RED, YELLOW
from handlers.reminders import (
    ReminderConventions,
    ReviewRow,
    is_working_day,
    next_working_day,
    parse_days,
    planned_reminders,
    reminders_due,
)
from tests.reminders.ledgers import COORDINATORS, snapshot, task

D = date.fromisoformat


def fired(reminders, kind=None, target=None):
    return [
        (r.fire_on.isoformat(), r.rule)
        for r in reminders
        if (kind is None or r.kind == kind) and (target is None or r.target == target)
    ]


def test_deadline_fires_30_7_1_and_0_days_before_to_channel_and_each_member():
    ledger = snapshot([task(1, D("2025-03-20"))])
    reminders = planned_reminders(ledger, D("2025-01-01"), D("2025-03-20"), kinds=["deadline"])
    assert fired(reminders, target="slack:CFGJ") == [
        ("2025-02-18", "deadline-30"),
        ("2025-03-13", "deadline-7"),
        ("2025-03-19", "deadline-1"),
        ("2025-03-20", "deadline-0"),
    ]
    assert {r.target for r in reminders} == {"slack:CFGJ", "slack:UFGJ1", "slack:UFGJ2"}
    assert len(reminders) == 12
    first = reminders[0]
    assert first.jurisdiction == "莱芜区" and first.department == "区发展改革局" and first.task_id == 1
    assert "还剩 30 天" in first.text and "Deadline reminder" in first.text
    assert first.text.index("还剩") < first.text.index("Deadline")  # Chinese first


def test_yellow_light_from_seven_days_before_red_when_late():
    ledger = snapshot([task(1, D("2025-03-20"))])
    by_rule = {
        r.rule: r.text
        for r in planned_reminders(ledger, D("2025-01-01"), D("2025-04-30"))
        if r.target == "slack:CFGJ"
    }
    assert YELLOW not in by_rule["deadline-30"]
    assert by_rule["deadline-7"].startswith(YELLOW)
    assert by_rule["deadline-0"].startswith(YELLOW) and "今天" in by_rule["deadline-0"]
    assert by_rule["overdue"].startswith(RED) and "已逾期" in by_rule["overdue"]


def test_overdue_goes_to_the_channel_not_each_member_unless_no_channel_is_bound():
    ledger = snapshot([task(1, D("2025-03-20")), task(2, D("2025-03-20"), department=2)])
    overdue = planned_reminders(ledger, D("2025-03-21"), D("2025-03-31"), kinds=["overdue"])
    assert {(r.task_id, r.target) for r in overdue} == {(1, "slack:CFGJ"), (2, "slack:UJYJ1")}


def test_overdue_weekly_three_times_then_no_more_nagging():
    ledger = snapshot([task(1, D("2025-03-20"))])
    overdue = planned_reminders(ledger, D("2025-03-21"), D("2025-12-31"), kinds=["overdue"])
    assert fired(overdue, target="slack:CFGJ") == [
        ("2025-03-27", "overdue"),
        ("2025-04-03", "overdue"),
        ("2025-04-10", "overdue"),
    ]
    last = [r for r in overdue if r.target == "slack:CFGJ"][-1]
    assert "最后一次逾期提醒" in last.text and "督办" in last.text
    assert "最后一次" not in overdue[0].text
    done = snapshot([task(1, D("2025-03-20"), status="done")])
    assert planned_reminders(done, D("2025-01-01"), D("2025-12-31")) == [] or all(
        r.kind == "digest" for r in planned_reminders(done, D("2025-01-01"), D("2025-12-31"))
    )


def test_working_days_follow_chinese_calendar_with_make_up_days():
    assert not is_working_day(D("2025-10-01")) and not is_working_day(D("2025-10-08"))
    assert is_working_day(D("2025-09-28"))  # Sunday, 调休 make-up working day
    assert is_working_day(D("2025-10-11"))  # Saturday, 调休
    assert next_working_day(D("2025-10-01")) == D("2025-10-09")
    assert next_working_day(D("2025-09-28")) == D("2025-09-28")
    assert next_working_day(D("2030-06-01")) == D("2030-06-03")  # beyond the calendar's years: Mon–Fri


def test_national_day_moves_reminders_and_merges_those_landing_on_one_day():
    ledger = snapshot([task(1, D("2025-10-09"))])
    # 7 days before (10-02) and 1 day before (10-08) fall in the holiday: both land on 10-09, the deadline day,
    # and go out as one message, the latest
    assert fired(
        planned_reminders(ledger, D("2025-09-01"), D("2025-10-09"), kinds=["deadline"]), target="slack:CFGJ"
    ) == [
        ("2025-09-09", "deadline-30"),
        ("2025-10-09", "deadline-0"),
    ]


def test_make_up_sunday_is_a_working_day_for_reminders():
    ledger = snapshot([task(1, D("2025-10-05"))])
    assert ("2025-09-28", "deadline-7") in fired(planned_reminders(ledger, D("2025-09-01"), D("2025-10-31")))
    # the deadline itself (a holiday) is reminded on the next working day, 10-09
    assert ("2025-10-09", "deadline-0") in fired(planned_reminders(ledger, D("2025-09-01"), D("2025-10-31")))


def test_annual_monitoring_only_to_departments_with_yearly_tasks():
    event = ReviewRow(event_id=7, plan_id=1, kind="annual_monitoring", due_on=D("2026-01-31"), year=2025)
    ledger = snapshot(
        [task(1, D("2025-12-31"), recurrence="yearly"), task(2, D("2025-12-31"), department=2)], [event]
    )
    reminders = planned_reminders(ledger, D("2025-12-01"), D("2026-02-28"), kinds=["annual_monitoring"])
    # 30 days before is New Year's Day: the 2026-01-04 make-up Sunday; 7 days before is a Saturday: Monday 01-26
    assert fired(reminders) == [("2026-01-04", "annual_monitoring-30"), ("2026-01-26", "annual_monitoring-7")]
    assert {r.target for r in reminders} == {
        "slack:CFGJ"
    }  # the channel, not each member; 教体局 has no yearly task
    assert "请报送上年度规划实施情况" in reminders[0].text


def test_mid_term_and_final_review_go_to_every_department_and_the_coordinators():
    events = [
        ReviewRow(8, 1, "mid_term_review", D("2023-06-30"), 2023),
        ReviewRow(9, 1, "final_review", D("2025-12-31"), 2025),
    ]
    ledger = snapshot([task(1, D("2025-12-31")), task(2, D("2025-12-31"), department=2)], events)
    mid = planned_reminders(ledger, D("2023-01-01"), D("2023-12-31"), kinds=["mid_term_review"])
    assert sorted({r.fire_on.isoformat() for r in mid}) == [
        "2023-05-04",
        "2023-05-31",
        "2023-06-25",
    ]  # 端午 06-22..24, 调休 Sunday 06-25
    assert {r.target for r in mid} == {"slack:CFGJ", "slack:UJYJ1", *COORDINATORS}
    assert all("中期评估" in r.text for r in mid)
    final = planned_reminders(ledger, D("2025-10-01"), D("2025-12-31"), kinds=["final_review"])
    assert {r.rule for r in final} == {"final_review-60", "final_review-30", "final_review-7"}
    assert all("总结评估" in r.text for r in final)


def test_paused_plan_sends_nothing():
    events = [ReviewRow(8, 1, "mid_term_review", D("2023-06-30"), 2023)]
    ledger = snapshot([task(1, D("2023-06-30"))], events, paused=True)
    assert planned_reminders(ledger, D("2023-01-01"), D("2023-12-31")) == []
    assert reminders_due(ledger, D("2023-06-30")) == []


def test_days_are_configurable_per_plan():
    ledger = snapshot([task(1, D("2025-03-20"))], conventions=ReminderConventions(deadline_days=(3,)))
    assert fired(
        planned_reminders(ledger, D("2025-01-01"), D("2025-03-20"), kinds=["deadline"]), target="slack:CFGJ"
    ) == [("2025-03-17", "deadline-3")]
    assert parse_days("30, 7,1,0") == (30, 7, 1, 0)
    with pytest.raises(ValueError):
        parse_days("7,-1")


def test_weekly_digest_monday_moves_past_national_day():
    ledger = snapshot([task(1, D("2025-12-31")), task(2, D("2025-10-20"), department=2)])
    digests = planned_reminders(ledger, D("2025-09-22"), D("2025-10-14"), kinds=["digest"])
    department = sorted({r.fire_on.isoformat() for r in digests if r.target == "slack:UJYJ1"})
    assert department == ["2025-09-22", "2025-09-29", "2025-10-09", "2025-10-13"]
    # the other department's only task is due in December: no news, no digest
    assert not [r for r in digests if r.target == "slack:CFGJ"]
    coordinators = [r for r in digests if r.target == COORDINATORS[0]]
    assert coordinators and "规划实施周报" in coordinators[0].text
    jyj = next(r for r in digests if r.target == "slack:UJYJ1" and r.fire_on == D("2025-10-13"))
    assert "区教育和体育局" in jyj.text and "🟡" in jyj.text


def test_due_today_is_the_latest_occurrence_of_each_series_once():
    ledger = snapshot([task(1, D("2025-03-20"))])
    due = reminders_due(ledger, D("2025-03-13"), kinds=["deadline", "overdue"])
    assert {(r.rule, r.target) for r in due} == {
        ("deadline-7", "slack:CFGJ"),
        ("deadline-7", "slack:UFGJ1"),
        ("deadline-7", "slack:UFGJ2"),
    }
    # the same day again: the same keys, which the deliveries table already holds
    assert {r.key for r in reminders_due(ledger, D("2025-03-13"))} >= {r.key for r in due}


def test_catch_up_after_downtime_sends_the_latest_missed_once_worded_for_today():
    ledger = snapshot([task(1, D("2025-03-20"))])
    # down from before the 30-day reminder (02-18) until Monday 03-17: 30- and 7-day reminders were missed
    due = [
        r
        for r in reminders_due(ledger, D("2025-03-17"), kinds=["deadline", "overdue"])
        if r.target == "slack:CFGJ"
    ]
    assert [(r.rule, r.fire_on.isoformat()) for r in due] == [("deadline-7", "2025-03-13")]
    assert "还剩 3 天" in due[0].text


def test_nothing_is_due_on_a_day_off():
    ledger = snapshot([task(1, D("2025-10-09"))])
    assert reminders_due(ledger, D("2025-10-03")) == []
    assert {r.rule for r in reminders_due(ledger, D("2025-10-09"), kinds=["deadline"])} == {"deadline-0"}


def test_review_reminders_stop_after_the_review_date():
    events = [ReviewRow(8, 1, "mid_term_review", D("2023-06-30"), 2023)]
    ledger = snapshot([task(1, D("2025-12-31"))], events)
    assert reminders_due(ledger, D("2023-07-03"), kinds=["mid_term_review"]) == []
    assert {r.rule for r in reminders_due(ledger, D("2023-06-26"), kinds=["mid_term_review"])} == {
        "mid_term_review-7"
    }


def test_long_jurisdiction_names_still_fit_the_delivery_key():
    from handlers.digest_series import SUBJECT_KEY_LENGTH, coordinators_subject

    assert coordinators_subject("莱芜区") == "digest:coordinators:莱芜区"
    long_name = "某某省某某市某某县某某经济技术开发区管理委员会及其所辖各乡镇街道办事处"
    assert len(coordinators_subject(long_name)) <= SUBJECT_KEY_LENGTH
    assert coordinators_subject(long_name) != coordinators_subject(long_name + "二")
