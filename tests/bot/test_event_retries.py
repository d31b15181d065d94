"""Slack's retries of an event are acknowledged and dropped: a question is answered once."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from slack_bolt import App
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from bot.app import build_app, close_app
from bot.deps import Deps
from bot.http_server import SlackHttpServer
from bot.settings import Settings
from storage.models import SlackEventReceipt
from tests.bot.conftest import SECRET, RunningBot, text_of
from tests.fakes import payloads
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.ledger import COORDINATOR, Ledger


def retried(body: str, attempt: int) -> dict[str, str]:
    """The headers of Slack's n-th retry: same body, fresh signature, X-Slack-Retry-Num."""
    headers = payloads.signed_headers(body, SECRET)
    headers.update({"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"})
    return headers


@dataclass
class Finishable:
    bot: RunningBot
    app: App

    def finish(self) -> None:
        """Wait for all the work already acknowledged: no answer can arrive after this, late duplicates neither."""
        close_app(self.app)


@pytest.fixture
def served(deps: Deps, settings: Settings, fake_slack: FakeSlackApi, ledger: Ledger) -> Iterator[Finishable]:
    """Like the `bot` fixture, but the test can stop the app's work before counting the answers."""
    app = build_app(settings, deps=deps)
    try:
        with SlackHttpServer(app) as server:
            yield Finishable(RunningBot(server, fake_slack, ledger), app)
    finally:
        close_app(app)


def test_a_retried_mention_is_answered_once(served, sessions):  # type: ignore[no-untyped-def]
    bot = served.bot
    body = payloads.app_mention("<@UBOT> 中期评估什么时候？", user_id=COORDINATOR)
    assert bot.post(body)[0] == 200
    [answer] = bot.fake.wait_for("chat.postMessage")
    for attempt in (1, 2):
        assert bot.post(body, headers=retried(body, attempt))[0] == 200
    # a different question still gets its answer: the retries were dropped, not the bot stalled
    other = payloads.app_mention("<@UBOT> 总结评估哪天", user_id=COORDINATOR, ts="1700000000.000200")
    assert bot.post(other)[0] == 200
    bot.fake.wait_for("chat.postMessage", count=2)
    served.finish()
    threads = [call.body["thread_ts"] for call in bot.fake.calls("chat.postMessage")]
    assert sorted(threads) == ["1700000000.000100", "1700000000.000200"]
    with sessions() as session:
        assert session.exec(select(func.count()).select_from(SlackEventReceipt)).one() == 2
    assert answer.body["thread_ts"] == "1700000000.000100"


def test_a_forged_copy_of_an_event_is_refused_before_it_is_recorded(bot, sessions):  # type: ignore[no-untyped-def]
    body = payloads.app_mention("<@UBOT> 中期评估什么时候？", user_id=COORDINATOR)
    forged = payloads.signed_headers(body, "not-the-secret")
    assert bot.post(body, headers=forged)[0] == 401
    with sessions() as session:
        assert session.exec(select(func.count()).select_from(SlackEventReceipt)).one() == 0
    # the genuine event, arriving after the forgery, is still answered
    assert bot.post(body)[0] == 200
    bot.fake.wait_for("chat.postMessage")


def test_events_without_an_id_and_commands_are_not_deduplicated(served):  # type: ignore[no-untyped-def]
    bot = served.bot
    answers = [bot.command("帮助", user_id=COORDINATOR) for _ in range(2)]
    assert len(bot.fake.responses("c1")) == 2
    assert all("planbot 命令" in text_of(answer) for answer in answers)
    event = json.loads(payloads.app_mention("<@UBOT> 帮助", user_id=COORDINATOR))
    del event["event_id"]
    for _ in range(2):
        assert bot.post(json.dumps(event, ensure_ascii=False))[0] == 200
    bot.fake.wait_for("chat.postMessage", count=2)
    served.finish()
    sent = bot.fake.calls("chat.postMessage")
    assert len(sent) == 2
    assert all("/plan" in text_of(call.body) for call in sent)
    assert len(bot.fake.responses("c1")) == 2


def test_an_event_is_answered_when_its_receipt_cannot_be_written(bot, monkeypatch, caplog):  # type: ignore[no-untyped-def]
    """A lock held too long (handlers.once_per_event): the question is answered anyway."""

    def locked(**_: object) -> bool:
        raise OperationalError("INSERT INTO slackeventreceipt", {}, Exception("database is locked"))

    monkeypatch.setattr("handlers.once_per_event.first_receipt", locked)
    body = payloads.app_mention("<@UBOT> 帮助", user_id=COORDINATOR)
    with caplog.at_level(logging.WARNING, logger="handlers.once_per_event"):
        assert bot.post(body)[0] == 200
        [answer] = bot.fake.wait_for("chat.postMessage")
    assert answer.body["thread_ts"] == "1700000000.000100"
    assert "/plan" in text_of(answer.body)
    assert any("without a receipt" in record.getMessage() for record in caplog.records)
