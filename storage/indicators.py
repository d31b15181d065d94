"""Indicators of a plan and their reported yearly values: store them from a document, list them, record a value.

- An ingest stores the document's IndicatorRecords; a revision of the plan updates them by name, archives the
  ones it no longer lists and never touches a reported value.
- A value is reported for one year; reporting the same year again adds a row, and the newest counts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from ingest.records import IndicatorRecord
from ingest.units import AliasTable
from storage.departments import get_or_create_department, name_key
from storage.models import (
    INDICATOR_ATTRIBUTES,
    INDICATOR_COMPARISONS,
    Department,
    Indicator,
    IndicatorDepartment,
    IndicatorValue,
    Jurisdiction,
    Plan,
)
from storage.reminder_rows import IndicatorWatch

_NOT_IN_KEY = re.compile(r"[\s\W_]+", re.UNICODE)
_NUMBER = re.compile(r"[-+−]?\d+(?:\.\d+)?")
# a value reported in a table may carry its own comparison or unit: ">5.5", "90.8%", "约3.2"
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100
SHORT_FIELD = 40  # storage.models.Indicator.unit and .category


class IndicatorError(Exception):
    """A report or lookup that cannot be done, said in Chinese and in English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} {en}")
        self.zh = zh
        self.en = en


def indicator_key(name: str) -> str:
    return _NOT_IN_KEY.sub("", name_key(name))


def parse_number(value: str | None) -> float | None:
    """The first number written in `value` (">5.5" -> 5.5, "−2" -> -2.0); None for "完成市下达任务" or "-"."""
    if not value:
        return None
    found = _NUMBER.search(value.replace(",", "").replace("，", ""))
    return float(found.group().replace("−", "-")) if found else None


# the documents whose indicators are their own; a division plan or an implementation opinion that names an
# indicator speaks of the plan's (its units), and is matched to it by name
OWN_INDICATOR_KINDS = ("five_year_plan", "annual_plan", "annual_breakdown")


@dataclass
class IndicatorSync:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)


_DOCUMENT_FIELDS = (
    "name",
    "unit",
    "category",
    "base_year",
    "base_value",
    "target_year",
    "target_value",
    "target_number",
    "comparison",
    "annual_growth",
    "attribute",
    "evidence",
)


def _fields(record: IndicatorRecord) -> dict[str, object]:
    fields: dict[str, object] = {name: getattr(record, name) for name in _DOCUMENT_FIELDS}
    # the table may write an attribute or comparison the schema does not know: keep the row, drop the word
    if fields["comparison"] not in INDICATOR_COMPARISONS:
        fields["comparison"] = None
    if fields["attribute"] not in INDICATOR_ATTRIBUTES:
        fields["attribute"] = None
    for name in ("unit", "category"):  # VARCHAR(40): a stray bracket read as a unit must not fail the ingest
        if isinstance(fields[name], str):
            fields[name] = fields[name][:SHORT_FIELD]
    if fields["target_number"] is None:
        fields["target_number"] = parse_number(record.target_value)
    return fields


def store_indicators(
    *,
    session: Session,
    plan: Plan,
    jurisdiction: Jurisdiction,
    records: list[IndicatorRecord],
    aliases: AliasTable | None,
    now: datetime,
    revision: bool,
) -> IndicatorSync:
    """Store `records` as `plan`'s indicators (no commit: part of the ingest's transaction).

    `revision`: the document is a new version of the plan, so indicators it no longer lists are archived. A
    document of the same plan with no indicator table at all (a revision of the text only) archives nothing.
    """
    assert plan.id is not None and jurisdiction.id is not None
    sync = IndicatorSync()
    known = {
        row.name_key: row for row in session.exec(select(Indicator).where(Indicator.plan_id == plan.id)).all()
    }
    elsewhere = {} if plan.kind in OWN_INDICATOR_KINDS else _other_plans_indicators(session, plan)
    seen: set[str] = set()
    for record in records:
        key = indicator_key(record.name)
        if not key or key in seen:
            continue
        seen.add(key)
        if key in elsewhere and key not in known:
            # a division plan naming the 纲要's indicator gives it its units; it is no indicator of its own
            if record.departments:
                _sync_departments(
                    session=session,
                    indicator=elsewhere[key],
                    jurisdiction=jurisdiction,
                    names=record.departments,
                    aliases=aliases,
                )
                sync.changed.append(record.name)
            continue
        fields = _fields(record)
        indicator = known.get(key)
        if indicator is None:
            indicator = Indicator(
                plan_id=plan.id,
                jurisdiction_id=jurisdiction.id,
                name_key=key,
                created_at=now,
                updated_at=now,
                **fields,
            )
            session.add(indicator)
            session.flush()
            sync.added.append(record.name)
        else:
            changed = [name for name, value in fields.items() if getattr(indicator, name) != value]
            if changed or indicator.archived_at is not None:
                for name, value in fields.items():
                    setattr(indicator, name, value)
                indicator.archived_at = None
                indicator.updated_at = now
                session.add(indicator)
                sync.changed.append(record.name)
        _sync_departments(
            session=session,
            indicator=indicator,
            jurisdiction=jurisdiction,
            names=record.departments,
            aliases=aliases,
        )
    if revision and records:
        for key, indicator in known.items():
            if key not in seen and indicator.archived_at is None:
                indicator.archived_at = now
                indicator.updated_at = now
                session.add(indicator)
                sync.archived.append(indicator.name)
    session.flush()
    return sync


def _other_plans_indicators(session: Session, plan: Plan) -> dict[str, Indicator]:
    """The live indicators of the jurisdiction's other plans by name key, the newest plan's winning."""
    found = session.exec(
        select(Indicator)
        .where(
            Indicator.jurisdiction_id == plan.jurisdiction_id,
            Indicator.plan_id != plan.id,
            col(Indicator.archived_at).is_(None),
        )
        .order_by(col(Indicator.plan_id), col(Indicator.id))
    ).all()
    return {indicator.name_key: indicator for indicator in found}


def _sync_departments(
    *,
    session: Session,
    indicator: Indicator,
    jurisdiction: Jurisdiction,
    names: tuple[str, ...],
    aliases: AliasTable | None,
) -> None:
    assert indicator.id is not None
    wanted: dict[int, str] = {}
    for position, name in enumerate(names):
        department = get_or_create_department(
            session=session, jurisdiction=jurisdiction, name=name, aliases=aliases
        )
        assert department.id is not None
        wanted.setdefault(department.id, "lead" if position == 0 else "co")
    current = {
        row.department_id: row
        for row in session.exec(
            select(IndicatorDepartment).where(IndicatorDepartment.indicator_id == indicator.id)
        )
    }
    if not names and current:
        return  # a table without a unit column does not take away units named before
    for department_id, row in current.items():
        if department_id not in wanted:
            session.delete(row)
        elif row.role != wanted[department_id]:
            row.role = wanted[department_id]
            session.add(row)
    for department_id, role in wanted.items():
        if department_id not in current:
            session.add(
                IndicatorDepartment(indicator_id=indicator.id, department_id=department_id, role=role)
            )


@dataclass
class IndicatorRow:
    """An indicator with what a reader needs beside it: its plan, its units and the counting value of each year."""

    indicator: Indicator
    plan_title: str
    jurisdiction: str
    departments: list[str]  # lead first
    department_ids: list[int]
    values: dict[int, IndicatorValue]  # year -> the newest report of that year


def indicator_rows(
    *,
    session: Session,
    plan_id: int | None = None,
    department_id: int | None = None,
    indicator_ids: list[int] | None = None,
    include_archived: bool = False,
) -> list[IndicatorRow]:
    statement = (
        select(Indicator, Plan, Jurisdiction)
        .join(Plan, col(Plan.id) == col(Indicator.plan_id))
        .join(Jurisdiction, col(Jurisdiction.id) == col(Indicator.jurisdiction_id))
    )
    if plan_id is not None:
        statement = statement.where(Indicator.plan_id == plan_id)
    if indicator_ids is not None:
        statement = statement.where(col(Indicator.id).in_(indicator_ids))
    if not include_archived:
        statement = statement.where(col(Indicator.archived_at).is_(None))
    if department_id is not None:
        statement = statement.where(
            col(Indicator.id).in_(
                select(IndicatorDepartment.indicator_id).where(
                    IndicatorDepartment.department_id == department_id
                )
            )
        )
    found = list(session.exec(statement.order_by(col(Indicator.plan_id), col(Indicator.id))).all())
    ids = [indicator.id for indicator, _, _ in found if indicator.id is not None]
    units: dict[int, list[tuple[str, int]]] = defaultdict(list)
    values: dict[int, dict[int, IndicatorValue]] = defaultdict(dict)
    if ids:
        for link, department in session.exec(
            select(IndicatorDepartment, Department)
            .join(Department, col(Department.id) == col(IndicatorDepartment.department_id))
            .where(col(IndicatorDepartment.indicator_id).in_(ids))
            .order_by(col(IndicatorDepartment.role).desc(), col(IndicatorDepartment.id))  # lead before co
        ).all():
            assert department.id is not None
            units[link.indicator_id].append((department.name, department.id))
        for value in session.exec(
            select(IndicatorValue)
            .where(col(IndicatorValue.indicator_id).in_(ids))
            .order_by(col(IndicatorValue.reported_at), col(IndicatorValue.id))
        ).all():
            values[value.indicator_id][value.year] = (
                value  # later rows replace earlier ones: the newest counts
            )
    return [
        IndicatorRow(
            indicator=indicator,
            plan_title=plan.title,
            jurisdiction=place.name,
            departments=[name for name, _ in units[indicator.id or 0]],
            department_ids=[department for _, department in units[indicator.id or 0]],
            values=dict(sorted(values[indicator.id or 0].items())),
        )
        for indicator, plan, place in found
    ]


def value_history(*, session: Session, indicator_id: int) -> list[IndicatorValue]:
    """Every report of the indicator, oldest first."""
    return list(
        session.exec(
            select(IndicatorValue)
            .where(IndicatorValue.indicator_id == indicator_id)
            .order_by(col(IndicatorValue.year), col(IndicatorValue.reported_at), col(IndicatorValue.id))
        ).all()
    )


def check_value(*, indicator: Indicator, year: int, value: str) -> None:
    """Refuse a report that cannot be meant: an empty value or a year outside the plan's reach."""
    if not value.strip():
        raise IndicatorError("请写出数值，例如 90.8。", "Give the value, e.g. 90.8.")
    first = indicator.base_year or EARLIEST_YEAR
    last = indicator.target_year or LATEST_YEAR
    if not first <= year <= last:
        raise IndicatorError(
            f"指标“{indicator.name}”的年份应在 {first}–{last} 之间，收到 {year}。请改正年份后重报。",
            f"The year of {indicator.name} must lie within {first}-{last}; got {year}.",
        )


def record_indicator_value(
    *,
    session: Session,
    indicator_id: int,
    year: int,
    value: str,
    author: str,
    now: datetime,
    note: str = "",
    via: str = "cli",
    commit: bool = True,
) -> IndicatorValue:
    """Add a report of `indicator_id`'s value for `year` and commit it (unless `commit` is false)."""
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise IndicatorError(
            f"没有编号为 {indicator_id} 的指标。请用 planbot indicators 或 /plan 指标 查看编号。",
            f"No indicator {indicator_id}: see planbot indicators or /plan 指标.",
        )
    check_value(indicator=indicator, year=year, value=value)
    row = IndicatorValue(
        indicator_id=indicator_id,
        year=year,
        value=value.strip(),
        number=parse_number(value),
        reported_by=author,
        reported_at=now,
        note=note.strip(),
        via=via,
    )
    session.add(row)
    if commit:
        session.commit()
        session.refresh(row)
    else:
        session.flush()
    return row


def indicator_watches(*, session: Session) -> list[IndicatorWatch]:
    """Every live indicator with its lead unit and the number of each year's counting report (the reminders' view)."""
    watches = []
    for row in indicator_rows(session=session):
        indicator = row.indicator
        assert indicator.id is not None
        watches.append(
            IndicatorWatch(
                indicator_id=indicator.id,
                plan_id=indicator.plan_id,
                department_id=row.department_ids[0] if row.department_ids else 0,
                name=indicator.name,
                unit=indicator.unit,
                base_year=indicator.base_year,
                base_number=parse_number(indicator.base_value),
                target_year=indicator.target_year,
                target_number=indicator.target_number,
                comparison=indicator.comparison,
                attribute=indicator.attribute,
                values=tuple((year, value.number) for year, value in row.values.items()),
            )
        )
    return watches
