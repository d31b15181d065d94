"""The scheduler: three jobs with stable ids in the ledger's database, and one catch-up run after downtime."""

from __future__ import annotations

import io
import threading
from datetime import UTC, date, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import inspect, select, text

from bot.deps import Deps
from bot.notifiers import NotifierRouter
from bot.notifiers.console import ConsoleNotifier
from bot.scheduler import (
    DIGEST_JOB,
    DISPATCH_JOB,
    JOB_TABLE,
    SWEEP_JOB,
    build_scheduler,
    digest_job,
    dispatch_job,
    forget_runtime,
    sweep_job,
)
from bot.settings import Settings
from storage.db import session_factory
from storage.event_receipts import first_receipt
from storage.models import Delivery, SlackEventReceipt
from tests.reminders.ledger_rows import seed_ledger

D = date.fromisoformat
NOW = datetime(2025, 3, 13, 1, 30, tzinfo=UTC)  # Thursday 09:30 in Shanghai


def deps_for(engine, stream=None) -> Deps:
    notifier = NotifierRouter({"slack": ConsoleNotifier(stream or io.StringIO())})
    return Deps(
        settings=Settings(database_url=str(engine.url)),
        session_factory=session_factory(engine),
        clock=lambda: NOW,
        notifier=notifier,
    )


def test_three_jobs_with_stable_ids_in_the_same_database(sqlite_engine):
    deps = deps_for(sqlite_engine)
    for _ in range(2):  # a second start replaces, never duplicates
        scheduler = build_scheduler(deps, sqlite_engine, runtime="jobs-test")
        scheduler.start(paused=True)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        scheduler.shutdown(wait=True)
    forget_runtime("jobs-test")
    assert set(jobs) == {SWEEP_JOB, DIGEST_JOB, DISPATCH_JOB}
    for job in jobs.values():
        assert job.coalesce is True and job.misfire_grace_time is None and job.max_instances == 1
    assert str(jobs[SWEEP_JOB].trigger.timezone) == "Asia/Shanghai"
    assert "hour='9'" in str(jobs[SWEEP_JOB].trigger) and "minute='0'" in str(jobs[SWEEP_JOB].trigger)
    assert jobs[DISPATCH_JOB].trigger.interval == timedelta(minutes=1)
    assert JOB_TABLE in inspect(sqlite_engine).get_table_names()
    with sqlite_engine.connect() as connection:
        assert connection.execute(text(f"SELECT count(*) FROM {JOB_TABLE}")).scalar() == 3


def test_job_functions_sweep_digest_and_dispatch(sqlite_engine):
    stream = io.StringIO()
    deps = deps_for(sqlite_engine, stream)
    with deps.session_factory() as session:
        seed_ledger(session, due_dates=[D("2025-03-20")], channels=["CONE"])
        first_receipt(session=session, event_id="EvOld", now=deps.clock() - timedelta(days=2))
        first_receipt(session=session, event_id="EvNew", now=deps.clock())
    from bot import scheduler as module

    module._RUNTIMES["fn-test"] = deps
    try:
        sweep_job("fn-test")
        digest_job("fn-test")  # a Thursday: the week's digest went out on Monday, the sweep catches it up
        dispatch_job("fn-test")
    finally:
        forget_runtime("fn-test")
    with deps.session_factory() as session:
        rows = list(session.execute(select(Delivery)).scalars())
    assert {row.rule for row in rows} == {"deadline-7", "digest"}
    with deps.session_factory() as session:  # the daily sweep forgot the Slack event receipts of days ago
        assert set(session.execute(select(SlackEventReceipt.event_id)).scalars()) == {"EvNew"}
    assert {row.status for row in rows} == {"sent"}
    assert "还剩 7 天" in stream.getvalue() and "每周任务摘要" in stream.getvalue()


def test_missed_runs_after_downtime_run_once_on_start(sqlite_engine):
    deps = deps_for(sqlite_engine)
    with deps.session_factory() as session:
        seed_ledger(session, due_dates=[D("2025-03-20")], channels=["CONE"])
    scheduler = build_scheduler(deps, sqlite_engine, runtime="downtime-test")
    scheduler.start(paused=True)
    scheduler.shutdown(wait=True)
    # the process was down for three days: every stored next run time lies in the past
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).timestamp()
    with sqlite_engine.begin() as connection:
        connection.execute(text(f"UPDATE {JOB_TABLE} SET next_run_time = :t"), {"t": three_days_ago})

    runs: list[str] = []
    swept = threading.Event()

    def listen(event) -> None:
        runs.append(event.job_id)
        if event.job_id == SWEEP_JOB:
            swept.set()

    scheduler = build_scheduler(deps, sqlite_engine, runtime="downtime-test")
    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    # the jobs were stored before this start, so their past run times stand (replace_existing keeps them due)
    scheduler.start()
    try:
        assert swept.wait(timeout=30)
    finally:
        scheduler.shutdown(wait=True)
        forget_runtime("downtime-test")
    assert runs.count(SWEEP_JOB) == 1  # coalesced: three missed days, one run
    with deps.session_factory() as session:
        assert session.execute(select(Delivery)).scalars().first() is not None


def test_one_leader_per_sqlite_file(sqlite_engine):
    from bot.scheduler import SchedulerLeader

    events: list[str] = []
    first = SchedulerLeader(
        sqlite_engine, start=lambda: events.append("first"), stop=lambda: events.append("-first")
    )
    second = SchedulerLeader(
        sqlite_engine, start=lambda: events.append("second"), stop=lambda: events.append("-second")
    )
    try:
        assert first.try_lead() is True
        assert second.try_lead() is False
        first.close()
        assert second.try_lead() is True
    finally:
        first.close()
        second.close()
    assert events == ["first", "-first", "second", "-second"]


def test_leases_are_renewed_while_a_long_backlog_is_sent(sessions, monkeypatch):
    from bot.notifiers import SENT, RateLimit, SendOutcome
    from bot.notifiers.dispatch import Dispatcher, DispatchOptions
    from storage import reminder_queries

    class OnePerSecond:
        def rate_limits(self, target):
            return (RateLimit(1, 1.0),)

        def send(self, target, text, *, delivery_key):
            return SendOutcome(SENT, message_ts="1.0")

        def find_sent(self, target, delivery_key):
            return None

    with sessions() as session:
        seed_ledger(session, due_dates=[D("2025-03-20")] * 6, channels=["CONE"])
    deps = deps_for(sessions.kw["bind"])
    from bot.scheduler import REMINDER_KINDS, sweep

    sweep(deps, kinds=REMINDER_KINDS)
    renewals: list[int] = []
    real_extend = reminder_queries.extend_leases

    def counting_extend(**kwargs):
        renewals.append(len(kwargs["delivery_ids"]))
        real_extend(**kwargs)

    monkeypatch.setattr(reminder_queries, "extend_leases", counting_extend)
    clock = [0.0]
    dispatcher = Dispatcher(
        session_factory=sessions,
        notifier=OnePerSecond(),
        clock=lambda: NOW,
        monotonic=lambda: clock[0],
        sleeper=lambda seconds: clock.__setitem__(0, clock[0] + seconds),
        options=DispatchOptions(workers=1, lease=timedelta(seconds=3)),
    )
    assert dispatcher.run_once().sent == 6
    assert renewals and renewals[0] < 6  # renewed for what was still waiting, not for what was sent
