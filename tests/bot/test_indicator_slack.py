"""Indicators in Slack over signed HTTP against the fake Web API: the annual monitoring reminder asks for the
values, a member reports one through the modal, and the coordinators' digest warns of the red indicator."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from slack_sdk import WebClient

from bot.notifiers import NotifierRouter
from bot.notifiers.slack import SlackNotifier
from bot.scheduler import dispatch, sweep
from handlers.indicator_modal import ACTION_REPORT
from tests.bot.conftest import text_of
from tests.fakes import payloads
from tests.handlers.indicator_ledger import add_indicators
from tests.handlers.ledger import COORDINATOR, FGJ_MEMBER, READER


@pytest.fixture
def indicators(sessions, ledger):  # type: ignore[no-untyped-def]
    return add_indicators(sessions, ledger)


def _sent_to(fake, user_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Texts the dispatcher posted to `user_id`, in a DM (the fake names it D + the id) or to the id itself."""
    return [
        message["text"]
        for channel in (user_id, "D" + user_id.lstrip("U"))
        for message in fake.messages(channel)
    ]


def _send(deps, fake, today: date, kinds: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    client = WebClient(token="xoxb-test-token", base_url=fake.api_url)
    # 10:00 in Shanghai that day: after the reminder and digest times (09:00), so dispatch sends at once
    at_ten = datetime.combine(today, time(2, 0), tzinfo=UTC)
    sending = replace(deps, clock=lambda: at_ten, notifier=NotifierRouter({"slack": SlackNotifier(client)}))
    assert sweep(sending, kinds=kinds, today=today) > 0
    report = dispatch(sending)
    assert report.failed == 0


def _values(year: str, value: str, note: str = "") -> dict[str, dict]:
    return {
        "year": {"value": {"type": "plain_text_input", "value": year}},
        "value": {"value": {"type": "plain_text_input", "value": value}},
        "note": {"value": {"type": "plain_text_input", "value": note}},
    }


def test_ask_report_through_the_modal_and_warn_in_the_digest(bot, deps, indicators):  # type: ignore[no-untyped-def]
    # 年度监测 of 2025 is due 2026-01-31: 30 days ahead the lead unit is asked for its indicators' 2025 values
    _send(deps, bot.fake, date(2026, 1, 5), ("annual_monitoring",))
    [asked] = [text for text in _sent_to(bot.fake, FGJ_MEMBER) if "年度监测" in text]
    assert "请报送本部门牵头指标 2025 年的数值" in asked
    assert (
        f"#{indicators.urbanisation} 常住人口城镇化率（%）" in asked and "一般公共预算收入增长" not in asked
    )
    assert f"/plan 指标 {indicators.urbanisation} 2025 数值" in asked

    # the member opens the form from the /plan 指标 list and reports 2024's value
    listing = bot.command("指标", user_id=FGJ_MEMBER)
    buttons = [
        element
        for block in listing["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == ACTION_REPORT
    ]
    assert [button["text"]["text"] for button in buttons] == [f"报送 #{indicators.urbanisation}"]
    status, _ = bot.click(ACTION_REPORT, buttons[0]["value"], user_id=FGJ_MEMBER)
    assert status == 200
    [opened] = bot.fake.wait_for("views.open")
    view = opened.body["view"]
    assert "常住人口城镇化率" in json.dumps(view, ensure_ascii=False)

    status, body = bot.post(
        payloads.view_submission_values(view, user_id=FGJ_MEMBER, values=_values("明年", ""))
    )
    assert json.loads(body)["response_action"] == "errors"
    assert set(json.loads(body)["errors"]) == {"year", "value"}
    status, body = bot.post(
        payloads.view_submission_values(view, user_id=FGJ_MEMBER, values=_values("2024", "90.1", "统计公报"))
    )
    assert status == 200 and body == ""
    [confirmation] = bot.fake.wait_for("chat.postEphemeral")
    assert confirmation.body["user"] == FGJ_MEMBER
    assert "已记录指标" in text_of(confirmation.body) and "红灯" in text_of(confirmation.body)

    # someone outside the department gets no form
    bot.click(ACTION_REPORT, buttons[0]["value"], user_id=READER, name="a2")
    bot.fake.wait_until(lambda: len(bot.fake.responses("a2")) == 1)
    assert "⛔" in text_of(bot.fake.responses("a2")[0])
    assert len(bot.fake.calls("views.open")) == 1

    # Monday's digest tells the coordinators: 90.1 is behind its 2024 path of 90.74, and 区财政局 reported nothing
    _send(deps, bot.fake, date(2025, 6, 16), ("digest",))
    [digest] = [text for text in _sent_to(bot.fake, COORDINATOR) if "【规划实施周报】莱芜区" in text]
    assert "【指标预警】2 项指标落后于进度或未按时报送" in digest
    assert (
        f"🔴 #{indicators.urbanisation} 常住人口城镇化率 2024年 90.1，应达 90.74（预期性，区发展改革局）"
        in digest
    )
    assert f"⚪ #{indicators.revenue} 一般公共预算收入增长 2024年数值未报送（区财政局）" in digest


def test_the_coordinators_hear_the_warnings_before_the_final_review(bot, deps, indicators):  # type: ignore[no-untyped-def]
    # 总结评估 on 2025-12-31: 60 days ahead the coordinators' reminder lists the indicators behind
    _send(deps, bot.fake, date(2025, 11, 3), ("final_review",))
    [review] = [text for text in _sent_to(bot.fake, COORDINATOR) if "总结评估" in text]
    assert "【指标预警】2 项指标落后于进度或未按时报送" in review
    assert f"⚪ #{indicators.urbanisation} 常住人口城镇化率 2024年数值未报送（区发展改革局）" in review
    departments = [text for text in _sent_to(bot.fake, FGJ_MEMBER) if "总结评估" in text]
    assert departments and all("指标预警" not in text for text in departments)
