"""SIGKILL in the middle of a dispatch, restart, and every reminder has arrived exactly once."""

from __future__ import annotations

import collections
import signal

from sqlalchemy import select

from storage.db import create_engine_for, session_factory
from storage.models import Delivery
from tests.reminders.processes import CountingSlack, delivered_keys, pending_deliveries, remind_now

CHANNELS = 20
PER_CHANNEL = 3


def statuses(database_url: str) -> collections.Counter:
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        counted = collections.Counter(row.status for row in session.execute(select(Delivery)).scalars())
    engine.dispose()
    return counted


def test_sigkill_mid_dispatch_then_restart_delivers_each_exactly_once(database_url):
    total = pending_deliveries(database_url, channels=CHANNELS, per_channel=PER_CHANNEL)
    # 1 message per second per channel: the dispatch takes a few seconds, long enough to be killed in it
    with CountingSlack(after=CHANNELS + 5, rate_limit_per_channel=1.0) as fake:
        first = remind_now(database_url, fake.api_url)
        assert fake.reached.wait(timeout=60), first.communicate()
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)  # reaps it and closes its pipes
        assert first.returncode == -signal.SIGKILL
        before = len(delivered_keys(fake))
        assert 0 < before < total
        assert statuses(database_url)["sending"] > 0  # claimed and possibly sent, but not recorded

        second = remind_now(database_url, fake.api_url)
        _out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        keys = delivered_keys(fake)
    duplicates = [key for key, seen in collections.Counter(keys).items() if seen > 1]
    assert duplicates == []
    assert len(keys) == total
    assert statuses(database_url) == {"sent": total}
    assert "核实已发" in err  # how many were found already sent varies with the moment of the kill
