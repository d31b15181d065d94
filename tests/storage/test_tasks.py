"""People's edits to tasks: recorded with who, when and the old and new value, and kept by a later ingest."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from storage.ingest import ingest_document
from storage.models import Task, TaskEdit
from storage.task_edits import edits_of_task
from storage.tasks import (
    Editor,
    TaskChanges,
    TaskEditError,
    add_task,
    delete_task,
    edit_task,
    merge_tasks,
    task_units,
)
from tests.storage.documents import aliases, first_version, five_year_plan

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
EDITOR = Editor(author="cli:wangfang", via="cli", now=NOW + timedelta(days=1))


def _ingest(session: Session, version: str = "v1", records=None):  # type: ignore[no-untyped-def]
    return ingest_document(
        session=session,
        document=five_year_plan(records or first_version(), version=version),
        aliases=aliases(),
        now=NOW,
    )


def _task(session: Session, action: str) -> Task:
    return session.exec(select(Task).where(col(Task.action) == action)).one()


def test_an_edit_changes_the_task_and_records_who_when_old_and_new(session: Session) -> None:
    _ingest(session)
    task = _task(session, "培育高新技术企业")
    changes = edit_task(
        session=session,
        task_id=task.id,
        changes=TaskChanges(due_on=date(2024, 12, 31), lead=("区财政局",), co=("区科技局",)),
        editor=EDITOR,
        aliases=aliases(),
    )
    assert {c.field for c in changes} == {"due_on", "lead", "co"}
    session.expire_all()
    assert _task(session, "培育高新技术企业").due_on == date(2024, 12, 31)
    assert task_units(session, task.id) == {"lead": ["区财政局"], "co": ["区科技局"]}
    history = {(e.field, e.old_value, e.new_value) for e in edits_of_task(session=session, task_id=task.id)}
    assert history == {
        ("due_on", "2024-06-30", "2024-12-31"),
        ("lead", "区科技局", "区财政局"),
        ("co", "区财政局", "区科技局"),
    }
    edit = edits_of_task(session=session, task_id=task.id)[0]
    assert (edit.author, edit.via, edit.created_at) == ("cli:wangfang", "cli", NOW + timedelta(days=1))


def test_an_unknown_unit_is_refused_with_suggestions_and_nothing_changes(session: Session) -> None:
    _ingest(session)
    task = _task(session, "培育高新技术企业")
    with pytest.raises(TaskEditError) as refused:
        edit_task(
            session=session,
            task_id=task.id,
            changes=TaskChanges(lead=("区财政厅",), due_on=date(2030, 1, 1)),
            editor=EDITOR,
            aliases=aliases(),
        )
    assert "区财政厅" in refused.value.zh and "区财政局" in refused.value.zh
    session.expire_all()
    assert _task(session, "培育高新技术企业").due_on == date(2024, 6, 30)
    assert session.exec(select(TaskEdit)).all() == []


def test_edits_survive_an_ingest_of_a_revised_version(session: Session) -> None:
    _ingest(session)
    task = _task(session, "培育高新技术企业")
    edit_task(
        session=session,
        task_id=task.id,
        changes=TaskChanges(action="培育国家级高新技术企业", due_on=date(2025, 3, 31), lead=("区财政局",)),
        editor=EDITOR,
        aliases=aliases(),
    )
    # the revision rewords the sentence a little and moves the deadline: the person's values win
    revised = [
        replace(r, evidence="区科技局牵头，区财政局配合，培育高新技术企业220家。", due=date(2024, 9, 30))
        if r.task == "培育高新技术企业"
        else r
        for r in first_version()
    ]
    report = _ingest(session, version="v2", records=revised)
    assert report.status == "revised" and report.archived == [] and report.added == []
    session.expire_all()
    kept = session.get(Task, task.id)
    assert kept is not None and kept.status == "open"
    assert (kept.action, kept.due_on) == ("培育国家级高新技术企业", date(2025, 3, 31))
    assert kept.evidence == "区科技局牵头，区财政局配合，培育高新技术企业220家。"
    assert task_units(session, task.id) == {"lead": ["区财政局"], "co": []}


def test_a_task_added_by_hand_stays_and_a_deleted_one_stays_archived(session: Session) -> None:
    first = _ingest(session)
    added = add_task(
        session=session,
        plan_id=first.plan_id,
        action="建立重点项目月调度制度",
        lead=("区发改局",),
        due_on=date(2025, 6, 30),
        editor=EDITOR,
        aliases=aliases(),
    )
    gone = _task(session, "培育规模以上工业企业")
    delete_task(session=session, task_id=gone.id, editor=EDITOR)
    _ingest(session, version="v2")
    session.expire_all()
    assert session.get(Task, added.id).status == "open"  # type: ignore[union-attr]
    assert task_units(session, added.id) == {"lead": ["区发展改革局"], "co": []}
    assert session.get(Task, gone.id).status == "archived"  # type: ignore[union-attr]
    fields = [e.field for e in edits_of_task(session=session, task_id=added.id)]
    assert fields[0] == "created" and "lead" in fields and "due_on" in fields


def test_merging_a_duplicate_joins_its_units_and_archives_it(session: Session) -> None:
    _ingest(session)
    keep = _task(session, "培育规模以上工业企业")
    duplicate = _task(session, "培育高新技术企业")
    merge_tasks(session=session, keep_id=keep.id, duplicate_id=duplicate.id, editor=EDITOR)
    session.expire_all()
    assert task_units(session, keep.id) == {"lead": ["区工业和信息化局", "区科技局"], "co": ["区财政局"]}
    assert session.get(Task, duplicate.id).status == "archived"  # type: ignore[union-attr]
    assert ("merged_into", f"#{keep.id}") in {
        (e.field, e.new_value) for e in edits_of_task(session=session, task_id=duplicate.id)
    }
    assert "merged_from" in {e.field for e in edits_of_task(session=session, task_id=keep.id)}
    with pytest.raises(TaskEditError):
        merge_tasks(session=session, keep_id=keep.id, duplicate_id=keep.id, editor=EDITOR)


def test_a_dry_run_ingest_reports_the_changes_and_stores_nothing(session: Session) -> None:
    _ingest(session)
    revised = [
        replace(r, due=date(2024, 9, 30)) if r.task == "培育高新技术企业" else r for r in first_version()
    ]
    revised = [r for r in revised if r.task != "培育规模以上工业企业"]
    report = ingest_document(
        session=session,
        document=five_year_plan(revised, version="v2"),
        aliases=aliases(),
        now=NOW,
        dry_run=True,
    )
    assert report.archived == ["培育规模以上工业企业"]
    assert report.changes["培育高新技术企业"] == ["完成时限：2024-06-30 → 2024-09-30"]
    session.expire_all()
    assert _task(session, "培育高新技术企业").due_on == date(2024, 6, 30)
    assert _task(session, "培育规模以上工业企业").status == "open"
    assert _ingest(session, version="v2", records=revised).status == "revised"  # the version was not stored


def test_a_task_marked_done_by_hand_still_comes_back_with_its_sentence(session: Session) -> None:
    _ingest(session)
    task = _task(session, "培育规模以上工业企业")
    edit_task(session=session, task_id=task.id, changes=TaskChanges(status="done"), editor=EDITOR)
    without = [r for r in first_version() if r.task != "培育规模以上工业企业"]
    _ingest(session, version="v2", records=without)  # the revision drops the sentence: archived
    session.expire_all()
    assert session.get(Task, task.id).status == "archived"  # type: ignore[union-attr]
    _ingest(session, version="v3")  # and a later one has it again: back, as the person left it
    session.expire_all()
    assert session.get(Task, task.id).status == "done"  # type: ignore[union-attr]
