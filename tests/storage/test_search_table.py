"""PostgreSQL's search table (tasksearch, migration 0005) stays in step with the tasks, and the migration goes
both ways on both engines."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from storage.ingest import ingest_document
from storage.search import search_grams, search_text
from tests.storage.documents import aliases, five_year_plan
from tests.storage.search_ledger import NOW, RECORDS, cli_ids, ingest_search_ledger


@pytest.fixture
def ledger(session: Session) -> Session:
    return ingest_search_ledger(session)


# the tasksearch table is filled, and its trigger exists, on PostgreSQL only (SQLite searches with FTS5)
on_postgres_only = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


@on_postgres_only
def test_postgres_search_rows_follow_the_tasks(ledger: Session) -> None:
    stored = {
        task_id: (due_on, status, text_)
        for task_id, due_on, status, text_ in ledger.execute(
            text("SELECT task_id, due_on, status, search_text FROM tasksearch")
        ).all()
    }
    tasks = ledger.execute(text("SELECT id, due_on, status, action, evidence FROM task")).all()
    assert stored == {
        row.id: (row.due_on, row.status, search_text(row.action, row.evidence)) for row in tasks
    }
    [task_id] = cli_ids(ledger, "PPP")
    ledger.execute(
        text("UPDATE task SET due_on = '2030-01-01', status = 'in_progress' WHERE id = :id"), {"id": task_id}
    )
    assert ledger.execute(
        text("SELECT due_on, status FROM tasksearch WHERE task_id = :id"), {"id": task_id}
    ).one() == (date(2030, 1, 1), "in_progress")
    ledger.execute(text("DELETE FROM assignment WHERE task_id = :id"), {"id": task_id})
    ledger.execute(text("DELETE FROM task WHERE id = :id"), {"id": task_id})
    assert (
        ledger.execute(text("SELECT count(*) FROM tasksearch WHERE task_id = :id"), {"id": task_id}).scalar()
        == 0
    )


@pytest.mark.parametrize(
    ("action", "evidence"),
    [
        ("推进PPP项目", "规范推广政府和社会资本合作（ＰＰＰ）模式。"),
        ("养", "养老"),  # a one-character part keeps its character
        ("", "只有原文"),
        ("只有任务", ""),
        ("a_b c", "2023年底前，完成！"),
    ],
)
@on_postgres_only
def test_postgres_trigger_derives_the_text_python_would(ledger: Session, action: str, evidence: str) -> None:
    """The trigger rebuilds search_text from search_grams: it must agree with storage.search."""
    plan_id, document_id = ledger.execute(text("SELECT plan_id, document_id FROM task LIMIT 1")).one()
    task_id = ledger.execute(
        text(
            "INSERT INTO task (plan_id, document_id, section, action, evidence, evidence_key, search_grams,"
            " start_offset, end_offset, kind, status, percent, version, created_at, updated_at) VALUES"
            " (:plan, :document, '', :action, :evidence, '', :grams, 0, 0, 'task', 'open', 0, 1, :now, :now)"
            " RETURNING id"
        ),
        {
            "plan": plan_id,
            "document": document_id,
            "action": action,
            "evidence": evidence,
            "grams": search_grams(action, evidence),
            "now": NOW,
        },
    ).scalar_one()
    stored = ledger.execute(text("SELECT search_text FROM tasksearch WHERE task_id = :id"), {"id": task_id})
    assert stored.scalar_one() == search_text(action, evidence)
    for word in {action, evidence} - {""}:
        assert task_id in cli_ids(ledger, word)


def test_migration_0005_goes_down_to_the_task_vector_and_back(empty_engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import inspect

    from storage.db import downgrade, session_factory, upgrade

    upgrade(empty_engine)
    with session_factory(empty_engine)() as session:
        ingest_document(session=session, document=five_year_plan(RECORDS), aliases=aliases(), now=NOW)
        expected = cli_ids(session, "养老")
    downgrade(empty_engine, "0004")
    assert "tasksearch" not in inspect(empty_engine).get_table_names()
    if empty_engine.dialect.name == "postgresql":
        with empty_engine.connect() as connection:
            # 0002's generated column and its index are back, so revision 0004's code searches again
            found = connection.execute(
                text(
                    "SELECT count(*) FROM task WHERE search_vector @@ phraseto_tsquery('simple'::regconfig, '养老')"
                )
            ).scalar()
            triggers = connection.execute(
                text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'task_search%'")
            )
        assert found == 2 and triggers.scalar() == 0
    upgrade(empty_engine)
    with session_factory(empty_engine)() as session:
        assert cli_ids(session, "养老") == expected
