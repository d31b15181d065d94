"""Storing extracted documents: idempotent re-ingest, revisions that keep progress, review events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from sqlmodel import Session, col, func, select

from storage.ingest import evidence_key, ingest_document
from storage.models import Assignment, Department, Document, ReviewEvent, Task
from storage.progress import record_progress
from storage.reviews import ReviewConventions
from tests.storage.documents import aliases, first_version, five_year_plan, record

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_first_ingest_stores_tasks_departments_and_assignments(session: Session) -> None:
    report = ingest_document(
        session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW
    )
    assert report.status == "new"
    assert len(report.added) == 5  # the two records of the 高新技术企业 sentence are one task
    assert report.departments["区科技局"] == {"lead": 1, "co": 0}
    assert report.departments["区财政局"] == {"lead": 0, "co": 1}
    assert _count(session, Task) == 5
    assert _count(session, Assignment) == 6
    kinds = {d.name: (d.kind, d.covers_kind) for d in session.exec(select(Department)).all()}
    assert kinds["各部门"] == ("collective", "bureau")
    assert kinds["各镇（街道）"] == ("collective", "government")
    assert kinds["区工业和信息化局"] == ("bureau", None)


def test_same_document_again_changes_nothing(session: Session) -> None:
    document = five_year_plan(first_version())
    ingest_document(session=session, document=document, aliases=aliases(), now=NOW)
    before = [
        (t.id, t.version, t.updated_at) for t in session.exec(select(Task).order_by(col(Task.id))).all()
    ]
    again = ingest_document(session=session, document=document, aliases=aliases(), now=datetime.now(UTC))
    assert again.status == "unchanged"
    assert (again.added, again.changed, again.archived) == ([], [], [])
    after = [(t.id, t.version, t.updated_at) for t in session.exec(select(Task).order_by(col(Task.id))).all()]
    assert after == before
    assert _count(session, Document) == 1


def test_revision_keeps_progress_archives_removed_and_reports_changes(session: Session) -> None:
    first = ingest_document(
        session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW
    )
    industry = session.exec(select(Task).where(col(Task.action) == "培育规模以上工业企业")).one()
    record_progress(
        session=session, task_id=industry.id, author="U1", percent=40, note="已培育320家", now=NOW
    )

    records = first_version()
    records[0] = replace(
        records[0], evidence="到2025年，区工信局牵头培育规模以上工业企业400家左右。"
    )  # reworded
    records[1] = replace(records[1], due=date(2025, 6, 30))  # later deadline
    records[2] = replace(records[2], due=date(2025, 6, 30))
    del records[5]  # 各镇（街道） sentence removed
    records.append(record("区财政局", "设立产业引导基金", "区财政局牵头设立产业引导基金。"))
    revised = five_year_plan(records, version="v2")
    report = ingest_document(session=session, document=revised, aliases=aliases(), now=NOW)

    assert report.status == "revised" and report.plan_id == first.plan_id
    assert report.added == ["设立产业引导基金"]
    assert sorted(report.changed) == ["培育规模以上工业企业", "培育高新技术企业"]
    assert report.archived == ["优先纳入重大项目清单"]
    session.expire_all()
    kept = session.get(Task, industry.id)
    assert kept is not None and kept.percent == 40 and kept.status == "in_progress"
    assert "左右" in kept.evidence
    archived = session.exec(select(Task).where(col(Task.action) == "优先纳入重大项目清单")).one()
    assert archived.status == "archived" and archived.archived_at is not None
    documents = session.exec(select(Document).order_by(col(Document.id))).all()
    assert documents[0].superseded_at is not None and documents[1].superseded_at is None


def test_a_task_back_in_a_later_revision_is_restored(session: Session) -> None:
    records = first_version()
    ingest_document(session=session, document=five_year_plan(records), aliases=aliases(), now=NOW)
    ingest_document(
        session=session, document=five_year_plan(records[:-1], version="v2"), aliases=aliases(), now=NOW
    )
    report = ingest_document(
        session=session, document=five_year_plan(records, version="v3"), aliases=aliases(), now=NOW
    )
    assert report.added == [] and report.changed == ["优先纳入重大项目清单"]
    restored = session.exec(select(Task).where(col(Task.action) == "优先纳入重大项目清单")).one()
    assert restored.status == "open" and restored.archived_at is None


def test_review_events_follow_the_conventions(session: Session) -> None:
    ingest_document(
        session=session,
        document=five_year_plan(first_version()),
        aliases=aliases(),
        now=NOW,
        conventions=ReviewConventions(annual_report="02-28"),
    )
    events = {(e.kind, e.year): e for e in session.exec(select(ReviewEvent)).all()}
    assert events[("annual_monitoring", 2021)].due_on == date(2022, 2, 28)
    assert events[("annual_monitoring", 2025)].due_on == date(2026, 2, 28)
    assert events[("mid_term_review", 2023)].due_on == date(2023, 6, 30)
    assert events[("final_review", 2025)].due_on == date(2025, 12, 31)
    assert "按年度开展规划实施动态监测" in events[("annual_monitoring", 2022)].description
    assert len(events) == 7


def test_a_second_plan_of_the_same_period_does_not_repeat_the_review_calendar(session: Session) -> None:
    ingest_document(session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW)
    opinion = replace(
        five_year_plan(first_version(), title="关于建立健全规划纲要实施机制的意见", version="op"),
        kind="mechanism_opinion",
    )
    report = ingest_document(session=session, document=opinion, aliases=aliases(), now=NOW)
    assert report.status == "new" and report.review_events_created == 0
    assert _count(session, ReviewEvent) == 7


def test_same_unit_name_in_two_jurisdictions_is_two_departments(session: Session) -> None:
    ingest_document(session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW)
    ingest_document(
        session=session,
        document=five_year_plan(first_version(), jurisdiction="潍城区"),
        aliases=aliases(),
        now=NOW,
    )
    named = session.exec(select(Department).where(Department.name == "区发展改革局")).all()
    assert len({d.jurisdiction_id for d in named}) == 2


def test_a_failing_ingest_leaves_nothing(session: Session) -> None:
    broken = five_year_plan([*first_version(), record("区财政局", "x", "y", role="boss")])
    try:
        ingest_document(session=session, document=broken, aliases=aliases(), now=NOW)
    except Exception:  # the CHECK constraint on role refuses it
        pass
    else:
        raise AssertionError("an invalid role must not be stored")
    assert _count(session, Task) == 0 and _count(session, Document) == 0 and _count(session, Department) == 0


def test_evidence_key_ignores_spacing_and_punctuation() -> None:
    assert evidence_key("到 2025 年，培育企业。") == evidence_key("到2025年,培育企业")


def test_title_marks_of_versions_do_not_split_a_plan() -> None:
    from storage.ingest import title_key

    plain = title_key("《潍城区国民经济和社会发展十四五规划》")
    assert title_key("潍城区国民经济和社会发展十四五规划(2022年更新)") == plain
    assert title_key("潍城区国民经济和社会发展十四五规划（征求意见稿）") == plain
    assert title_key("潍城区国民经济和社会发展十四五规划（修订版）") == plain


def test_annual_plan_without_a_year_is_revised_in_place(session: Session) -> None:
    first = replace(five_year_plan(first_version()), kind="annual_plan", period=None, year=None)
    second = replace(
        five_year_plan(first_version()[:-1], version="v2"), kind="annual_plan", period=None, year=None
    )
    ingest_document(session=session, document=first, aliases=aliases(), now=NOW)
    report = ingest_document(session=session, document=second, aliases=aliases(), now=NOW)
    assert report.status == "revised" and report.archived == ["优先纳入重大项目清单"]


def test_archived_tasks_take_no_progress(session: Session) -> None:
    import pytest

    from storage.progress import InvalidProgress

    records = first_version()
    ingest_document(session=session, document=five_year_plan(records), aliases=aliases(), now=NOW)
    ingest_document(
        session=session, document=five_year_plan(records[:-1], version="v2"), aliases=aliases(), now=NOW
    )
    archived = session.exec(select(Task).where(Task.status == "archived")).one()
    with pytest.raises(InvalidProgress, match="归档"):
        record_progress(session=session, task_id=archived.id, author="U1", percent=10, now=NOW)


def test_untitled_documents_are_not_versions_of_each_other(session: Session) -> None:
    one = replace(five_year_plan(first_version()[:2], version="a"), title="", source="a.txt")
    two = replace(five_year_plan(first_version()[2:], version="b"), title="", source="b.txt")
    first = ingest_document(session=session, document=one, aliases=aliases(), now=NOW)
    second = ingest_document(session=session, document=two, aliases=aliases(), now=NOW)
    assert second.status == "new" and second.plan_id != first.plan_id and second.archived == []


def test_a_plan_created_meanwhile_by_another_process_is_found_on_retry(
    sessions, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    """Both processes read "no such plan"; the other commits first; ours then hits the unique identity."""
    import storage.ingest as ingest_module

    document = five_year_plan(first_version())
    real_find_plan = ingest_module.find_plan
    calls = []

    def find_plan_racing_another_process(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            with sessions() as other:
                assert ingest_document(session=other, document=document, aliases=aliases(), now=NOW).status == "new"
            return None  # what our read saw before the other process committed
        return real_find_plan(**kwargs)

    with sessions() as session:
        # the jurisdiction must exist first: on SQLite our session would otherwise hold the write lock
        ingest_document(
            session=session, document=five_year_plan([], title="另一个规划"), aliases=aliases(), now=NOW
        )
        monkeypatch.setattr(ingest_module, "find_plan", find_plan_racing_another_process)
        report = ingest_document(session=session, document=document, aliases=aliases(), now=NOW)
        assert report.status == "unchanged" and len(calls) == 2
        assert _count(session, Document) == 2
        assert _count(session, Task) == 5
