"""Buttons, the progress modal, App Home, mentions, DMs and request signatures, all over real HTTP."""

from __future__ import annotations

import json
import time

import pytest

from handlers.rendering import ACTION_DONE, ACTION_HOME_TASKS, ACTION_SHOW, ACTION_UPDATE
from tests.bot.conftest import SECRET, text_of
from tests.fakes import payloads
from tests.handlers.ledger import COORDINATOR, CZJ_MEMBER, FGJ_MEMBER, READER

pytestmark = pytest.mark.usefixtures("ledger")


def open_modal(bot, task_id: int, user_id: str) -> dict:
    status, _ = bot.click(ACTION_UPDATE, str(task_id), user_id=user_id)
    assert status == 200
    [opened] = bot.fake.wait_for("views.open")
    assert opened.body["trigger_id"] == "trigger-2"
    return opened.body["view"]


def test_progress_modal_round_trip(bot):
    view = open_modal(bot, bot.ledger.project_task, FGJ_MEMBER)
    assert view["type"] == "modal" and "推进重点项目建设" in json.dumps(view, ensure_ascii=False)

    status, body = bot.post(
        payloads.view_submission(view, user_id=FGJ_MEMBER, status="in_progress", percent="abc", note="招标中")
    )
    assert status == 200
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {"percent": "请填写 0–100 的整数 / Enter a whole number from 0 to 100"},
    }

    status, body = bot.post(
        payloads.view_submission(
            view, user_id=FGJ_MEMBER, status="in_progress", percent="70", note="招标完成"
        )
    )
    assert status == 200 and body == ""
    [confirmation] = bot.fake.wait_for("chat.postEphemeral")
    assert confirmation.body["channel"] == "C0CMD" and confirmation.body["user"] == FGJ_MEMBER
    assert "已记录任务 #1 的进展：招标完成" in text_of(confirmation.body)
    assert "进行中 70%" in text_of(confirmation.body)
    # the card the user sees next shows the new state
    assert "进行中 70%" in text_of(bot.command(f"详情 {bot.ledger.project_task}", user_id=READER))


def test_modal_without_status_is_refused_beside_the_field(bot):
    view = open_modal(bot, bot.ledger.project_task, COORDINATOR)
    _status, body = bot.post(
        payloads.view_submission(view, user_id=COORDINATOR, status=None, percent="", note="")
    )
    assert json.loads(body)["errors"] == {"status": "请选择状态 / Choose a status"}


def test_stale_modal_does_not_overwrite_a_newer_report(bot):
    view = open_modal(bot, bot.ledger.project_task, FGJ_MEMBER)
    bot.command(f"进展 {bot.ledger.project_task} 别人先报了 30%", user_id=COORDINATOR)
    bot.post(
        payloads.view_submission(view, user_id=FGJ_MEMBER, status="in_progress", percent="80", note="晚到")
    )
    [answer] = bot.fake.wait_for("chat.postEphemeral")
    assert "刚被他人更新" in text_of(answer.body)
    assert "进行中 30%" in text_of(bot.command(f"详情 {bot.ledger.project_task}", user_id=READER))


def test_update_button_refuses_people_outside_the_department(bot):
    status, _ = bot.click(ACTION_UPDATE, str(bot.ledger.finance_task), user_id=FGJ_MEMBER, name="refused")
    assert status == 200
    bot.fake.wait_until(lambda: bot.fake.responses("refused"))
    assert "只能由 区财政局 的成员或协调员" in text_of(bot.fake.responses("refused")[0])
    assert bot.fake.calls("views.open") == []


def test_done_and_show_buttons(bot):
    bot.click(ACTION_DONE, str(bot.ledger.finance_task), user_id=CZJ_MEMBER, name="done")
    bot.fake.wait_until(lambda: bot.fake.responses("done"))
    assert "已标记完成" in text_of(bot.fake.responses("done")[0])
    bot.click(ACTION_SHOW, str(bot.ledger.finance_task), user_id=READER, name="show")
    bot.fake.wait_until(lambda: bot.fake.responses("show"))
    assert "状态：已完成" in text_of(bot.fake.responses("show")[0])


def test_app_home_shows_department_tasks_by_due_date_and_next_review(bot):
    status, _ = bot.post(payloads.app_home_opened(FGJ_MEMBER))
    assert status == 200
    [published] = bot.fake.wait_for("views.publish")
    assert published.body["user_id"] == FGJ_MEMBER
    view = published.body["view"]
    assert view["type"] == "home"
    text = text_of(view)
    assert "莱芜区发展改革局" in text
    assert "总结评估（2025年） 2025-12-31，还剩 199 天" in text
    assert text.index("编制年度重点项目计划") < text.index("推进重点项目建设")  # by due date
    actions = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert ACTION_HOME_TASKS in actions and ACTION_UPDATE in actions


def test_app_home_button_answers_by_direct_message(bot):
    bot.post(
        payloads.block_action(
            ACTION_HOME_TASKS,
            "tasks",
            user_id=FGJ_MEMBER,
            response_url=None,
            channel_id=None,
            container_type="view",
        )
    )
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert sent.body["channel"] == FGJ_MEMBER
    assert "推进重点项目建设" in text_of(sent.body)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "莱芜区发改局今年有哪些任务？",
            ["我理解为：部门：莱芜区发展改革局，时间：今年（2025年）", "共 11 项"],
        ),
        ("下个月到期的任务", ["时间：下个月（2025年7月）", "保障规划实施资金"]),
        ("中期评估什么时候？", ["中期评估", "2023-06-30（已过 716 天）"]),
        ("总结评估哪天", ["2025-12-31（还剩 199 天）"]),
        ("有哪些逾期的？", ["逾期任务", "编制年度重点项目计划"]),
        (
            "上半年要完成什么？",
            ["时间：上半年（2025-01-01 至 2025-06-30）", "推进重点项目建设", "编制年度重点项目计划"],
        ),
    ],
)
def test_mentions_answer_chinese_questions_in_thread(bot, question, expected):
    status, _ = bot.post(payloads.app_mention(f"<@UBOT> {question}", user_id=COORDINATOR))
    assert status == 200
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert sent.body["channel"] == "C0CMD" and sent.body["thread_ts"] == "1700000000.000100"
    text = text_of(sent.body)
    for fragment in expected:
        assert fragment in text, text


def test_mention_with_an_ambiguous_unit_asks_which(bot):
    bot.post(payloads.app_mention("<@UBOT> 区发改局今年有哪些任务？", user_id=READER))
    # a reader's mention is answered to the reader alone, in the thread
    [sent] = bot.fake.wait_for("chat.postEphemeral")
    assert sent.body["user"] == READER and sent.body["thread_ts"] == "1700000000.000100"
    assert "有 2 个" in text_of(sent.body)
    assert bot.fake.calls("chat.postMessage") == []


def test_question_not_understood_says_what_was_understood_and_offers_commands(bot):
    bot.post(payloads.direct_message("莱芜区发改局的领导是谁", user_id=READER))
    [sent] = bot.fake.wait_for("chat.postMessage")
    text = text_of(sent.body)
    assert "我理解到的是：部门：莱芜区发展改革局" in text
    assert "/plan 任务 莱芜区发展改革局" in text


def test_direct_message_runs_subcommands_too(bot):
    bot.post(payloads.direct_message("逾期", user_id=FGJ_MEMBER))
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert sent.body["channel"] == "D0DM" and "编制年度重点项目计划" in text_of(sent.body)


def test_document_shared_in_dm_is_ingested_for_coordinators(bot, samples_dir):
    sample = sorted(samples_dir.glob("*.txt"))[0]
    url = bot.fake.host_file("plan.txt", sample.read_bytes())
    files = [{"id": "F1", "name": sample.name, "url_private_download": url}]
    bot.post(payloads.direct_message("", user_id=COORDINATOR, files=files))
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert "已导入《" in text_of(sent.body)
    [download] = bot.fake.calls("file_download")
    assert download.headers["authorization"] == "Bearer xoxb-test-token"


def test_shared_document_over_the_limit_is_refused_before_download(bot, samples_dir):
    url = bot.fake.host_file("plan.txt", b"x")
    files = [{"id": "F1", "name": "plan.txt", "url_private_download": url, "size": 21 * 1024 * 1024}]
    bot.post(payloads.direct_message("", user_id=COORDINATOR, files=files))
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert "超过 20 MB 上限" in text_of(sent.body)
    assert bot.fake.calls("file_download") == []


def test_the_token_never_goes_to_a_host_that_is_not_slack(bot):
    files = [{"id": "F1", "name": "plan.txt", "url_private_download": "http://192.0.2.1/plan.txt"}]
    bot.post(payloads.direct_message("", user_id=COORDINATOR, files=files))
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert "文件不在 Slack 上" in text_of(sent.body)


def test_document_shared_in_dm_by_a_member_is_refused(bot):
    files = [{"id": "F1", "name": "plan.txt", "url_private_download": bot.fake.host_file("p.txt", b"x")}]
    bot.post(payloads.direct_message("", user_id=FGJ_MEMBER, files=files))
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert "只有协调员可以导入文件" in text_of(sent.body)
    assert bot.fake.calls("file_download") == []


def test_usergroup_members_are_coordinators(deps, settings, fake_slack, ledger):
    from bot.app import build_app
    from bot.http_server import SlackHttpServer

    settings.coordinator_usergroup = "S0PLAN"
    fake_slack.set_usergroup("S0PLAN", ["UGROUP"])
    with SlackHttpServer(build_app(settings, deps=deps)) as server:
        body = payloads.slash_command(
            "/plan", "绑定 莱芜区发改局 <#C0FGJ>", user_id="UGROUP", response_url=fake_slack.response_url("g")
        )
        assert payloads.post_signed(server.url, body, SECRET)[0] == 200
        fake_slack.wait_until(lambda: fake_slack.responses("g"))
    assert "已把 莱芜区发展改革局 绑定到 <#C0FGJ>" in text_of(fake_slack.responses("g")[0])


def test_forged_signature_is_refused_with_401(bot):
    body = payloads.slash_command(
        "/plan", "任务", user_id=COORDINATOR, response_url=bot.fake.response_url("f")
    )
    headers = payloads.signed_headers(body, "not-the-secret")
    status, _ = bot.post(body, headers=headers)
    assert status == 401
    unsigned = {"Content-Type": "application/x-www-form-urlencoded"}
    assert bot.post(body, headers=unsigned)[0] == 401
    assert bot.fake.responses("f") == []


def test_tampered_body_is_refused_with_401(bot):
    body = payloads.slash_command("/plan", "任务", user_id=READER, response_url=bot.fake.response_url("f"))
    headers = payloads.signed_headers(body, SECRET)
    assert bot.post(body.replace(READER, COORDINATOR), headers=headers)[0] == 401


def test_stale_request_is_refused_with_401(bot):
    body = payloads.slash_command(
        "/plan", "任务", user_id=COORDINATOR, response_url=bot.fake.response_url("f")
    )
    status, _ = bot.post(body, timestamp=time.time() - 301)
    assert status == 401
    assert bot.post(body, timestamp=time.time() - 240)[0] == 200  # within five minutes is fine


def test_web_api_failure_is_logged_without_secrets(bot, caplog):
    bot.fake.fail_next("views.publish", status=500)
    bot.post(payloads.app_home_opened(FGJ_MEMBER))
    bot.fake.wait_for("views.publish")
    bot.post(payloads.app_home_opened(FGJ_MEMBER))
    bot.fake.wait_for("views.publish", count=2)
    logged = caplog.text
    assert "xoxb-test-token" not in logged and SECRET not in logged


def test_progress_from_app_home_refreshes_the_home_tab(bot):
    bot.post(
        payloads.block_action(
            ACTION_UPDATE,
            str(bot.ledger.project_task),
            user_id=FGJ_MEMBER,
            response_url=None,
            channel_id=None,
            container_type="view",
        )
    )
    [opened] = bot.fake.wait_for("views.open")
    bot.post(
        payloads.view_submission(
            opened.body["view"], user_id=FGJ_MEMBER, status="in_progress", percent="55", note="从主页更新"
        )
    )
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert sent.body["channel"] == FGJ_MEMBER and "从主页更新" in text_of(sent.body)
    [published] = bot.fake.wait_for("views.publish")
    assert "进行中 55%" in text_of(published.body["view"])
