"""The periods of a recurring duty: every year, quarter or month its own deadline."""

from __future__ import annotations

from datetime import date

from storage.task_periods import Instance, current_instance, instances, instances_between

D = date.fromisoformat


def test_yearly_duty_is_due_on_its_day_every_year_of_the_plan():
    found = list(instances(recurrence="yearly", due_on=D("2027-01-15"), last_day=D("2030-12-31")))
    assert [(i.period, i.due_on.isoformat()) for i in found] == [
        ("2027", "2027-01-15"),
        ("2028", "2028-01-15"),
        ("2029", "2029-01-15"),
        ("2030", "2030-01-15"),
    ]
    assert found[0].label == "2027年度"


def test_quarterly_duty_keeps_its_month_within_the_quarter_and_starts_when_told():
    found = instances_between(
        recurrence="quarterly",
        due_on=D("2026-03-25"),
        starts_on=D("2027-01-01"),
        start=D("2027-01-01"),
        end=D("2027-12-31"),
    )
    assert [i.due_on.isoformat() for i in found] == ["2027-03-25", "2027-06-25", "2027-09-25", "2027-12-25"]
    assert found[1].period == "2027Q2" and found[1].label == "2027年第2季度"


def test_monthly_duty_without_a_written_day_is_due_at_each_month_end():
    found = instances_between(
        recurrence="monthly",
        due_on=None,
        first_day=D("2028-01-01"),
        start=D("2028-01-01"),
        end=D("2028-03-31"),
    )
    assert [i.due_on.isoformat() for i in found] == ["2028-01-31", "2028-02-29", "2028-03-31"]
    assert found[1].label == "2028年2月"


def test_the_31st_of_every_month_is_the_last_day_of_short_months():
    found = instances_between(
        recurrence="monthly", due_on=D("2027-01-31"), start=D("2027-02-01"), end=D("2027-04-30")
    )
    assert [i.due_on.isoformat() for i in found] == ["2027-02-28", "2027-03-31", "2027-04-30"]


def test_current_instance_is_a_late_one_until_reported_then_the_next():
    yearly = {"recurrence": "yearly", "due_on": D("2027-01-15")}
    assert current_instance(**yearly, today=D("2027-01-10")) == Instance("2027", D("2027-01-15"))
    # the 2027 report is late: a report on 2027-03-01 is about 2027
    assert current_instance(**yearly, today=D("2027-03-01")) == Instance("2027", D("2027-01-15"))
    # once 2027 is done, the next report is about 2028
    done = frozenset({"2027"})
    assert current_instance(**yearly, today=D("2027-03-01"), done_periods=done) == Instance(
        "2028", D("2028-01-15")
    )
    assert current_instance(**yearly, today=D("2027-01-10"), done_periods=done) == Instance(
        "2028", D("2028-01-15")
    )


def test_no_instance_is_left_after_the_plan_ends_and_the_last_is_done():
    assert (
        current_instance(
            recurrence="yearly",
            due_on=D("2029-01-15"),
            today=D("2031-02-01"),
            last_day=D("2030-12-31"),
            done_periods=frozenset({"2030"}),
        )
        is None
    )
