"""Slack's retries of an event are acknowledged and dropped: a question is answered once."""

from __future__ import annotations

import json

from sqlmodel import func, select

from storage.models import SlackEventReceipt
from tests.bot.conftest import SECRET
from tests.fakes import payloads
from tests.handlers.ledger import COORDINATOR


def retried(body: str, attempt: int) -> dict[str, str]:
    """The headers of Slack's n-th retry: same body, fresh signature, X-Slack-Retry-Num."""
    headers = payloads.signed_headers(body, SECRET)
    headers.update({"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"})
    return headers


def test_a_retried_mention_is_answered_once(bot, sessions):  # type: ignore[no-untyped-def]
    body = payloads.app_mention("<@UBOT> 中期评估什么时候？", user_id=COORDINATOR)
    assert bot.post(body)[0] == 200
    [answer] = bot.fake.wait_for("chat.postMessage")
    for attempt in (1, 2):
        assert bot.post(body, headers=retried(body, attempt))[0] == 200
    # a different question still gets its answer: the retries were dropped, not the bot stalled
    other = payloads.app_mention("<@UBOT> 总结评估哪天", user_id=COORDINATOR, ts="1700000000.000200")
    assert bot.post(other)[0] == 200
    bot.fake.wait_until(lambda: len(bot.fake.calls("chat.postMessage")) >= 2)
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


def test_events_without_an_id_and_commands_are_not_deduplicated(bot):  # type: ignore[no-untyped-def]
    for _ in range(2):
        bot.command("帮助", user_id=COORDINATOR)
    event = json.loads(payloads.app_mention("<@UBOT> 帮助", user_id=COORDINATOR))
    del event["event_id"]
    for _ in range(2):
        assert bot.post(json.dumps(event, ensure_ascii=False))[0] == 200
    bot.fake.wait_until(lambda: len(bot.fake.calls("chat.postMessage")) >= 2)
