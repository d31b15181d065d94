"""Every /plan subcommand through real HTTP: signed form bodies in, replies on the response_url out."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from handlers.commands import TABLE
from handlers.rendering import ACTION_PAGE_NEXT
from tests.bot.conftest import buttons_of, text_of
from tests.fakes import payloads
from tests.handlers.ledger import COORDINATOR, CZJ_MEMBER, FGJ_MEMBER, READER

pytestmark = pytest.mark.usefixtures("ledger")


def test_help_lists_every_subcommand_in_both_languages(bot):
    reply = text_of(bot.command("帮助", user_id=READER))
    for entry in TABLE:
        assert f"{entry.zh}|{entry.en}" in reply
    assert text_of(bot.command("help", user_id=READER)) == reply


def test_help_for_one_command_shows_its_docstring(bot):
    reply = text_of(bot.command("帮助 进展", user_id=READER))
    assert "/plan 进展|update 编号 [说明] [60%]" in reply
    assert "已完成项目招标" in reply


def test_tasks_defaults_to_own_department_with_collective_tasks(bot):
    reply = bot.command("任务", user_id=CZJ_MEMBER)
    text = text_of(reply)
    assert "莱芜区财政局" in text
    assert "保障规划实施资金" in text and "持续优化营商环境" in text  # 各部门 speaks to every bureau
    assert "推进潍城区老旧小区改造" not in text
    assert reply["response_type"] == "ephemeral"


def test_task_card_shows_units_due_date_days_left_status_and_citation(bot):
    text = text_of(bot.command("任务 莱芜区发改局", user_id=READER))
    assert "#1 推进重点项目建设" in text
    assert "牵头：区发展改革局　配合：区财政局" in text
    assert "2025-06-30（还剩 15 天）" in text
    assert "2025-05-31（已逾期 15 天）" in text
    assert "状态：未开始" in text
    assert (
        "《莱芜区国民经济和社会发展第十四个五年规划纲要》 第十五章 规划实施保障 &gt; 第二节 强化责任落实"
        in text
    )  # mrkdwn escapes >


def test_task_cards_carry_update_done_and_show_buttons(bot):
    buttons = buttons_of(bot.command("任务 莱芜区发改局", user_id=READER))
    assert ("task_update", str(bot.ledger.project_task)) in buttons
    assert ("task_done", str(bot.ledger.project_task)) in buttons
    assert ("task_show", str(bot.ledger.project_task)) in buttons


def test_long_lists_are_paginated_with_buttons(bot):
    first = bot.command("任务 莱芜区发改局", user_id=READER)
    assert "第 1/3 页" in text_of(first)
    [value] = [value for action, value in buttons_of(first) if action == ACTION_PAGE_NEXT]
    status, _ = bot.click(ACTION_PAGE_NEXT, value, user_id=READER, name="page")
    assert status == 200
    bot.fake.wait_until(lambda: bot.fake.responses("page"))
    second = bot.fake.responses("page")[0]
    assert second["replace_original"] is True
    assert "第 2/3 页" in text_of(second)
    assert "推进第" in text_of(second)


def test_ambiguous_department_lists_candidates(bot):
    text = text_of(bot.command("任务 区发改局", user_id=READER))
    assert "莱芜区发展改革局" in text and "潍城区发展改革局" in text
    assert "有 2 个" in text


def test_unknown_department_says_what_to_do(bot):
    text = text_of(bot.command("任务 区外星局", user_id=READER))
    assert "找不到部门“区外星局”" in text


def test_member_without_department_is_told_how_to_register(bot):
    text = text_of(bot.command("tasks", user_id=READER))
    assert "/plan 成员 @你 部门" in text


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        ("到期", ["推进重点项目建设", "保障规划实施资金"], ["编制年度重点项目计划"]),
        ("到期 本月", ["推进重点项目建设"], ["保障规划实施资金"]),
        ("due 本季度", ["推进重点项目建设"], ["保障规划实施资金"]),
        ("到期 2025年", ["（13 项）", "编制年度重点项目计划"], []),
        ("到期 2025年12月", ["持续优化营商环境"], ["推进重点项目建设"]),
        ("到期 10天", [], ["推进重点项目建设"]),
    ],
)
def test_due_understands_periods(bot, text, wanted, unwanted):
    reply = text_of(bot.command(text, user_id=COORDINATOR))
    for action in wanted:
        assert action in reply
    for action in unwanted:
        assert action not in reply


def test_due_with_a_period_it_cannot_read(bot):
    status, body = bot.post(
        payloads.slash_command(
            "/plan", "到期 下辈子", user_id=READER, response_url=bot.fake.response_url("x")
        )
    )
    assert status == 200
    answer = json.loads(body)  # usage errors are answered in the ack itself
    assert "看不懂时间“下辈子”" in answer["text"]
    assert answer["response_type"] == "ephemeral"


def test_overdue_for_a_member_is_their_department(bot):
    text = text_of(bot.command("逾期", user_id=FGJ_MEMBER))
    assert "编制年度重点项目计划" in text and "已逾期 15 天" in text
    assert "推进重点项目建设" not in text


def test_search_finds_words_in_tasks(bot):
    text = text_of(bot.command("搜索 营商环境", user_id=READER))
    assert "持续优化营商环境" in text and "（1 项）" in text


def test_show_gives_the_source_sentence(bot):
    text = text_of(bot.command(f"详情 #{bot.ledger.project_task}", user_id=READER))
    assert "原文：推进重点项目建设，确保按期完成。" in text


def test_show_unknown_and_malformed_ids(bot):
    assert "没有编号为 #999 的任务" in text_of(bot.command("详情 999", user_id=READER))
    status, body = bot.post(
        payloads.slash_command("/plan", "show abc", user_id=READER, response_url=bot.fake.response_url("x"))
    )
    assert status == 200 and "任务编号应为数字" in json.loads(body)["text"]


def test_calendar_lists_reviews_ahead_and_deadlines(bot):
    text = text_of(bot.command("日程", user_id=READER))
    assert "2025-12-31（还剩 199 天） 总结评估（2025年）" in text
    assert "年度监测" in text
    assert "中期评估" not in text  # 2023 is past
    assert "#1 推进重点项目建设" in text


def test_depts_lists_departments_with_counts(bot):
    text = text_of(bot.command("部门", user_id=READER))
    assert "莱芜区发展改革局：未完成 10，逾期 1" in text
    assert "潍城区发展改革局：未完成 1" in text


def test_update_by_a_member_records_progress(bot):
    reply = bot.command(f"进展 {bot.ledger.project_task} 已完成项目招标 60%", user_id=FGJ_MEMBER)
    text = text_of(reply)
    assert "已记录任务 #1 的进展：已完成项目招标" in text
    assert "进行中 60%" in text


def test_update_needs_a_note_or_percent(bot):
    assert "请写明进展说明或百分比" in text_of(
        bot.command(f"进展 {bot.ledger.project_task}", user_id=FGJ_MEMBER)
    )


def test_update_percent_over_100_is_a_usage_error(bot):
    _status, body = bot.post(
        payloads.slash_command(
            "/plan", "进展 1 好 150%", user_id=FGJ_MEMBER, response_url=bot.fake.response_url("x")
        )
    )
    assert "进度应在 0% 到 100% 之间" in json.loads(body)["text"]


def test_done_marks_the_task_done(bot):
    text = text_of(bot.command(f"完成 {bot.ledger.finance_task}", user_id=CZJ_MEMBER))
    assert "已标记完成" in text
    assert "已完成" in text
    again = text_of(bot.command(f"done {bot.ledger.finance_task}", user_id=CZJ_MEMBER))
    assert "已经是完成状态" in again


def test_members_cannot_update_other_departments_tasks(bot):
    text = text_of(bot.command(f"完成 {bot.ledger.finance_task}", user_id=FGJ_MEMBER))
    assert "只能由 区财政局 的成员或协调员（<@UCOORD>）更新" in text


def test_readers_cannot_update(bot):
    text = text_of(bot.command(f"进展 {bot.ledger.project_task} 50%", user_id=READER))
    assert "⛔" in text and "<@UCOORD>" in text


def test_bind_and_member_are_for_coordinators(bot):
    refused = text_of(bot.command("绑定 莱芜区发改局 <#C0FGJ|fgj>", user_id=FGJ_MEMBER))
    assert "只有协调员可以使用“绑定”" in refused and "<@UCOORD>" in refused
    bound = text_of(bot.command("绑定 莱芜区发改局 <#C0FGJ|fgj>", user_id=COORDINATOR))
    assert "已把 莱芜区发展改革局 绑定到 <#C0FGJ>" in bound
    added = text_of(bot.command("成员 <@UNEW|xiaoli> 莱芜区财政局", user_id=COORDINATOR))
    assert "已登记 <@UNEW> 为 莱芜区财政局 的成员" in added
    assert "保障规划实施资金" in text_of(bot.command("任务", user_id="UNEW"))


def test_export_uploads_the_xlsx_ledger(bot, tmp_path):
    status, body = bot.post(
        payloads.slash_command("/plan", "导出", user_id=COORDINATOR, response_url=bot.fake.response_url("x"))
    )
    assert status == 200, body
    assert "正在处理" in json.loads(body)["text"]
    [complete] = bot.fake.wait_for("files.completeUploadExternal")
    assert complete.body["channel_id"] == "C0CMD"
    [content] = bot.fake.uploads().values()
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(content)
    assert "汇总" in load_workbook(path).sheetnames


def test_export_refused_for_members(bot):
    assert "只有协调员" in text_of(bot.command("export", user_id=FGJ_MEMBER))


def test_ingest_from_chat_takes_urls_not_server_paths(bot):
    text = text_of(bot.command("导入 /etc/passwd", user_id=COORDINATOR))
    assert "请提供以 http:// 或 https:// 开头的网址" in text


def test_ingest_reports_what_it_could_not_read(bot, settings):
    settings.allow_private_urls = True  # the fake web server is on 127.0.0.1
    missing = bot.fake.base_url + "files/nothing.txt"
    assert "无法读取" in text_of(bot.command(f"导入 <{missing}>", user_id=COORDINATOR))


def test_ingest_a_document_from_a_url(bot, settings, samples_dir):
    settings.allow_private_urls = True
    document = sorted(samples_dir.glob("*.txt"))[0]
    url = bot.fake.host_file(document.name, document.read_bytes(), token_required=False)
    text = text_of(bot.command(f"导入 <{url}>", user_id=COORDINATOR))
    assert "已导入《" in text, text
    assert "台账没有变化" in text_of(bot.command(f"ingest {url}", user_id=COORDINATOR))  # the same again


def test_coordinator_may_post_publicly_others_not(bot):
    assert bot.command("逾期 公开", user_id=COORDINATOR)["response_type"] == "in_channel"
    member_reply = bot.command("逾期 post", user_id=FGJ_MEMBER)
    assert member_reply["response_type"] == "ephemeral"
    assert "只有协调员可以把结果公开发到频道" in text_of(member_reply)


def test_unknown_subcommand_offers_help(bot):
    status, body = bot.post(
        payloads.slash_command("/plan", "喝茶", user_id=READER, response_url=bot.fake.response_url("x"))
    )
    assert status == 200 and "没有“喝茶”这个命令" in json.loads(body)["text"]


def test_report_chart_goes_to_the_channel_for_coordinators(bot):
    status, body = bot.post(
        payloads.slash_command("/plan", "报告", user_id=COORDINATOR, response_url=bot.fake.response_url("x"))
    )
    assert status == 200 and "正在处理“报告”" in json.loads(body)["text"]
    [complete] = bot.fake.wait_for("files.completeUploadExternal")
    assert complete.body["channel_id"] == "C0CMD"
    [png] = bot.fake.uploads().values()
    assert png.startswith(b"\x89PNG")


def test_report_chart_for_others_arrives_by_direct_message(bot):
    bot.post(
        payloads.slash_command(
            "/plan", "report 莱芜区财政局", user_id=CZJ_MEMBER, response_url=bot.fake.response_url("x")
        )
    )
    [complete] = bot.fake.wait_for("files.completeUploadExternal")
    assert complete.body["channel_id"].startswith("D")
    assert bot.fake.calls("conversations.open")[0].body["users"] == CZJ_MEMBER


def test_report_for_an_unknown_department(bot):
    assert "找不到部门" in text_of(bot.command("报告 区外星局", user_id=READER))
