"""Signed requests sent again, forged button values and modal metadata, over-long pager values, group pings.

Everything goes through the running bot over real HTTP (tests.bot.conftest), answers land in the fake Slack.
"""

from __future__ import annotations

import json
import time
from datetime import date
from urllib.parse import urlsplit

import pytest

from bot.replay_guard import REMEMBER_SECONDS, SeenSignatures
from handlers.rendering import (
    ACTION_DONE,
    ACTION_PAGE_NEXT,
    ACTION_SHOW,
    ACTION_UPDATE,
    BUTTON_VALUE_LIMIT,
    STALE_BUTTON,
    blocks,
    page_value,
)
from handlers.replies import Page, Reply
from tests.bot.conftest import SECRET, buttons_of, text_of
from tests.fakes import payloads
from tests.handlers.ledger import COORDINATOR, FGJ_MEMBER, READER

STALE = STALE_BUTTON.split("，")[0]  # 这个按钮已失效


def slash(bot, text: str, *, name: str) -> str:  # type: ignore[no-untyped-def]
    return payloads.slash_command(
        "/plan", text, user_id=COORDINATOR, response_url=bot.fake.response_url(name)
    )


# -- replays -----------------------------------------------------------------------------------------------


def test_a_signed_command_sent_again_is_refused_and_runs_once(bot):
    body = slash(bot, f"完成 {bot.ledger.project_task}", name="r")
    headers = payloads.signed_headers(body, SECRET)
    assert bot.post(body, headers=headers)[0] == 200
    bot.fake.wait_until(lambda: len(bot.fake.responses("r")) == 1)
    status, answer = bot.post(body, headers=dict(headers))
    assert status == 401 and "replayed" in answer
    # the same command, signed afresh (as Slack signs each new request), is a new request
    later = payloads.signed_headers(body, SECRET, timestamp=time.time() + 1)
    assert bot.post(body, headers=later)[0] == 200
    bot.fake.wait_until(lambda: len(bot.fake.responses("r")) == 2)


def test_remembered_pairs_are_forgotten_once_bolt_would_refuse_them_anyway():
    seen = SeenSignatures()
    assert seen.first_time(1_000, "v0=a") and not seen.first_time(1_000, "v0=a")
    assert seen.first_time(1_000 + REMEMBER_SECONDS + 1, "v0=b")
    assert len(seen) == 1  # the pair of 1000 is gone: its timestamp is refused by Bolt by now


# -- forged and stale buttons -------------------------------------------------------------------------------


def test_forged_task_button_values_get_a_clear_reply(bot):
    for n, (action_id, value) in enumerate(
        [(ACTION_DONE, "1 逾期"), (ACTION_SHOW, "²"), (ACTION_UPDATE, "abc"), (ACTION_UPDATE, "9" * 40)]
    ):
        name = f"b{n}"
        status, _ = bot.click(action_id, value, user_id=FGJ_MEMBER, name=name)
        assert status == 200
        bot.fake.wait_until(lambda name=name: bot.fake.responses(name))
        assert STALE in text_of(bot.fake.responses(name)[0])
    assert bot.fake.calls("views.open") == []


def test_forged_pager_values_get_a_clear_reply(bot):
    for n, value in enumerate(['{"c": "任务", "p": 1e400}', '["任务", 1]', '{"c": 5, "p": 1}', "{"]):
        assert page_value(value) is None
        name = f"p{n}"
        assert bot.click(ACTION_PAGE_NEXT, value, user_id=READER, name=name)[0] == 200
        bot.fake.wait_until(lambda name=name: bot.fake.responses(name))
        assert "已失效" in text_of(bot.fake.responses(name)[0])


def test_forged_modal_metadata_turns_the_modal_into_a_clear_notice(bot):
    status, _ = bot.click(ACTION_UPDATE, str(bot.ledger.project_task), user_id=FGJ_MEMBER)
    assert status == 200
    [opened] = bot.fake.wait_for("views.open")
    for forged in (
        "{not json",
        json.dumps({"task_id": "1; drop"}),
        json.dumps({"task_id": 1, "channel_id": 5}),
    ):
        view = {**opened.body["view"], "private_metadata": forged}
        status, answer = bot.post(
            payloads.view_submission(view, user_id=FGJ_MEMBER, status="in_progress", percent="50", note="x")
        )
        assert status == 200
        decoded = json.loads(answer)
        assert decoded["response_action"] == "update"
        assert "这个表单已失效" in json.dumps(decoded["view"], ensure_ascii=False)


# -- limits counted after encoding ---------------------------------------------------------------------------


def test_pager_values_stay_under_slacks_limit_after_encoding():
    quoted = '搜索 "' + '"' * 1500  # 1,500 quotes become 3,000 characters of JSON
    long_reply = Reply(headline="标题", page=Page(0, 5, 20, quoted))
    rendered = blocks(long_reply, date(2025, 6, 15))
    assert buttons_of({"blocks": rendered}) == []  # no button rather than one that runs another query
    assert "查询太长，无法翻页" in text_of({"blocks": rendered})
    short_reply = Reply(headline="标题", page=Page(0, 5, 20, "搜索 营商环境"))
    [(action_id, value)] = buttons_of({"blocks": blocks(short_reply, date(2025, 6, 15))})
    assert action_id == ACTION_PAGE_NEXT and page_value(value) == ("搜索 营商环境", 1)
    assert len(value) <= BUTTON_VALUE_LIMIT


def test_sections_are_cut_after_escaping(bot, sessions):
    from sqlalchemy import update

    from storage.models import Task

    with sessions() as session:
        session.execute(update(Task).where(Task.id == bot.ledger.project_task).values(action="<" * 3000))
        session.commit()
    sent = bot.command(f"详情 {bot.ledger.project_task}", user_id=READER)
    for block in sent["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
            assert "<" not in block["text"]["text"]
            assert not block["text"]["text"].rstrip("…*").endswith(("&", "&l", "&lt"))


# -- mentions and coordinators' names --------------------------------------------------------------------------


def test_a_refusal_names_the_coordinators_group_without_pinging_it(bot, settings):
    settings.coordinator_usergroup = "S0PLAN"
    bot.fake.set_usergroup("S0PLAN", [])
    sent = bot.command("绑定 区财政局 <#C0FGJ>", user_id=READER)
    text = text_of(sent)
    assert "只有协调员可以" in text
    assert "<!subteam" not in text and "协调员用户组" in text
    assert sent.get("response_type") == "ephemeral"


def test_a_coordinators_mention_is_answered_in_the_thread_for_everyone(bot):
    bot.post(payloads.app_mention("<@UBOT> 中期评估什么时候？", user_id=COORDINATOR))
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert sent.body["thread_ts"] == "1700000000.000100"
    assert bot.fake.calls("chat.postEphemeral") == []


# -- the bot token and shared files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://files.slack.com/files-pri/T1-F1/plan.txt",  # not https
        "https://files.slack.com:8443/files-pri/T1-F1/plan.txt",  # another port
        "https://slack.com/files-pri/T1-F1/plan.txt",  # another Slack host
        "https://evil.slack.com/plan.txt",
        "https://files.slack.com.evil.example/plan.txt",
        "https://user:pw@files.slack.com/plan.txt",
        "ftp://files.slack.com/plan.txt",
    ],
)
def test_the_token_goes_only_to_slacks_file_host_over_https(bot, url):
    files = [{"id": "F1", "name": "plan.txt", "url_private_download": url}]
    bot.post(payloads.direct_message("", user_id=COORDINATOR, files=files))
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert "文件不在 Slack 上" in text_of(sent.body)


def test_a_file_on_another_port_of_the_api_host_is_refused(bot):
    hosted = bot.fake.host_file("plan.txt", "区发展改革局要在2025年底前完成项目谋划。".encode())
    parts = urlsplit(hosted)
    elsewhere = hosted.replace(f":{parts.port}", f":{parts.port + 1 if parts.port < 65535 else 1}")
    files = [{"id": "F1", "name": "plan.txt", "url_private_download": elsewhere}]
    bot.post(payloads.direct_message("", user_id=COORDINATOR, files=files))
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert "文件不在 Slack 上" in text_of(sent.body)


def test_slacks_file_host_is_trusted():
    from handlers.shared_files import _trusted_host

    assert _trusted_host("https://files.slack.com/files-pri/T1-F1/plan.docx", None)
    assert _trusted_host("https://FILES.slack.com:443/files-pri/T1-F1/plan.docx", None)
    assert _trusted_host("https://files.slack.com/x", "http://127.0.0.1:9/api/")  # the proxy adds to it
    assert _trusted_host("http://127.0.0.1:9/files/x", "http://127.0.0.1:9/api/")
    assert not _trusted_host("http://127.0.0.1:10/files/x", "http://127.0.0.1:9/api/")


# -- long queries are kept server-side for their pager -------------------------------------------------------------


def test_a_command_too_long_for_a_button_is_stored_and_its_pager_runs_it(bot, deps, sessions):
    from handlers.context import CommandContext
    from handlers.ledger_views import tasks
    from handlers.permissions import Actor
    from handlers.rendering import pager
    from storage.page_queries import recalled_query
    from tests.handlers.ledger import TODAY

    # a command whose JSON passes 2,000 characters (quotes double when encoded) still pages through its list
    command = "任务 莱芜区发展改革局 " + '"' * 1200
    with sessions() as session:
        ctx = CommandContext(
            deps=deps, session=session, actor=Actor(READER, False, None), today=TODAY, text=command
        )
        reply = tasks(ctx, "莱芜区发展改革局")
        assert reply.page is not None and reply.page.query_id is not None
        assert recalled_query(session=session, query_id=reply.page.query_id) == command
    [(action_id, value)] = buttons_of({"blocks": pager(reply.page)})
    assert action_id == ACTION_PAGE_NEXT and len(value) <= BUTTON_VALUE_LIMIT
    assert json.loads(value) == {"q": reply.page.query_id, "p": 1}

    # the button carries the id of a stored command; the bot runs that command's next page
    from storage.page_queries import remember_query
    from tests.handlers.ledger import NOW

    with sessions() as session:
        query_id = remember_query(session=session, command="任务 莱芜区发展改革局", now=NOW)
    assert (
        bot.click(ACTION_PAGE_NEXT, json.dumps({"q": query_id, "p": 1}), user_id=READER, name="q")[0] == 200
    )
    bot.fake.wait_until(lambda: bot.fake.responses("q"))
    answer = text_of(bot.fake.responses("q")[0])
    assert "莱芜区发展改革局的未完成任务" in answer and "第 2/" in answer


def test_a_stored_query_that_is_gone_gets_a_clear_reply(bot):
    assert bot.click(ACTION_PAGE_NEXT, json.dumps({"q": 987654, "p": 1}), user_id=READER, name="g")[0] == 200
    bot.fake.wait_until(lambda: bot.fake.responses("g"))
    assert STALE in text_of(bot.fake.responses("g")[0])


def test_stored_queries_live_a_week(sessions):
    from datetime import timedelta

    from storage.page_queries import KEEP_QUERIES, recalled_query, remember_query
    from tests.handlers.ledger import NOW

    with sessions() as session:
        old = remember_query(session=session, command="任务 旧", now=NOW)
        new = remember_query(
            session=session, command="任务 新", now=NOW + KEEP_QUERIES + timedelta(seconds=1)
        )
        assert recalled_query(session=session, query_id=old) is None
        assert recalled_query(session=session, query_id=new) == "任务 新"
