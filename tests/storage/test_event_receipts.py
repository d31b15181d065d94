"""Slack event receipts: the first delivery of an event counts, retries and copies do not."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from storage.db import session_factory
from storage.event_receipts import first_receipt, forget_old_receipts
from storage.models import SlackEventReceipt

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_only_the_first_delivery_of_an_event_counts(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        assert first_receipt(session=session, event_id="Ev01", now=NOW)
        assert not first_receipt(session=session, event_id="Ev01", now=NOW + timedelta(seconds=3))
        assert first_receipt(session=session, event_id="Ev02", now=NOW)


def test_two_processes_racing_on_one_event_agree(sessions) -> None:  # type: ignore[no-untyped-def]
    results: list[bool] = []
    start = threading.Barrier(8)

    def receive() -> None:
        with sessions() as session:
            start.wait()
            results.append(first_receipt(session=session, event_id="EvRace", now=NOW))

    threads = [threading.Thread(target=receive) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_old_receipts_are_forgotten(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as session:
        first_receipt(session=session, event_id="EvOld", now=NOW - timedelta(days=2))
        first_receipt(session=session, event_id="EvNew", now=NOW)
        assert forget_old_receipts(session=session, now=NOW) == 1
        assert session.exec(select(func.count()).select_from(SlackEventReceipt)).one() == 1
        # a forgotten id counts as new again (Slack no longer retries it by then)
        assert first_receipt(session=session, event_id="EvOld", now=NOW)


def test_a_held_lock_fails_the_receipt_quickly(engine: Engine) -> None:
    """The ack waits on this insert: it gives up well inside Slack's 3 s, not after SQLite's 30 s busy timeout
    or PostgreSQL's unbounded lock wait."""
    sessions = session_factory(engine)
    with engine.connect() as holder:  # an ingest, say, in the middle of a write
        if engine.dialect.name == "sqlite":
            holder.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            holder.begin()
            holder.exec_driver_sql(f"LOCK TABLE {SlackEventReceipt.__tablename__} IN ACCESS EXCLUSIVE MODE")
        with sessions() as session:
            started = time.monotonic()
            with pytest.raises(OperationalError):
                first_receipt(session=session, event_id="EvLocked", now=NOW)
            assert time.monotonic() - started < 2.0
        holder.rollback()
    with sessions() as session:
        if engine.dialect.name == "sqlite":  # the connection went back to the pool with its usual patience
            assert session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 30000
        # and the event can still be recorded once the lock is gone
        assert first_receipt(session=session, event_id="EvLocked", now=NOW)
