"""Over signed HTTP against the fake Web API: an imported document waits for review and nobody is reminded of
it until a coordinator confirms; the 修改 modal edits a task; a non-coordinator can do neither."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import col, select

from handlers.reminders import ReminderConventions, planned_reminders, with_unbound_shown
from handlers.rendering import ACTION_EDIT, ACTION_RUN
from storage.models import Task
from storage.reminder_snapshot import load_snapshot
from storage.task_edits import edits_of_task
from storage.tasks import task_units
from tests.bot.conftest import buttons_of, text_of
from tests.fakes import payloads
from tests.handlers.ledger import COORDINATOR, FGJ_MEMBER, READER

pytestmark = pytest.mark.usefixtures("ledger")

# an invented annual plan: the sentences are made up for the tests
PLAN = """青石区2025年国民经济和社会发展计划

一、推动产业升级
（一）区工信局牵头，区财政局配合，9月底前完成工业技改项目库建设。
（二）区科技局负责，10月底前新认定科技型中小企业50家。

二、保障措施
（一）强化监测评估。年底前对计划执行情况开展一次全面督查。
"""


def _share(bot) -> dict:  # type: ignore[no-untyped-def]
    url = bot.fake.host_file("plan.txt", PLAN.encode())
    files = [{"id": "F1", "name": "青石区2025年计划.txt", "url_private_download": url}]
    bot.post(payloads.direct_message("", user_id=COORDINATOR, files=files))
    [sent] = bot.fake.wait_for("chat.postMessage")
    return sent.body


def _reminded_task_ids(sessions) -> set[int]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        snapshot = with_unbound_shown(load_snapshot(session=session, defaults=ReminderConventions()))
    return {
        r.task_id for r in planned_reminders(snapshot, date(2025, 6, 15), date(2025, 12, 31)) if r.task_id
    }


def _imported_ids(sessions) -> list[int]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        statement = select(Task.id).where(
            col(Task.action).contains("科技型中小企业") | col(Task.action).contains("技改")
        )
        return list(session.exec(statement).all())


def test_an_import_waits_for_review_and_nobody_is_reminded_until_confirmed(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    card = _share(bot)
    text = text_of(card)
    assert "已导入《" in text and "待核对 3 项" in text and "未指明单位 1 项" in text
    assert "全面督查" in text  # the record with no unit is shown for a second look
    commands = [value for action, value in buttons_of(card) if action == ACTION_RUN]
    assert [c.split()[:-1] for c in commands] == [["核对", "确认"], ["核对"], ["核对", "舍弃"]]
    confirm = commands[0]
    imported = _imported_ids(sessions)
    assert len(imported) == 2
    assert not set(imported) & _reminded_task_ids(sessions)

    # a reader presses the card's 全部确认: refused, still waiting
    bot.click(ACTION_RUN, confirm, user_id=READER, name="reader")
    bot.fake.wait_until(lambda: bot.fake.responses("reader"))
    assert "只有协调员可以" in text_of(bot.fake.responses("reader")[0])
    assert not set(imported) & _reminded_task_ids(sessions)

    waiting = text_of(bot.command("核对", user_id=COORDINATOR))
    assert "待核对的任务 3 项" in waiting and "技改项目库" in waiting

    bot.click(ACTION_RUN, confirm, user_id=COORDINATOR, name="coordinator")
    bot.fake.wait_until(lambda: bot.fake.responses("coordinator"))
    assert "已确认 3 项任务" in text_of(bot.fake.responses("coordinator")[0])
    assert set(imported) <= _reminded_task_ids(sessions)
    with sessions() as session:
        [edit] = edits_of_task(session=session, task_id=imported[0])
        assert (edit.field, edit.new_value, edit.author, edit.via) == (
            "review",
            "已确认",
            COORDINATOR,
            "slack",
        )


def test_unassigned_tasks_are_listed_and_can_be_given_a_unit(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    _share(bot)
    listed = text_of(bot.command("未分配", user_id=COORDINATOR))
    assert "未指明责任单位的任务 1 项" in listed and "全面督查" in listed
    with sessions() as session:
        task_id = session.exec(select(Task.id).where(col(Task.action).contains("全面督查"))).one()
    answer = text_of(bot.command(f"分配 {task_id} 区商务局", user_id=COORDINATOR))
    assert "没有单位“区商务局”" in answer  # the plan names no 商务局: refused, with what to do
    answer = text_of(bot.command(f"分配 {task_id} 区科技局", user_id=COORDINATOR))
    assert f"任务 #{task_id} 的牵头单位已设为 区科技局" in answer
    assert "每项任务都有责任单位" in text_of(bot.command("未分配", user_id=COORDINATOR))
    assert "只有协调员可以" in text_of(bot.command("未分配", user_id=FGJ_MEMBER))


def _edit_values(
    *, action: str, lead: str, co: str, due: str | None, recurrence: str, archive: bool = False
) -> dict:
    return {
        "edit_archive": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "archive"}] if archive else []}
        },
        "edit_action": {"value": {"type": "plain_text_input", "value": action}},
        "edit_lead": {"value": {"type": "plain_text_input", "value": lead}},
        "edit_co": {"value": {"type": "plain_text_input", "value": co}},
        "edit_due": {"value": {"type": "datepicker", "selected_date": due}},
        "edit_recurrence": {
            "value": {"type": "static_select", "selected_option": {"value": recurrence}},
        },
    }


def test_the_edit_modal_changes_a_task_and_records_the_slack_user(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    task_id = bot.ledger.project_task
    card = bot.command(f"详情 {task_id}", user_id=COORDINATOR)
    assert (ACTION_EDIT, str(task_id)) in buttons_of(card)
    status, _ = bot.click(ACTION_EDIT, str(task_id), user_id=COORDINATOR)
    assert status == 200
    [opened] = bot.fake.wait_for("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == "task_edit_modal" and "推进重点项目建设" in json.dumps(
        view, ensure_ascii=False
    )

    values = _edit_values(
        action="推进重点项目建设", lead="区财政局", co="", due="2025-09-30", recurrence="none"
    )
    status, body = bot.post(payloads.view_submission_values(view, user_id=COORDINATOR, values=values))
    assert status == 200 and body == ""
    [confirmation] = bot.fake.wait_for("chat.postEphemeral")
    said = text_of(confirmation.body)
    assert f"已修改任务 #{task_id}" in said and "完成时限：2025-06-30 → 2025-09-30" in said
    with sessions() as session:
        assert session.get(Task, task_id).due_on == date(2025, 9, 30)  # type: ignore[union-attr]
        assert task_units(session, task_id) == {"lead": ["区财政局"], "co": []}
        history = edits_of_task(session=session, task_id=task_id)
        assert {(e.field, e.author, e.via) for e in history} == {
            ("due_on", COORDINATOR, "slack"),
            ("lead", COORDINATOR, "slack"),
            ("co", COORDINATOR, "slack"),
        }


def test_a_bad_value_in_the_modal_is_shown_beside_its_field(bot) -> None:  # type: ignore[no-untyped-def]
    bot.click(ACTION_EDIT, str(bot.ledger.project_task), user_id=COORDINATOR)
    [opened] = bot.fake.wait_for("views.open")
    values = _edit_values(action="  ", lead="区财政局", co="", due=None, recurrence="none")
    _status, body = bot.post(
        payloads.view_submission_values(opened.body["view"], user_id=COORDINATOR, values=values)
    )
    assert json.loads(body) == {
        "response_action": "errors",
        "errors": {"edit_action": "请填写任务内容 / Enter the task"},
    }


def test_a_non_coordinator_can_neither_open_nor_submit_the_edit_modal(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    task_id = bot.ledger.project_task
    bot.click(ACTION_EDIT, str(task_id), user_id=FGJ_MEMBER, name="member")
    bot.fake.wait_until(lambda: bot.fake.responses("member"))
    assert "只有协调员可以修改任务" in text_of(bot.fake.responses("member")[0])
    assert bot.fake.calls("views.open") == []

    # a submission forged from a coordinator's modal is refused as well
    bot.click(ACTION_EDIT, str(task_id), user_id=COORDINATOR)
    [opened] = bot.fake.wait_for("views.open")
    values = _edit_values(action="改掉的任务", lead="区财政局", co="", due="2030-01-01", recurrence="yearly")
    bot.post(payloads.view_submission_values(opened.body["view"], user_id=FGJ_MEMBER, values=values))
    [refusal] = bot.fake.wait_for("chat.postEphemeral")
    assert "只有协调员可以修改任务" in text_of(refusal.body)
    with sessions() as session:
        task = session.get(Task, task_id)
        assert task is not None and (task.action, task.due_on) == ("推进重点项目建设", date(2025, 6, 30))
        assert edits_of_task(session=session, task_id=task_id) == []


def test_the_edit_modal_can_delete_a_task_for_good(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    task_id = bot.ledger.finance_task
    bot.click(ACTION_EDIT, str(task_id), user_id=COORDINATOR)
    [opened] = bot.fake.wait_for("views.open")
    values = _edit_values(
        action="保障规划实施资金", lead="区财政局", co="", due="2025-07-10", recurrence="none", archive=True
    )
    bot.post(payloads.view_submission_values(opened.body["view"], user_id=COORDINATOR, values=values))
    [confirmation] = bot.fake.wait_for("chat.postEphemeral")
    assert "状态：未开始 → 已归档" in text_of(confirmation.body)
    with sessions() as session:
        assert session.get(Task, task_id).status == "archived"  # type: ignore[union-attr]
    assert "没有编号为 #" in text_of(bot.command(f"详情 {task_id}", user_id=READER))
