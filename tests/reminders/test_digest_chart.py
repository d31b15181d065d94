"""The coordinators' weekly digest carries the progress chart, uploaded beside the message through the fake Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from slack_sdk import WebClient

from bot.notifiers import SENT
from bot.notifiers.digest_chart import coordinators_jurisdiction, digest_chart_attachment
from bot.notifiers.slack import SlackNotifier
from tests.fakes.slack_api import FakeSlackApi
from tests.reminders.ledger_rows import seed_ledger

NOW = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
DIGEST_KEY = "digest|digest:coordinators:莱芜区|2025-03-10|slack:CPLAN"


@pytest.fixture
def slack():
    fake = FakeSlackApi().start()
    yield fake
    fake.stop()


@pytest.fixture
def notifier(sessions, slack) -> SlackNotifier:
    with sessions() as session:
        seed_ledger(session, due_dates=[date(2025, 3, 20), date(2025, 2, 1)], channels=["CFGJ", None])
    charts = digest_chart_attachment(sessions, clock=lambda: NOW, timezone="Asia/Shanghai")
    return SlackNotifier(WebClient(token="xoxb-test", base_url=slack.api_url), attachment_for=charts)


def test_the_coordinators_digest_carries_the_chart_in_its_thread(notifier, slack):
    outcome = notifier.send("slack:CPLAN", "【每周汇总】莱芜区", delivery_key=DIGEST_KEY)
    assert outcome.status == SENT
    [posted] = slack.calls("chat.postMessage")
    [completed] = slack.calls("files.completeUploadExternal")
    assert completed.body["channel_id"] == "CPLAN"
    assert completed.body["thread_ts"] == outcome.message_ts
    [upload] = slack.uploads().values()
    assert upload[:8] == b"\x89PNG\r\n\x1a\n" and len(upload) > 10_000
    assert "莱芜区" in posted.body["text"]


def test_other_reminders_carry_nothing(notifier, slack):
    notifier.send("slack:CPLAN", "【任务到期提醒】", delivery_key="deadline-7|task:1|2025-03-20|slack:CPLAN")
    assert slack.calls("files.getUploadURLExternal") == []


def test_a_failed_upload_never_holds_the_digest_back(notifier, slack):
    slack.fail_next("files.getUploadURLExternal", status=500)
    outcome = notifier.send("slack:CPLAN", "【每周汇总】莱芜区", delivery_key=DIGEST_KEY)
    assert outcome.status == SENT
    assert len(slack.calls("chat.postMessage")) == 1


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (DIGEST_KEY, (True, "莱芜区")),
        ("digest|digest:coordinators:#0a1b2c|2025-03-10|slack:C1", (True, None)),
        ("digest|digest:dept:4|2025-03-10|slack:C1", (False, None)),
    ],
)
def test_which_deliveries_are_coordinators_digests(key, expected):
    assert coordinators_jurisdiction(key) == expected
