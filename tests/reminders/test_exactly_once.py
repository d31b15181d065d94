"""Exactly once when a send's outcome is unclear: the fake Slack Web API takes the message, then answers 500,
drops the connection, answers too late, or refuses the channel's history. Nothing is sent twice, nothing is
lost silently, and what cannot be checked is reported."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update
from typer.testing import CliRunner

from bot import scheduler as scheduler_module
from bot.cli import app
from bot.deps import Deps
from bot.notifiers import NotifierRouter
from bot.notifiers.dispatch import Dispatcher, DispatchOptions
from bot.notifiers.slack import SlackNotifier
from bot.scheduler import REMINDER_KINDS, digest_job, dispatch_job, forget_runtime, sweep, sweep_job
from bot.settings import Settings
from storage.db import create_engine_for, session_factory
from storage.models import Delivery
from tests.fakes.slack_api import FakeSlackApi
from tests.reminders.ledger_rows import seed_ledger
from tests.reminders.test_notifiers_slack_dispatch import FakeTime

D = date.fromisoformat
NOW = datetime(2025, 3, 13, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai, 7 days before a 03-20 deadline


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def slack():
    fake = FakeSlackApi().start()
    yield fake
    fake.stop()


def run(sessions, slack, fake_time, *, timeout: float = 5.0, clock=lambda: NOW, workers: int = 1):
    client = WebClient(token="xoxb-test", base_url=slack.api_url, timeout=timeout)
    dispatcher = Dispatcher(
        session_factory=sessions,
        notifier=NotifierRouter({"slack": SlackNotifier(client)}),
        clock=clock,
        monotonic=fake_time.monotonic,
        sleeper=fake_time.sleep,
        options=DispatchOptions(workers=workers, coordinator_targets=("slack:UCOORD",)),
    )
    return dispatcher.run_once()


def swept(sessions, *, at=NOW) -> int:
    deps = Deps(settings=Settings(database_url="sqlite://"), session_factory=sessions, clock=lambda: at)
    return sweep(deps, kinds=REMINDER_KINDS)


DEADLINES = (D("2025-03-20"),)


def seeded(sessions, channels, due_dates=DEADLINES) -> None:
    with sessions() as session:
        seed_ledger(session, due_dates=list(due_dates), channels=channels)


def statuses(sessions) -> dict[str, str]:
    with sessions() as session:
        return {row.target: row.status for row in session.execute(select(Delivery)).scalars()}


def reminders_in(slack, channel) -> list[dict]:
    return [
        m
        for m in slack.messages(channel)
        if (m.get("metadata") or {}).get("event_type") == "planbot_reminder"
    ]


@pytest.mark.parametrize(("how", "workers"), [("500", 1), ("drop", 1), ("500", 4), ("drop", 4)])
def test_an_accepted_message_answered_badly_is_found_in_the_history_not_sent_again(
    sessions, slack, fake_time, how, workers
):
    seeded(sessions, ["CONE", "CTWO"])
    assert swept(sessions) == 2
    slack.after_accepting("chat.postMessage", how)
    report = run(sessions, slack, fake_time, workers=workers)
    assert report.sent == 2 and report.checked == 1 and report.failed == report.uncertain == 0
    assert len(reminders_in(slack, "CONE")) == 1 and len(reminders_in(slack, "CTWO")) == 1
    # two posts in all: neither slack_sdk's retry handler nor the dispatcher sent the first one again
    assert len(slack.calls("chat.postMessage")) == 2
    assert set(statuses(sessions).values()) == {"sent"}
    assert run(sessions, slack, fake_time).sent == 0


def test_an_answer_after_the_client_gave_up_is_found_in_the_history(sessions, slack, fake_time):
    seeded(sessions, ["CONE"])
    swept(sessions)
    slack.after_accepting("chat.postMessage", "late")
    try:
        report = run(sessions, slack, fake_time, timeout=0.3)
    finally:
        slack.release_late()
    assert report.sent == 1 and report.checked == 1
    assert len(slack.calls("chat.postMessage")) == 1 and len(reminders_in(slack, "CONE")) == 1


def test_a_500_before_posting_is_sent_again_after_looking(sessions, slack, fake_time):
    seeded(sessions, ["CONE"])
    swept(sessions)
    slack.fail_next("chat.postMessage", status=500, count=1)  # refused: nothing was posted
    report = run(sessions, slack, fake_time)
    assert report.sent == 1 and report.checked == 0
    assert len(reminders_in(slack, "CONE")) == 1 and slack.calls("conversations.history")


def test_an_unreadable_history_is_joined_before_deciding(sessions, slack, fake_time):
    seeded(sessions, ["CONE"])
    swept(sessions)
    slack.refuse_history("CONE")  # posted with chat:write.public, not a member
    slack.after_accepting("chat.postMessage", "500")
    report = run(sessions, slack, fake_time)
    assert report.sent == 1 and report.checked == 1 and report.uncertain == 0
    assert [call.body["channel"] for call in slack.calls("conversations.join")] == ["CONE"]
    assert len(reminders_in(slack, "CONE")) == 1


def test_what_cannot_be_checked_is_kept_uncertain_and_reported_never_resent(sessions, slack, fake_time):
    seeded(sessions, ["CONE", "CTWO"])
    swept(sessions)
    slack.refuse_history("CONE", joinable=False)
    slack.after_accepting("chat.postMessage", "500")  # the first post, to CONE
    report = run(sessions, slack, fake_time)
    assert report.uncertain == 1 and report.sent == 2  # CTWO's reminder and the coordinators' notice
    assert statuses(sessions)["slack:CONE"] == "uncertain"
    assert len(reminders_in(slack, "CONE")) == 1  # Slack has it once; we never sent it again
    notice = slack.messages("UCOORD")[0]["text"]
    assert "提醒可能未送达" in notice and "slack:CONE" in notice and "remind --status" in notice
    again = run(sessions, slack, fake_time, clock=lambda: NOW + timedelta(days=1))
    assert again.sent == again.uncertain == 0
    assert len(slack.calls("chat.postMessage")) == 3


def test_crash_recovery_with_an_unreadable_history_reports_instead_of_waiting_forever(
    sessions, slack, fake_time
):
    seeded(sessions, ["CONE"])
    swept(sessions)
    run(sessions, slack, fake_time)
    # the process died after posting, before recording: the row is `sending` with its lease over
    with sessions() as session:
        session.execute(update(Delivery).values(status="sending", next_attempt_at=NOW - timedelta(seconds=1)))
        session.commit()
    slack.refuse_history("CONE", joinable=False)
    report = run(sessions, slack, fake_time)
    assert report.uncertain == 1 and report.recovered == 0
    assert statuses(sessions)["slack:CONE"] == "uncertain"
    assert len(reminders_in(slack, "CONE")) == 1
    assert "提醒可能未送达" in slack.messages("UCOORD")[0]["text"]


def test_recovery_tells_two_weekly_occurrences_of_one_rule_apart(sessions, slack, fake_time):
    """The occurrence date is part of the key: last week's overdue message is not this week's."""
    seeded(sessions, ["CONE"], due_dates=[D("2025-03-07")])
    first_week = datetime(2025, 3, 14, 1, 30, tzinfo=UTC)
    second_week = datetime(2025, 3, 21, 1, 30, tzinfo=UTC)
    swept(sessions, at=first_week)
    assert run(sessions, slack, fake_time, clock=lambda: first_week).sent == 1
    swept(sessions, at=second_week)
    # the second week's overdue reminder is claimed, then the process dies before sending it
    with sessions() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.status == "pending")
            .values(status="sending", next_attempt_at=second_week - timedelta(seconds=1))
        )
        session.commit()
    report = run(sessions, slack, fake_time, clock=lambda: second_week)
    assert report.recovered == 0 and report.sent == 1
    keys = [m["metadata"]["event_payload"]["delivery_key"] for m in reminders_in(slack, "CONE")]
    assert [key.split("|")[0] for key in keys] == ["overdue", "overdue"]
    assert keys[0].split("|")[2] == "2025-03-14" and keys[1].split("|")[2] == "2025-03-21"


def test_the_first_dispatch_after_start_waits_for_the_start_up_sweeps(sessions, slack, fake_time):
    seeded(sessions, ["CONE"])
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    deps = Deps(
        settings=Settings(database_url="sqlite://"),
        session_factory=sessions,
        clock=lambda: NOW,
        notifier=NotifierRouter({"slack": SlackNotifier(client)}),
    )
    scheduler_module._RUNTIMES["startup-test"] = deps
    scheduler_module._STARTUP["startup-test"] = scheduler_module.StartupSweeps()
    try:
        dispatching = threading.Thread(target=dispatch_job, args=("startup-test",))
        dispatching.start()
        dispatching.join(timeout=0.2)
        assert dispatching.is_alive() and not slack.calls("chat.postMessage")  # waiting, not sending
        sweep_job("startup-test")
        digest_job("startup-test")
        dispatching.join(timeout=10)
        assert not dispatching.is_alive()
    finally:
        forget_runtime("startup-test")
    # the first dispatch sent what the start-up sweeps inserted: the deadline reminder and the digests
    assert len(reminders_in(slack, "CONE")) == 2 and set(statuses(sessions).values()) == {"sent"}


def test_remind_now_on_an_injected_day_counts_truly_and_fails_when_something_is_uncertain(
    database_url, monkeypatch
):
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        seed_ledger(session, due_dates=[D("2025-03-20")], channels=["CONE", "CTWO"], coordinator="UCOORD")
    engine.dispose()
    with FakeSlackApi() as fake:
        for name, value in {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": fake.api_url,
            "COLUMNS": "200",
        }.items():
            monkeypatch.setenv(name, value)
        fake.refuse_history("CONE", joinable=False)
        fake.after_accepting("chat.postMessage", "drop")
        runner = CliRunner()
        first = runner.invoke(app, ["remind", "--now", "--today", "2025-03-13", "--workers", "1"])
        assert first.exit_code == 1, first.output
        # 2025-03-13: the 7-day reminder to both channels, plus the week's digests (one to each department's
        # channel, one to the coordinator); one of them went out unclear to CONE, whose history is closed
        posted = [
            (call.body["channel"], call.body["metadata"]["event_payload"]["delivery_key"])
            for call in fake.calls("chat.postMessage")
        ]
        assert sorted(key.split("|")[0] for _, key in posted) == [
            "deadline-7",
            "deadline-7",
            "delivery-uncertain",
            "digest",
            "digest",
            "digest",
        ]
        assert "结果不明无法核实 1 条" in first.stderr and "已发送 5 条" in first.stderr
        assert "planbot remind --status" in first.stderr
        status = runner.invoke(app, ["remind", "--status"])
        assert status.exit_code == 1 and "结果不明" in status.stdout and "slack:CONE" in status.stdout
        second = runner.invoke(app, ["remind", "--now", "--today", "2025-03-13", "--workers", "1"])
        assert second.exit_code == 0, second.output
        assert "已发送 0 条" in second.stderr and len(fake.calls("chat.postMessage")) == len(posted)
        payloads = {
            json.dumps(call.body["text"], ensure_ascii=False) for call in fake.calls("chat.postMessage")
        }
        assert len(payloads) == len(posted)


def test_many_unclear_sends_leave_no_duplicate_and_no_silent_loss(sessions, slack, fake_time):
    channels = [f"C{n:03d}" for n in range(30)]
    seeded(sessions, channels)
    assert swept(sessions) == 30
    slack.fail_next("chat.postMessage", status=500, count=3)  # refused before posting
    slack.after_accepting("chat.postMessage", "500", count=4)  # posted, then 500
    slack.after_accepting("chat.postMessage", "drop", count=3)  # posted, then the connection drops
    # one worker sends in the order of the deliveries' ids: the first three are refused, the next four posted
    # then answered 500, the next three posted then dropped
    with sessions() as session:
        order = [
            target.removeprefix("slack:")
            for target in session.execute(select(Delivery.target).order_by(Delivery.id)).scalars()
        ]
    for closed in order[3:6]:  # history closed, and the bot cannot join
        slack.refuse_history(closed, joinable=False)
    for joinable in order[6:8]:  # history closed until the bot joins
        slack.refuse_history(joinable)
    report = run(sessions, slack, fake_time)
    counts = {channel: len(reminders_in(slack, channel)) for channel in channels}
    assert set(counts.values()) == {1}  # every channel has its reminder, once
    states = statuses(sessions)
    uncertain = sorted(target for target, state in states.items() if state == "uncertain")
    assert uncertain == sorted(f"slack:{channel}" for channel in order[3:6]) and report.uncertain == 3
    assert report.checked == 4 and report.sent == 30 - 3 + 3  # 27 reminders and 3 notices to the coordinator
    assert len(slack.calls("conversations.join")) >= 2
    assert all(state in ("sent", "uncertain") for state in states.values())
    notices = [message["text"] for message in slack.messages("UCOORD")]
    assert sorted(target for target in uncertain if any(target in text for text in notices)) == uncertain
