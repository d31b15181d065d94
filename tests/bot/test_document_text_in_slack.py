"""Text from a document or a person never becomes Slack markup: no ping, no disguised link, on any surface.

The ledger's task, plan and unit names are rewritten to hold `<!channel>`, `<@U123>` and `<https://…|ok>`;
each surface is then driven through real HTTP to the fake Slack Web API, and what Slack received is read.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from slack_sdk import WebClient
from sqlalchemy import update

from bot.deps import Deps
from bot.notifiers import NotifierRouter
from bot.notifiers.dispatch import Dispatcher, DispatchOptions
from bot.notifiers.slack import SlackNotifier
from bot.scheduler import REMINDER_KINDS, sweep
from bot.settings import Settings
from handlers.rendering import ACTION_UPDATE
from handlers.slack_text import clip, escape, short, unescape
from storage.models import Department, Plan, Task
from tests.bot.conftest import text_of
from tests.fakes import payloads
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.ledger import COORDINATOR, FGJ_MEMBER, READER
from tests.reminders.ledger_rows import seed_ledger

HOSTILE_ACTION = "推进<!channel>重点项目建设，联系<@U123>，详见<https://evil.example|ok>"
HOSTILE_PLAN = "莱芜区<!here>规划纲要"
HOSTILE_UNIT = "区发展改革局<@U0BOSS>"
RAW_MARKUP = ("<!channel>", "<!here>", "<@U123>", "<@U0BOSS>", "<https://evil")


def assert_no_markup(sent: object) -> None:
    text = sent if isinstance(sent, str) else json.dumps(sent, ensure_ascii=False)
    for raw in RAW_MARKUP:
        assert raw not in text, f"{raw} reached Slack unescaped"


# -- the one function --------------------------------------------------------------------------------------


def test_escape_and_unescape_are_inverse_and_clip_never_splits_an_entity():
    assert escape("A&B <!channel>") == "A&amp;B &lt;!channel&gt;"
    assert unescape(escape("&lt; is written <")) == "&lt; is written <"
    # the limit counts the escaped text, as Slack does: 10 characters of "<<<<<" would be 20 escaped
    clipped = short("<" * 10, 12)
    assert len(clipped) <= 12 and clipped.endswith("…")
    assert clipped == "&lt;&lt;…"
    for limit in range(1, 30):
        cut = clip(escape("a<b&c>d" * 4), limit)
        assert len(cut) <= limit
        assert unescape(cut.removesuffix("…")) in "a<b&c>d" * 4  # whole characters only


# -- the bot's replies, over HTTP --------------------------------------------------------------------------


@pytest.fixture
def hostile(bot, sessions):  # type: ignore[no-untyped-def]
    with sessions() as session:
        session.execute(update(Task).where(Task.id == bot.ledger.project_task).values(action=HOSTILE_ACTION))
        session.execute(update(Plan).values(title=HOSTILE_PLAN))
        session.execute(
            update(Department).where(Department.id == bot.ledger.weicheng_fgj).values(name=HOSTILE_UNIT)
        )
        session.commit()
    return bot


def test_task_cards_show_the_markup_as_text(hostile):
    sent = hostile.command(f"详情 {hostile.ledger.project_task}", user_id=READER)
    assert_no_markup(sent)
    assert "推进&lt;!channel&gt;重点项目建设" in text_of(sent)


def test_public_calendar_escapes_plan_titles_and_task_texts(hostile):
    sent = hostile.command("日程 公开", user_id=COORDINATOR)
    assert sent["response_type"] == "in_channel"
    assert_no_markup(sent)
    assert "莱芜区&lt;!here&gt;规划纲要" in text_of(sent)
    assert "推进&lt;!channel&gt;重点项目建设" in text_of(sent)


def test_department_list_escapes_unit_names(hostile):
    sent = hostile.command("部门", user_id=READER)
    assert_no_markup(sent)
    assert "区发展改革局&lt;@U0BOSS&gt;" in text_of(sent)


def test_app_home_escapes_tasks_and_the_next_review(hostile):
    hostile.post(payloads.app_home_opened(FGJ_MEMBER))
    [published] = hostile.fake.wait_for("views.publish")
    assert_no_markup(published.body)
    assert "&lt;!here&gt;" in json.dumps(published.body, ensure_ascii=False)


def test_progress_modal_escapes_the_task(hostile):
    status, _ = hostile.click(ACTION_UPDATE, str(hostile.ledger.project_task), user_id=FGJ_MEMBER)
    assert status == 200
    [opened] = hostile.fake.wait_for("views.open")
    assert_no_markup(opened.body)
    assert "推进&lt;!channel&gt;" in json.dumps(opened.body, ensure_ascii=False)


def test_a_typed_note_is_shown_as_typed(hostile):
    # Slack escapes what people type; the bot shows it back once escaped, not twice
    sent = hostile.command(
        f"进展 {hostile.ledger.project_task} 已通知 &lt;!channel&gt; A&amp;B 60%", user_id=COORDINATOR
    )
    assert_no_markup(sent)
    assert "已通知 &lt;!channel&gt; A&amp;B" in text_of(sent)
    assert "&amp;lt;" not in text_of(sent)


def test_import_headline_escapes_the_document_title(bot):
    text = "青川市<!channel>关于推进<@U123>工作的实施方案\n一、区发展改革局要在2025年底前完成项目谋划储备工作。\n"
    url = bot.fake.host_file("plan.txt", text.encode())
    files = [{"id": "F1", "name": "<https://evil.example|ok>.txt", "url_private_download": url}]
    bot.post(payloads.direct_message("", user_id=COORDINATOR, files=files))
    [sent] = bot.fake.wait_for("chat.postMessage")
    assert "已导入《" in text_of(sent.body)
    assert_no_markup(sent.body)


def test_an_unknown_department_typed_by_a_user_is_echoed_escaped(hostile):
    sent = hostile.command("任务 &lt;!channel&gt;局", user_id=READER)
    assert_no_markup(sent)
    assert "找不到部门“&lt;!channel&gt;局”" in text_of(sent)


# -- reminders and digests, through the sweep and the dispatcher -------------------------------------------

MONDAY = datetime(2025, 3, 17, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def test_reminders_and_digests_reach_slack_escaped(sessions):
    with sessions() as session:
        seeded = seed_ledger(session, due_dates=[date(2025, 3, 24), date(2025, 3, 10)], channels=["CONE"])
        session.execute(update(Task).values(action=HOSTILE_ACTION))
        session.execute(update(Plan).values(title=HOSTILE_PLAN))
        session.commit()
    assert seeded["tasks"]
    deps = Deps(
        settings=Settings(_env_file=None, database_url="sqlite://"),
        session_factory=sessions,
        clock=lambda: MONDAY,
    )  # type: ignore[call-arg]
    assert sweep(deps, kinds=(*REMINDER_KINDS, "digest")) >= 2
    with FakeSlackApi() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        Dispatcher(
            session_factory=sessions,
            notifier=NotifierRouter({"slack": SlackNotifier(client)}),
            clock=lambda: MONDAY,
            options=DispatchOptions(workers=1, coordinator_targets=("slack:UCOORD",)),
        ).run_once()
        texts = [call.body.get("text", "") for call in fake.calls("chat.postMessage")]
    kinds = {"【任务到期提醒】": False, "【任务逾期】": False, "【每周任务摘要】": False}
    for text in texts:
        assert_no_markup(text)
        for kind in kinds:
            kinds[kind] |= kind in text
    assert all(kinds.values()), texts
    assert any("推进&lt;!channel&gt;" in text for text in texts)
