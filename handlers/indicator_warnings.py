"""Indicators in the reminders: the annual monitoring reminder asks each lead unit for last year's values, and
the coordinators' digest warns (预警) of indicators behind their path (red) or not reported after the
monitoring date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import date

from handlers.indicator_status import IndicatorFacts, Judgement, judge
from handlers.indicator_status import monitored_in as status_monitored_in
from storage.reminder_rows import DepartmentRow, IndicatorWatch, ReminderConventions

WARNINGS_SHOWN = 15  # a digest lists this many warned indicators, then counts the rest


def facts(watch: IndicatorWatch) -> IndicatorFacts:
    """The judging facts of a watch, which carries them under the same names."""
    return IndicatorFacts(**{field.name: getattr(watch, field.name) for field in fields(IndicatorFacts)})


def judge_watch(watch: IndicatorWatch, as_of: date, conventions: ReminderConventions) -> Judgement:
    return judge(
        facts(watch),
        dict(watch.values),
        today=as_of,
        annual_report_date=conventions.annual_report_date,
        tolerance=conventions.indicator_tolerance,
    )


def monitored_in(watch: IndicatorWatch, year: int) -> bool:
    """Whether the plan's indicator has a value to report for `year` (handlers.indicator_status.monitored_in)."""
    return status_monitored_in(watch.base_year, watch.target_year, year)


def request_text(watches: Iterable[IndicatorWatch], year: int) -> str:
    """The part of the annual monitoring reminder that asks a unit for its indicators' values of `year`."""
    wanted = [watch for watch in watches if monitored_in(watch, year)]
    if not wanted:
        return ""
    names = "；".join(
        f"#{watch.indicator_id} {watch.name}"
        + (f"（{watch.unit}）" if watch.unit else "")
        + ("（已报送）" if year in dict(watch.values) else "")
        for watch in wanted
    )
    first = wanted[0].indicator_id
    return (
        f"\n请报送本部门牵头指标 {year} 年的数值：{names}。"
        f"用 `/plan 指标 {first} {year} 数值 [说明]` 报送，或输入 `/plan 指标` 后点清单下的“报送”按钮填写。\n"
        f"Please report your indicators' values for {year}: `/plan 指标 ID {year} VALUE [note]`."
    )


def warning_lines(
    watches: Iterable[IndicatorWatch],
    departments: Mapping[int, DepartmentRow],
    as_of: date,
    conventions_of,  # type: ignore[no-untyped-def]  # plan id -> ReminderConventions
) -> list[str]:
    """The digest's 预警 lines: red indicators first, then those not reported after the monitoring date."""
    warned: list[tuple[int, IndicatorWatch, Judgement]] = []
    for watch in watches:
        judgement = judge_watch(watch, as_of, conventions_of(watch.plan_id))
        if judgement.warns:
            warned.append((0 if judgement.status == "red" else 1, watch, judgement))
    if not warned:
        return []
    warned.sort(key=lambda entry: (entry[0], entry[1].indicator_id))
    lines = [f"【指标预警】{len(warned)} 项指标落后于进度或未按时报送："]
    for _, watch, judgement in warned[:WARNINGS_SHOWN]:
        department = departments.get(watch.department_id)
        who = department.name if department else "未指定责任单位"
        if judgement.status == "red":
            lines.append(
                f"  🔴 #{watch.indicator_id} {watch.name} {judgement.year}年 {_number(judgement.value)}，"
                f"应达 {_number(judgement.path)}（{watch.attribute or '属性未知'}，{who}）"
            )
        else:
            lines.append(f"  ⚪ #{watch.indicator_id} {watch.name} {judgement.year}年数值未报送（{who}）")
    if len(warned) > WARNINGS_SHOWN:
        lines.append(f"  …另有 {len(warned) - WARNINGS_SHOWN} 项，用 `/plan 指标` 查看。")
    lines.append(
        f"Indicator warnings: {len(warned)} behind their path or not reported; `/plan 指标` lists them all."
    )
    return lines


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")
