"""`/plan 提醒`: coordinators see and change each plan's reminder settings from the chat; others are refused."""

from __future__ import annotations

from sqlmodel import select

from bot.console import ConsoleChat
from storage.models import Plan
from tests.fakes import payloads
from tests.handlers.ledger import COORDINATOR, FGJ_MEMBER


def test_a_coordinator_lists_pauses_and_sets_days(deps, ledger, sessions):  # type: ignore[no-untyped-def]
    chat = ConsoleChat(deps)
    listing = chat.say("/plan 提醒")
    assert "莱芜区《莱芜区国民经济和社会发展第十四个五年规划纲要》（2021–2025）" in listing
    assert "提醒中；到期前 30,7,1,0 天；中期/总结评估前 60,30,7 天" in listing
    with sessions() as session:
        plan_id = session.exec(select(Plan.id).where(Plan.kind == "five_year_plan")).one()
    changed = chat.say(f"/plan 提醒 {plan_id} 到期 30，14，1 逾期 14")
    assert (
        "已更新" in changed
        and "到期前 30,14,1 天（本规划）" in changed
        and "逾期每 14 天（本规划）" in changed
    )
    assert "已暂停" in chat.say(f"提醒 #{plan_id} 暂停")
    with sessions() as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None and plan.reminders_paused and "14" in (plan.reminder_settings or "")
    reset = chat.say(f"/plan reminders {plan_id} resume reset")
    assert "暂停、恢复、默认一次只能写一个" in reset
    back = chat.say(f"/plan 提醒 {plan_id} 默认")
    assert "到期前 30,7,1,0 天；" in back and "已暂停" in back  # 默认 resets the days, not the pause
    assert "提醒中" in chat.say(f"/plan 提醒 {plan_id} 恢复")


def test_bad_settings_get_an_answer_in_chinese_first(deps, ledger):  # type: ignore[no-untyped-def]
    chat = ConsoleChat(deps)
    assert "不是规划编号" in chat.say("/plan 提醒 十四五 暂停")
    assert "没有编号为 999 的规划" in chat.say("/plan 提醒 999 暂停")
    assert "看不懂“每周”" in chat.say("/plan 提醒 1 每周")
    assert "后面要写天数" in chat.say("/plan 提醒 1 到期")
    assert "“到期”后面要写天数，例如 到期 30,7,1（收到“三十”）" in chat.say("/plan 提醒 1 到期 三十")
    assert "“逾期”后面要写天数" in chat.say("/plan 提醒 1 逾期 每周")
    assert "逾期提醒间隔是一个天数" in chat.say("/plan 提醒 1 逾期 7 14")
    # NFKC reads a superscript ² as 2, as it reads full-width ２; nothing raises
    assert "逾期每 2 天（本规划）" in chat.say("/plan 提醒 1 逾期 ²")
    assert "最多提前 366 天" in chat.say("/plan 提醒 1 评估 400")
    assert "请写要做的修改" in chat.say("/plan 提醒 1")


def test_day_lists_with_spaces_glued_or_full_width_are_read(deps, ledger, sessions):  # type: ignore[no-untyped-def]
    chat = ConsoleChat(deps)
    with sessions() as session:
        plan_id = session.exec(select(Plan.id).where(Plan.kind == "five_year_plan")).one()
    assert "到期前 30,14,7 天（本规划）" in chat.say(f"/plan 提醒 {plan_id} 到期 30, 14, 7")
    assert "到期前 20,3 天（本规划）" in chat.say(f"/plan 提醒 #{plan_id} 到期20，3 暂停")
    changed = chat.say(f"/plan 提醒 {plan_id} 评估 ９０、３０ 年度监测 15 逾期 10")
    assert "中期/总结评估前 90,30 天（本规划）" in changed
    assert "年度监测前 15 天（本规划）" in changed and "逾期每 10 天（本规划）" in changed


def test_members_are_refused_and_told_who_can(deps, ledger):  # type: ignore[no-untyped-def]
    answer = ConsoleChat(deps, user_id=FGJ_MEMBER, coordinator=False).say("/plan 提醒 1 暂停")
    assert "只有协调员可以使用“提醒”" in answer


def test_over_slack_the_listing_is_an_ephemeral_answer(bot):  # type: ignore[no-untyped-def]
    reply = bot.command("提醒", user_id=COORDINATOR)
    assert reply["response_type"] == "ephemeral"
    assert "各规划的提醒设置" in str(reply)
    status, _ = bot.post(
        payloads.slash_command(
            "/plan", "提醒 1 暂停", user_id=FGJ_MEMBER, response_url=bot.fake.response_url("m1")
        )
    )
    assert status == 200
    bot.fake.wait_until(lambda: bot.fake.responses("m1"))
    assert "只有协调员" in str(bot.fake.responses("m1")[0])
