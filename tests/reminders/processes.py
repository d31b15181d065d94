"""Running `planbot remind --now` as a real subprocess against a database and the fake Slack server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta

from handlers.reminders import Reminder
from storage.db import create_engine_for, session_factory
from storage.reminder_queries import insert_deliveries
from tests.conftest import REPO_ROOT
from tests.fakes.slack_api import FakeSlackApi

PLANBOT = [sys.executable, "-c", "from bot.cli import main; main()"]


class CountingSlack(FakeSlackApi):
    """The fake, raising an event when the n-th message has been accepted."""

    def __init__(self, *, after: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.after = after
        self.accepted = 0
        self.reached = threading.Event()

    def _api_chat_postMessage(self, body, now):
        status, headers, answer = super()._api_chat_postMessage(body, now)
        if answer.get("ok"):
            self.accepted += 1
            if self.accepted >= self.after:
                self.reached.set()
        return status, headers, answer


def pending_deliveries(database_url: str, *, channels: int, per_channel: int) -> int:
    """Pending deliveries due now, with no ledger behind them (so a sweep adds nothing)."""
    engine = create_engine_for(database_url)
    now = datetime.now(UTC)
    reminders = [
        Reminder(
            rule="deadline-7",
            kind="deadline",
            subject_key=f"task:{n}",
            occurrence_on=date(2025, 3, 20),
            fire_on=date(2025, 3, 13),
            target=f"slack:C{channel:04d}",
            text=f"提醒 {channel}-{n}",
        )
        for n in range(per_channel)
        for channel in range(channels)
    ]
    with session_factory(engine)() as session:
        count = insert_deliveries(
            session=session, reminders=reminders, now=now, not_before=now - timedelta(hours=1)
        )
    engine.dispose()
    return count


def remind_now(database_url: str, api_url: str, *, workers: int = 4, batch: int = 20_000) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": api_url,
        "PYTHONPATH": str(REPO_ROOT),
    }
    return subprocess.Popen(
        [*PLANBOT, "remind", "--now", "--workers", str(workers), "--batch", str(batch)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def delivered_keys(fake: FakeSlackApi) -> list[str]:
    keys = []
    for channel in fake.channels():
        for message in fake.messages(channel):
            keys.append(message["metadata"]["event_payload"]["delivery_key"])
    return keys
