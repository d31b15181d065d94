"""Migrations bring an empty database to the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from storage.db import current_revision, downgrade, include_object, session_factory, upgrade
from storage.models import Delivery, Jurisdiction


def test_upgrade_creates_every_table_and_matches_the_models(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert {table.name for table in SQLModel.metadata.sorted_tables} <= tables
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        drift = compare_metadata(context, SQLModel.metadata)
    assert drift == []
    assert current_revision(empty_engine) is not None


def test_upgrade_twice_is_harmless_and_downgrade_empties(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert "task" not in inspect(empty_engine).get_table_names()


def test_timestamps_come_back_timezone_aware(engine: Engine) -> None:
    stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with session_factory(engine)() as session:
        session.add(
            Delivery(
                rule="deadline-7",
                subject_key="task:1",
                occurrence_on=stamp.date(),
                target="console",
                created_at=stamp,
            )
        )
        session.commit()
    with Session(engine) as session:
        delivery = session.exec(select(Delivery)).one()
        assert delivery.created_at == stamp
        assert delivery.created_at.tzinfo is not None


def test_naive_timestamps_are_refused(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(
            Delivery(
                rule="r",
                subject_key="task:1",
                occurrence_on=datetime(2026, 1, 1).date(),
                target="t",
                created_at=datetime(2026, 1, 1),
            )
        )
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()


def test_delivery_key_refuses_a_second_identical_reminder(engine: Engine) -> None:
    stamp = datetime(2026, 1, 2, tzinfo=UTC)
    with Session(engine) as session:
        for _ in range(2):
            session.add(
                Delivery(
                    rule="deadline-7",
                    subject_key="task:1",
                    occurrence_on=stamp.date(),
                    target="slack:C1",
                    created_at=stamp,
                )
            )
        with pytest.raises(IntegrityError):
            session.commit()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    from storage.models import Department

    with Session(engine) as session:
        session.add(Jurisdiction(name="莱芜区"))
        session.add(Department(jurisdiction_id=999, name="区发展改革局"))
        with pytest.raises(IntegrityError):
            session.commit()


def _seed_version_0001(engine: Engine) -> None:
    """Rows as a planbot of revision 0001 wrote them, in plain SQL: today's code cannot write that schema."""
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    statements = [
        ("INSERT INTO jurisdiction (id, name) VALUES (1, '莱芜区')", {}),
        # the same plan twice: what two concurrent ingests could leave before plan identity was unique
        *(
            (
                "INSERT INTO plan (id, jurisdiction_id, title, title_key, kind, period_start, period_end, year,"
                " reminders_paused, created_at) VALUES (:id, 1, '十四五规划', '十四五规划', 'five_year_plan',"
                " 2021, 2025, 2021, false, :stamp)",
                {"id": plan_id, "stamp": stamp},
            )
            for plan_id in (1, 2)
        ),
        (
            "INSERT INTO plan (id, jurisdiction_id, title, title_key, kind, year, reminders_paused, created_at)"
            " VALUES (3, 1, '年度计划', '年度计划', 'annual_plan', 2025, false, :stamp)",
            {"stamp": stamp},
        ),
        (
            "INSERT INTO document (id, plan_id, source, sha256, format, title, kind, text, ingested_at)"
            " VALUES (1, 1, 'plan.txt', :sha, 'txt', '十四五规划', 'five_year_plan', '……', :stamp)",
            {"sha": "a" * 64, "stamp": stamp},
        ),
        *(
            (
                "INSERT INTO task (id, plan_id, document_id, section, action, evidence, evidence_key,"
                " start_offset, end_offset, kind, status, percent, version, created_at, updated_at)"
                " VALUES (:id, 1, 1, '一、', :action, :evidence, :evidence, 0, 1, 'task', 'open', 0, 1,"
                " :stamp, :stamp)",
                {"id": task_id, "action": action, "evidence": evidence, "stamp": stamp},
            )
            for task_id, action, evidence in (
                (1, "培育高新技术企业", "区科技局负责培育高新技术企业。"),
                (2, "服务中小企业", "区工信局负责服务中小企业。"),
            )
        ),
    ]
    with engine.begin() as connection:
        for statement, parameters in statements:
            connection.execute(text(statement), parameters)
        if engine.dialect.name == "postgresql":
            for table in ("jurisdiction", "plan", "document", "task"):
                connection.execute(text(f"SELECT setval('{table}_id_seq', 10)"))


def test_upgrade_keeps_stored_tasks_and_search(empty_engine: Engine) -> None:
    from storage.queries import search_tasks

    upgrade(empty_engine, "0001")
    _seed_version_0001(empty_engine)
    upgrade(empty_engine)
    with session_factory(empty_engine)() as session:
        assert {row.action for row in search_tasks(session=session, text="高新技术")} == {"培育高新技术企业"}
        assert len({row.id for row in search_tasks(session=session, text="企业")}) == 2
        identities = dict(session.execute(text("SELECT id, identity_key FROM plan")).all())
    # the duplicate keeps its row under a key of its own; the first one is the plan revisions will find
    assert identities == {
        1: "five_year_plan|P2021-2025|十四五规划",
        2: "five_year_plan|P2021-2025|十四五规划#2",
        3: "annual_plan|Y2025|年度计划",
    }
    if empty_engine.dialect.name == "sqlite":
        with empty_engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_plan_identity_is_unique_per_jurisdiction(engine: Engine) -> None:
    from storage.models import Plan

    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    with session_factory(engine)() as session:
        place = Jurisdiction(name="莱芜区")
        session.add(place)
        session.flush()
        for _ in range(2):
            session.add(
                Plan(
                    jurisdiction_id=place.id,
                    title="计划",
                    title_key="计划",
                    identity_key="annual_plan|Y2025|计划",
                    kind="annual_plan",
                    created_at=stamp,
                )
            )
        with pytest.raises(IntegrityError):
            session.flush()


def test_cli_refuses_an_old_postgres_schema(
    postgres_databases, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """SQLite is migrated on open; PostgreSQL waits for `planbot db upgrade` and says so."""
    from typer.testing import CliRunner

    from bot.cli import app
    from storage.db import create_engine_for

    url = postgres_databases.create()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    empty = runner.invoke(app, ["depts"], catch_exceptions=False)
    assert empty.exit_code == 1 and "planbot db upgrade" in empty.stderr
    engine = create_engine_for(url)
    upgrade(engine, "0001")
    engine.dispose()
    old = runner.invoke(app, ["depts"], catch_exceptions=False)
    assert old.exit_code == 1 and "0001" in old.stderr
    assert runner.invoke(app, ["db", "upgrade"], catch_exceptions=False).exit_code == 0
    assert runner.invoke(app, ["depts"], catch_exceptions=False).exit_code == 0
