"""PostgreSQL with several bot processes: claims never overlap, and one process leads the scheduler."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select, text

from bot.scheduler import LEADER_LOCK_KEY, SchedulerLeader
from storage.db import create_engine_for, session_factory, upgrade
from storage.models import Delivery
from tests.conftest import REPO_ROOT
from tests.reminders.processes import CountingSlack, delivered_keys, pending_deliveries, remind_now


@pytest.fixture
def fresh_postgres_url(postgres_databases) -> str:
    url = postgres_databases.create()
    engine = create_engine_for(url)
    upgrade(engine)
    engine.dispose()
    return url


def test_two_processes_dispatching_at_once_send_nothing_twice(fresh_postgres_url):
    total = pending_deliveries(fresh_postgres_url, channels=40, per_channel=6)
    # at 1 message per second per channel the work lasts seconds, so both processes are claiming at once
    with CountingSlack(after=total, rate_limit_per_channel=1.0) as fake:
        # small batches, so that the two keep claiming side by side until the table is empty
        first = remind_now(fresh_postgres_url, fake.api_url, batch=7)
        second = remind_now(fresh_postgres_url, fake.api_url, batch=7)
        results = [process.communicate(timeout=120) for process in (first, second)]
        assert first.returncode == 0 and second.returncode == 0, results
        # a message answered 429 while both raced for one channel waits for its Retry-After; `remind --now`
        # dispatches once, so later runs (as the every-minute dispatcher would) deliver what was deferred
        for _ in range(5):
            if fake.reached.is_set():
                break
            again = remind_now(fresh_postgres_url, fake.api_url)
            output = again.communicate(timeout=120)  # reads and closes its pipes: wait() would leave them open
            assert again.returncode == 0, output
        keys = delivered_keys(fake)
    assert [key for key, seen in collections.Counter(keys).items() if seen > 1] == []
    assert len(keys) == total
    engine = create_engine_for(fresh_postgres_url)
    with session_factory(engine)() as session:
        assert {row.status for row in session.execute(select(Delivery)).scalars()} == {"sent"}
    engine.dispose()


def test_claims_skip_rows_locked_by_another_process(fresh_postgres_url):
    from datetime import UTC, datetime

    from storage.reminder_queries import claim_pending

    pending_deliveries(fresh_postgres_url, channels=4, per_channel=5)
    engine = create_engine_for(fresh_postgres_url)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    with sessions() as holder, sessions() as other:
        # the holder locks half of the rows in an open transaction, as a dispatcher mid-claim would
        locked = (
            holder.execute(text("SELECT id FROM delivery ORDER BY id LIMIT 10 FOR UPDATE")).scalars().all()
        )
        claimed = claim_pending(session=other, now=now, limit=100)
        assert len(claimed) == 10 and not {row.id for row in claimed} & set(locked)
        holder.rollback()
    engine.dispose()


LEADER_SCRIPT = textwrap.dedent(
    """
    import sys
    from bot.scheduler import SchedulerLeader
    from storage.db import create_engine_for
    leader = SchedulerLeader(create_engine_for(sys.argv[1]), start=lambda: print("leading", flush=True),
                             stop=lambda: None)
    print("leading" if leader.try_lead() else "waiting", flush=True)
    sys.stdin.read()
    """
)


def test_only_the_lock_holder_leads_and_another_takes_over_when_it_dies(fresh_postgres_url):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    holder = subprocess.Popen(
        [sys.executable, "-c", LEADER_SCRIPT, fresh_postgres_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    assert holder.stdout.readline().strip() == "leading"
    engine = create_engine_for(fresh_postgres_url)
    started: list[str] = []
    leader = SchedulerLeader(
        engine, start=lambda: started.append("start"), stop=lambda: started.append("stop")
    )
    try:
        assert leader.try_lead() is False and started == []
        holder.kill()
        holder.communicate(timeout=30)
        # wait (blocking on the lock itself, no sleeping) until the server has ended the dead session
        with engine.connect() as waiter:
            waiter.execute(text("SET lock_timeout = '20s'"))
            waiter.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY})
            waiter.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY})
            waiter.commit()
        assert leader.try_lead() is True and started == ["start"]
        assert leader.try_lead() is True and started == ["start"]  # still holding: no second start
    finally:
        leader.close()
        engine.dispose()
    assert started == ["start", "stop"]
