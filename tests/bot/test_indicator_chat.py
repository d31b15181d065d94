"""`/plan 指标` through the console chat: listing with status, reporting a value, and who may report."""

from __future__ import annotations

import pytest

from bot.console import ConsoleChat
from tests.handlers.indicator_ledger import add_indicators
from tests.handlers.ledger import CZJ_MEMBER, FGJ_MEMBER, READER


@pytest.fixture
def indicators(sessions, ledger):  # type: ignore[no-untyped-def]
    return add_indicators(sessions, ledger)


def test_a_member_lists_and_reports_their_departments_indicators(deps, indicators):
    chat = ConsoleChat(deps, user_id=FGJ_MEMBER, coordinator=False)
    own = chat.say("/plan 指标")
    assert "常住人口城镇化率" in own and "一般公共预算收入增长" not in own
    assert "未报送（2024年）" in own  # today is 2025-06-15, after the 2025-01-31 monitoring date
    behind = chat.say(f"/plan 指标 {indicators.urbanisation} 2024 90.1 统计公报")
    assert "已记录指标" in behind and "红灯" in behind and "应达 90.74" in behind
    corrected = chat.say(f"/plan 指标 {indicators.urbanisation} 2024 90.8 更正")
    assert "正常" in corrected and "2024：90.8" in corrected
    refused = chat.say(f"/plan 指标 {indicators.revenue} 2024 7.5")
    assert "只能由 区财政局 的成员或协调员" in refused


def test_a_coordinator_sees_every_indicator_and_reports_any(deps, indicators):
    chat = ConsoleChat(deps)
    listing = chat.say("/plan 指标")
    assert "全部主要指标（2 项，预警 2 项）" in listing
    assert "已记录指标" in chat.say(f"/plan 指标 {indicators.revenue} 2024 6.5")
    finance = chat.say("/plan 指标 区财政局")
    assert "一般公共预算收入增长" in finance and "红灯" in finance  # 约束性 and behind: red
    assert "应在 2020–2025 之间" in chat.say(f"/plan 指标 {indicators.revenue} 2030 6.5")
    assert "没有编号为 99 的指标" in chat.say("/plan 指标 99 2024 1")
    assert "报送指标数值请写编号、年份和数值" in chat.say(f"/plan 指标 {indicators.revenue} 6.5")


def test_someone_without_a_department_may_read_but_not_report(deps, indicators):
    chat = ConsoleChat(deps, user_id=READER, coordinator=False)
    assert "常住人口城镇化率" in chat.say("/plan 指标")
    assert "⛔" in chat.say(f"/plan 指标 {indicators.urbanisation} 2024 90.8")
    assert "已记录" in ConsoleChat(deps, user_id=CZJ_MEMBER, coordinator=False).say(
        f"/plan 指标 {indicators.revenue} 2024 7.5"
    )


def test_a_coordinator_gets_the_review_pack_as_a_workbook(deps, sessions, indicators, tmp_path):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook
    from sqlmodel import select

    from storage.models import Indicator

    with sessions() as session:
        plan_id = session.exec(select(Indicator.plan_id)).first()
    chat = ConsoleChat(deps, files_dir=tmp_path / "data")
    answer = chat.say(f"/plan 评估材料 {plan_id} 2024")
    assert "评估材料已生成" in answer and "指标 2 项（预警 2）" in answer
    [saved] = list((tmp_path / "data").glob("*.xlsx"))
    book = load_workbook(saved)
    assert book.sheetnames == ["说明", "任务", "指标", "落后单位"]
    names = [row[3] for row in book["指标"].iter_rows(min_row=2, values_only=True)]
    assert names == ["常住人口城镇化率", "一般公共预算收入增长"]
    assert "没有编号为 999 的规划" in chat.say("/plan 评估材料 999")
    assert "只有协调员可以" in ConsoleChat(deps, user_id=FGJ_MEMBER, coordinator=False).say(
        f"/plan 评估材料 {plan_id}"
    )
