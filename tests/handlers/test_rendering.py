from __future__ import annotations

import json
from datetime import date

from handlers.rendering import blocks, days_left_text, light, message, page_value, plain
from handlers.replies import Page, Reply
from storage.task_pages import TaskSummary

TODAY = date(2025, 6, 15)


def summary(**changes) -> TaskSummary:  # type: ignore[no-untyped-def]
    fields = dict(
        id=7,
        action="推进<重点>项目&建设",
        evidence="原文。",
        section="第一章 > 第二节",
        document_title="某规划",
        jurisdiction="莱芜区",
        due_on=date(2025, 6, 20),
        recurrence="yearly",
        status="in_progress",
        percent=40,
        kind="task",
        leads=("区发展改革局",),
        cos=("区财政局", "区自然资源局"),
        department_ids=(1, 2, 3),
        version=1,
    )
    fields.update(changes)
    return TaskSummary(**fields)  # type: ignore[arg-type]


def test_days_left_and_lights():
    assert days_left_text(date(2025, 6, 20), TODAY) == "2025-06-20（还剩 5 天）"
    assert days_left_text(TODAY, TODAY) == "2025-06-15（今天到期）"
    assert days_left_text(date(2025, 6, 1), TODAY) == "2025-06-01（已逾期 14 天）"
    assert days_left_text(None, TODAY) == "无明确期限"
    assert light(summary(), TODAY) == "🟡"
    assert light(summary(due_on=date(2025, 6, 1)), TODAY) == "🔴"
    assert light(summary(due_on=date(2025, 9, 1)), TODAY) == "🟢"
    assert light(summary(status="done"), TODAY) == "✅"


def test_task_card_block_kit():
    rendered = blocks(Reply(headline="标题", tasks=[summary()]), TODAY)
    section = rendered[2]["text"]["text"]
    assert section.startswith("*🟡 #7 推进&lt;重点&gt;项目&amp;建设*")  # document text never becomes markup
    assert "牵头：区发展改革局　配合：区财政局、区自然资源局" in section
    assert "期限：2025-06-20（还剩 5 天），每年　状态：进行中 40%" in section
    assert "出处：《某规划》 第一章 &gt; 第二节" in section
    buttons = rendered[3]["elements"]
    assert [b["action_id"] for b in buttons] == ["task_update", "task_done", "task_show", "task_edit"]
    assert {b["value"] for b in buttons} == {"7"}


def test_done_tasks_have_no_buttons_and_plain_text_matches():
    reply = Reply(headline="标题", tasks=[summary(status="done", percent=100)])
    assert all(block["type"] != "actions" for block in blocks(reply, TODAY))
    text = plain(reply, TODAY)
    assert "✅ #7 推进<重点>项目&建设" in text and "状态：已完成" in text


def test_pager_buttons_carry_the_command_and_page():
    reply = Reply(headline="列表", tasks=[summary()], page=Page(1, 5, 23, "任务 区发改局"))
    rendered = blocks(reply, TODAY)
    pager = rendered[-1]["elements"]
    assert [b["text"]["text"] for b in pager] == ["上一页", "下一页"]
    assert page_value(pager[1]["value"]) == ("任务 区发改局", 2)
    assert page_value("garbage") is None
    assert "第 2/5 页，第 6–10 条，共 23 条" in plain(reply, TODAY)


def test_message_is_ephemeral_unless_public_and_stays_within_slack_limits():
    many = Reply(headline="长列表", lines=[f"第{n}行" * 40 for n in range(400)])
    rendered = message(many, TODAY)
    assert rendered["response_type"] == "ephemeral"
    assert len(rendered["blocks"]) <= 50
    assert all(len(block.get("text", {}).get("text", "")) <= 3000 for block in rendered["blocks"])
    assert message(Reply(headline="x", public=True), TODAY)["response_type"] == "in_channel"
    json.dumps(rendered, ensure_ascii=False)


def test_plain_text_shows_document_text_exactly_as_written():
    reply = Reply(
        headline="包含“&lt;!here&gt;”的任务",  # headlines hold escaped text, as the handlers build them
        tasks=[summary(action="推进<!channel>项目 &lt;二期&gt; A&B")],
        suggestions=["/plan 任务 区发改局<@U1>"],
    )
    text = plain(reply, TODAY)
    assert "包含“<!here>”的任务" in text
    assert "推进<!channel>项目 &lt;二期&gt; A&B" in text
    assert "/plan 任务 区发改局<@U1>" in text
