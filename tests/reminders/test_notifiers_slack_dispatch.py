"""The dispatcher against the fake Slack Web API: pacing, 429 storms, 5xx, permanent errors, recovery.

One fake monotonic clock drives both the dispatcher's pacing and the fake server's rate limit, and the
dispatcher's sleeper advances it: no test sleeps.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.deps import Deps
from bot.notifiers import NotifierRouter
from bot.notifiers.dispatch import Dispatcher, DispatchOptions
from bot.notifiers.slack import SlackNotifier
from bot.scheduler import REMINDER_KINDS, sweep
from bot.settings import Settings
from storage.models import Delivery
from tests.fakes.slack_api import FakeSlackApi
from tests.reminders.ledger_rows import seed_ledger

D = date.fromisoformat
NOW = datetime(2025, 3, 13, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class GoneChannelsSlack(FakeSlackApi):
    """The fake, with channels the bot was removed from."""

    gone = frozenset({"CGONE"})

    def _api_chat_postMessage(self, body, now):
        if body.get("channel") in self.gone:
            return 200, {}, {"ok": False, "error": "not_in_channel"}
        return super()._api_chat_postMessage(body, now)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def slack(fake_time):
    fake = GoneChannelsSlack(rate_limit_per_channel=1.0, monotonic=fake_time.monotonic).start()
    yield fake
    fake.stop()


def dispatcher(sessions, slack, fake_time, **options) -> Dispatcher:
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    notifier = NotifierRouter({"slack": SlackNotifier(client)})
    return Dispatcher(
        session_factory=sessions,
        notifier=notifier,
        clock=lambda: NOW,
        monotonic=fake_time.monotonic,
        sleeper=fake_time.sleep,
        options=DispatchOptions(workers=1, coordinator_targets=("slack:UCOORD",), **options),
    )


def swept(sessions, channels, due_dates=None, members=()):
    with sessions() as session:
        seed_ledger(session, due_dates=due_dates or [D("2025-03-20")], channels=channels, members=members)
    deps = Deps(settings=Settings(database_url="sqlite://"), session_factory=sessions, clock=lambda: NOW)
    return sweep(deps, kinds=REMINDER_KINDS)


def statuses(sessions) -> dict[str, str]:
    with sessions() as session:
        return {f"{row.rule}@{row.target}": row.status for row in session.execute(select(Delivery)).scalars()}


def test_dispatch_sends_each_once_with_its_key_as_metadata(sessions, slack, fake_time):
    assert swept(sessions, ["CONE", "CTWO"], members=["UONE"]) == 3
    report = dispatcher(sessions, slack, fake_time).run_once()
    assert report.sent == 3 and report.failed == 0
    message = slack.messages("CONE")[0]
    assert message["metadata"]["event_type"] == "planbot_reminder"
    assert message["metadata"]["event_payload"]["delivery_key"].startswith("deadline-7|task:")
    assert "还剩 7 天" in message["text"]
    assert set(statuses(sessions).values()) == {"sent"}
    assert dispatcher(sessions, slack, fake_time).run_once().sent == 0
    assert swept_again(sessions) == 0
    assert len(slack.calls("chat.postMessage")) == 3


def swept_again(sessions) -> int:
    deps = Deps(settings=Settings(database_url="sqlite://"), session_factory=sessions, clock=lambda: NOW)
    return sweep(deps, kinds=REMINDER_KINDS)


def test_one_message_per_second_per_channel_without_429(sessions, slack, fake_time):
    swept(sessions, ["CONE"], due_dates=[D("2025-03-20")] * 4)
    report = dispatcher(sessions, slack, fake_time).run_once()
    assert report.sent == 4 and report.rate_limited == 0
    posts = slack.calls("chat.postMessage")
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(posts)]
    assert all(gap >= 1.0 for gap in gaps)
    assert fake_time.now - 1000.0 < 3 * 1.1 + 0.01  # no more waiting than the limit asks


def test_429_storm_honours_retry_after_and_loses_nothing(sessions, slack, fake_time):
    swept(sessions, ["CONE", "CTWO", "CTHREE"])
    slack.fail_next("chat.postMessage", status=429, count=4, retry_after=3)
    report = dispatcher(sessions, slack, fake_time).run_once()
    assert report.sent == 3 and report.rate_limited == 4
    assert sum(len(slack.messages(channel)) for channel in ("CONE", "CTWO", "CTHREE")) == 3
    assert any(seconds >= 2.9 for seconds in fake_time.slept)  # waited out Retry-After


def test_5xx_is_retried_with_backoff(sessions, slack, fake_time):
    swept(sessions, ["CONE"])
    slack.fail_next("chat.postMessage", status=500, count=3)
    report = dispatcher(sessions, slack, fake_time).run_once()
    assert report.sent == 1
    assert [round(s) for s in fake_time.slept if s >= 0.5] == [1, 2, 4]
    assert len(slack.messages("CONE")) == 1


def test_persistent_5xx_defers_to_a_later_run(sessions, slack, fake_time):
    swept(sessions, ["CONE"])
    slack.fail_next("chat.postMessage", status=503, count=5)
    report = dispatcher(sessions, slack, fake_time, attempts_per_run=5).run_once()
    assert report.sent == 0 and report.deferred == 1
    with sessions() as session:
        row = session.execute(select(Delivery)).scalars().one()
    assert row.status == "pending" and row.next_attempt_at == NOW + timedelta(minutes=5)
    assert dispatcher(sessions, slack, fake_time).run_once().sent == 0  # not before its time
    later = dispatcher(sessions, slack, fake_time)
    later.clock = lambda: NOW + timedelta(minutes=6)
    assert later.run_once().sent == 1


def test_permanent_error_fails_the_delivery_and_tells_the_coordinators(sessions, slack, fake_time):
    swept(sessions, ["CGONE", "CONE"])
    report = dispatcher(sessions, slack, fake_time).run_once()
    # the notice is a delivery of its own, claimed and sent in the same run, once
    assert report.failed == 1 and report.sent == 2
    assert statuses(sessions)["deadline-7@slack:CGONE"] == "failed"
    notice = slack.messages("UCOORD")[0]["text"]
    assert "提醒发送失败" in notice and "not_in_channel" in notice and "/plan 绑定" in notice
    assert dispatcher(sessions, slack, fake_time).run_once().sent == 0


def test_recovery_checks_history_before_resending(sessions, slack, fake_time):
    swept(sessions, ["CONE", "CTWO"])
    first = dispatcher(sessions, slack, fake_time)
    first.run_once()
    # pretend the process died after CONE's post but before recording: both rows back in `sending`,
    # leases expired; CTWO's message is removed from the fake as if it never went out
    with sessions() as session:
        session.execute(update(Delivery).values(status="sending", next_attempt_at=NOW - timedelta(seconds=1)))
        session.commit()
    slack._state.messages["CTWO"].clear()
    report = dispatcher(sessions, slack, fake_time).run_once()
    assert report.recovered == 1 and report.sent == 1
    assert len(slack.messages("CONE")) == 1 and len(slack.messages("CTWO")) == 1
    assert set(statuses(sessions).values()) == {"sent"}
    assert slack.calls("conversations.history")


class ImSlack(FakeSlackApi):
    """The fake, answering like Slack for DMs: history lives in the IM channel, not under the user id."""

    def _api_conversations_history(self, body, now):
        channel = str(body.get("channel", ""))
        if channel.startswith("U"):
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if channel.startswith("D"):
            body = {**body, "channel": "U" + channel[1:]}
        return super()._api_conversations_history(body, now)


def test_recovery_of_a_dm_looks_in_the_im_channel():
    with ImSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        notifier = SlackNotifier(client)
        assert (
            notifier.send("slack:UONE", "提醒", delivery_key="deadline-7|task:1|2025-03-20|slack:UONE").status
            == "sent"
        )
        assert notifier.find_sent("slack:UONE", "deadline-7|task:1|2025-03-20|slack:UONE")
        assert notifier.find_sent("slack:UONE", "deadline-1|task:1|2025-03-20|slack:UONE") is None
        assert fake.calls("conversations.open")[0].body["users"] == "UONE"


def test_coordinators_of_the_slack_user_group_hear_of_reviews(sessions, slack):
    from tests.reminders.ledger_rows import add_review

    slack.set_usergroup("SPLANNING", ["UGROUP1", "UGROUP2"])
    with sessions() as session:
        seeded = seed_ledger(session, due_dates=[D("2025-12-31")], channels=["CONE"], coordinator=None)
        add_review(session, seeded["plan"].id, "final_review", D("2025-12-31"), 2025)
    settings = Settings(database_url="sqlite://", coordinator_usergroup="SPLANNING")
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    deps = Deps(
        settings=settings,
        session_factory=sessions,
        clock=lambda: datetime(2025, 11, 3, 1, 30, tzinfo=UTC),
        slack_client=client,
    )
    assert sweep(deps, kinds=REMINDER_KINDS) == 3
    assert set(statuses(sessions)) == {
        "final_review-60@slack:CONE",
        "final_review-60@slack:UGROUP1",
        "final_review-60@slack:UGROUP2",
    }
