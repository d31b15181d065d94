"""Resolving the names people type, "did you mean", aliases and merges after 机构改革."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, select

from storage.departments import MergeError, add_alias, merge_departments, resolve_department
from storage.ingest import ingest_document
from storage.models import ChannelBinding, Department, Jurisdiction, Member
from storage.queries import tasks_for_department
from tests.storage.documents import aliases, first_version, five_year_plan

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def two_districts(session: Session) -> Session:
    ingest_document(session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW)
    ingest_document(
        session=session,
        document=five_year_plan(first_version(), jurisdiction="潍城区"),
        aliases=aliases(),
        now=NOW,
    )
    return session


def _jurisdiction_of(session: Session, department: Department | None) -> str:
    assert department is not None
    place = session.get(Jurisdiction, department.jurisdiction_id)
    assert place is not None
    return place.name


@pytest.mark.parametrize("typed", ["莱芜区发改局", "莱芜区发展和改革局", "莱芜区 区发展改革局", "莱芜发改局"])
def test_region_prefixed_aliases_name_the_districts_bureau(two_districts: Session, typed: str) -> None:
    match = resolve_department(session=two_districts, name=typed)
    assert match.found, typed
    assert match.department is not None and match.department.name == "区发展改革局"
    assert _jurisdiction_of(two_districts, match.department) == "莱芜区"


def test_region_option_scopes_an_alias(two_districts: Session) -> None:
    match = resolve_department(session=two_districts, name="区发改局", region="潍城")
    assert match.found and _jurisdiction_of(two_districts, match.department) == "潍城区"


def test_an_alias_used_in_two_districts_is_ambiguous(two_districts: Session) -> None:
    match = resolve_department(session=two_districts, name="区发改局")
    assert not match.found
    assert {match.label(d) for d in match.candidates} == {"莱芜区发展改革局", "潍城区发展改革局"}


def test_an_unknown_name_suggests_similar_departments(two_districts: Session) -> None:
    match = resolve_department(session=two_districts, name="工信局", region="莱芜区")
    assert not match.found
    assert [d.name for d in match.candidates][:1] == ["区工业和信息化局"]
    nothing = resolve_department(session=two_districts, name="海关总署", region="莱芜区")
    assert not nothing.found and nothing.candidates == []


def test_an_added_alias_resolves(two_districts: Session) -> None:
    match = resolve_department(session=two_districts, name="区科技局", region="莱芜区")
    assert match.department is not None
    assert add_alias(session=two_districts, department=match.department, alias="科创局")
    two_districts.commit()
    again = resolve_department(session=two_districts, name="莱芜区科创局")
    assert again.department is not None and again.department.id == match.department.id


def test_collective_addressees_count_for_every_department_of_their_kind(two_districts: Session) -> None:
    bureau = resolve_department(session=two_districts, name="莱芜区财政局").department
    assert bureau is not None and bureau.id is not None
    rows = tasks_for_department(session=two_districts, department_id=bureau.id)
    actions = {row.action: row for row in rows}
    assert "制定分年度工作计划" in actions  # 各部门
    assert actions["制定分年度工作计划"].via_collective == "各部门"
    assert "优先纳入重大项目清单" not in actions  # 各镇（街道） speaks to towns, not bureaus
    own_only = tasks_for_department(session=two_districts, department_id=bureau.id, include_collective=False)
    assert {row.action for row in own_only} == {"培育高新技术企业"}


def test_merge_moves_tasks_and_aliases(two_districts: Session) -> None:
    science = resolve_department(session=two_districts, name="莱芜区科技局").department
    industry = resolve_department(session=two_districts, name="莱芜区工信局").department
    assert science is not None and industry is not None and industry.id is not None
    for department_id, channel in (
        (science.id, "C-SHARED"),
        (industry.id, "C-SHARED"),
        (science.id, "C-OLD"),
    ):
        two_districts.add(ChannelBinding(department_id=department_id, channel_id=channel, platform="slack"))
    two_districts.add(Member(slack_user_id="U-SCI", department_id=science.id))
    two_districts.commit()
    moved = merge_departments(session=two_districts, old=science, into=industry)
    assert moved == 1
    channels = two_districts.exec(
        select(ChannelBinding).where(ChannelBinding.department_id == industry.id)
    ).all()
    assert sorted(b.channel_id for b in channels) == ["C-OLD", "C-SHARED"]
    member = two_districts.exec(select(Member).where(Member.slack_user_id == "U-SCI")).one()
    assert member.department_id == industry.id
    again = resolve_department(session=two_districts, name="莱芜区科技局").department
    assert again is not None and again.id == industry.id
    roles = {
        row.action: row.role for row in tasks_for_department(session=two_districts, department_id=industry.id)
    }
    assert roles["培育高新技术企业"] == "lead"
    other = two_districts.exec(
        select(Department).where(Department.name == "区科技局", col(Department.id) != science.id)
    ).one()
    with pytest.raises(MergeError):
        merge_departments(session=two_districts, old=other, into=industry)


def test_a_place_not_in_the_ledger_names_nothing(session: Session) -> None:
    ingest_document(session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW)
    match = resolve_department(session=session, name="潍城区发改局", aliases=aliases())
    assert not match.found  # 莱芜区's bureau must not answer for 潍城区
    assert resolve_department(session=session, name="区发改局", aliases=aliases()).found


def test_a_committee_of_the_government_is_one_of_各部门(two_districts: Session) -> None:
    """区卫健委 and 区发改委 are 政府组成部门: 各部门's work is theirs too, in the ledger and in reminders."""
    from storage.models import Department
    from storage.reminder_rows import ReminderConventions
    from storage.reminder_snapshot import load_snapshot

    bureau = resolve_department(session=two_districts, name="莱芜区财政局").department
    assert bureau is not None
    committee = Department(jurisdiction_id=bureau.jurisdiction_id, name="区卫生健康委员会", kind="committee")
    congress = Department(jurisdiction_id=bureau.jurisdiction_id, name="区人大常委会", kind="committee")
    two_districts.add_all([committee, congress])
    two_districts.commit()
    assert committee.id is not None
    rows = tasks_for_department(session=two_districts, department_id=committee.id)
    assert {row.action: row.via_collective for row in rows} == {"制定分年度工作计划": "各部门"}
    snapshot = load_snapshot(session=two_districts, defaults=ReminderConventions())
    reached = {row.department_id for row in snapshot.tasks if row.addressed_as == "各部门"}
    assert {committee.id, bureau.id} <= reached
    assert congress.id not in reached  # the 人大 is not one of the government's 部门
