"""`planbot task …`: a coordinator corrects the ledger at the terminal. Every change is recorded with the OS
user at the terminal (or --author) and shown again by `planbot task history`."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from bot.commands.ledger_support import (
    OutputFormat,
    alias_table,
    fail,
    open_ledger,
    out_console,
    parse_task_id,
)
from bot.settings import load_settings
from storage.statuses import STATUS_NAMES
from storage.task_edits import FIELD_NAMES, edits_of_task, shown_value
from storage.task_review import confirm_tasks, discard_tasks, tasks_awaiting_review
from storage.task_values import (
    RECURRENCE_NAMES,
    ValueRefused,
    parse_due,
    parse_percent,
    parse_recurrence,
    parse_status,
    parse_units,
)
from storage.tasks import (
    KEEP,
    Editor,
    FieldChange,
    TaskChanges,
    TaskEditError,
    add_task,
    delete_task,
    edit_task,
    get_task,
    jurisdiction_of,
    merge_tasks,
    task_units,
)


def register(app: typer.Typer) -> None:
    task_app = typer.Typer(help="修改任务台账 / correct the ledger", no_args_is_help=True)
    for name, command in (
        ("show", show_command),
        ("edit", edit_command),
        ("add", add_command),
        ("delete", delete_command),
        ("confirm", confirm_command),
        ("discard", discard_command),
        ("merge", merge_command),
        ("history", history_command),
    ):
        task_app.command(name)(command)
    app.add_typer(task_app, name="task")


def _editor(author: str | None) -> Editor:
    return Editor(author=author or f"cli:{getpass.getuser()}", via="cli", now=datetime.now(UTC))


def _refuse(error: TaskEditError | ValueRefused) -> typer.Exit:
    return fail(error.zh, error.en)


AuthorOption = Annotated[str | None, typer.Option(help="修改人（默认为当前系统用户）/ who makes the change")]


# ---------------------------------------------------------------- show and history


def show_command(
    task_id: Annotated[int, typer.Argument(parser=parse_task_id, help="任务编号 / task id")],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table | jsonl")
    ] = OutputFormat.table,
) -> None:
    """查看一项任务的全部字段。 Show one task."""
    settings = load_settings()
    with open_ledger(settings) as session:
        try:
            task = get_task(session, task_id)
        except TaskEditError as error:
            raise _refuse(error) from error
        units = task_units(session, task_id)
        place = jurisdiction_of(session, task).name
    record = {
        "id": task.id,
        "plan_id": task.plan_id,
        "jurisdiction": place,
        "task": task.action,
        "lead": units["lead"],
        "co": units["co"],
        "due": task.due_on.isoformat() if task.due_on else None,
        "recurrence": task.recurrence,
        "status": task.status,
        "percent": task.percent,
        "awaiting_review": task.awaiting_review,
        "evidence": task.evidence,
        "section": task.section,
        "version": task.version,
    }
    if output_format is OutputFormat.jsonl:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"任务 #{task.id}（{place}）", show_header=False)
    table.add_column("字段")
    table.add_column("内容", overflow="fold")
    for label, value in (
        ("任务", task.action),
        ("牵头单位", "、".join(units["lead"]) or "（未分配）"),
        ("配合单位", "、".join(units["co"])),
        ("完成时限", record["due"] or "—"),
        ("周期", RECURRENCE_NAMES.get(task.recurrence or "", "—")),
        ("状态", f"{STATUS_NAMES.get(task.status, task.status)} {task.percent}%"),
        ("核对", "待核对" if task.awaiting_review else "已确认"),
        ("出处", f"{task.section}：{task.evidence}" if task.section else task.evidence),
        ("版本", str(task.version)),
    ):
        table.add_row(label, str(value))
    out_console().print(table)


def history_command(
    task_id: Annotated[int, typer.Argument(parser=parse_task_id, help="任务编号 / task id")],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table | jsonl")
    ] = OutputFormat.table,
) -> None:
    """一项任务的修改记录：谁、何时、改了什么。 Who changed what in a task, and when."""
    settings = load_settings()
    with open_ledger(settings) as session:
        try:
            get_task(session, task_id)
        except TaskEditError as error:
            raise _refuse(error) from error
        edits = edits_of_task(session=session, task_id=task_id)
    if output_format is OutputFormat.jsonl:
        for edit in edits:
            line = {
                "task_id": edit.task_id,
                "at": edit.created_at.isoformat(),
                "author": edit.author,
                "via": edit.via,
                "field": edit.field,
                "old": edit.old_value,
                "new": edit.new_value,
            }
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    if not edits:
        out_console().print(f"任务 #{task_id} 没有修改记录。 Task #{task_id} has not been edited.")
        return
    table = Table(title=f"任务 #{task_id} 的修改记录 / history")
    for column in ("时间", "修改人", "途径", "字段", "原值", "新值"):
        table.add_column(column, overflow="fold")
    for edit in edits:
        table.add_row(
            edit.created_at.isoformat(timespec="seconds"),
            edit.author,
            edit.via,
            FIELD_NAMES.get(edit.field, edit.field),
            shown_value(edit.field, edit.old_value),
            shown_value(edit.field, edit.new_value),
        )
    out_console().print(table)


def _print_changes(task_id: int, changes: list[FieldChange]) -> None:
    if not changes:
        out_console().print(f"任务 #{task_id} 没有变化。 Nothing changed.")
        return
    out_console().print(f"✓ 任务 #{task_id} 已修改 / updated:")
    for change in changes:
        label = FIELD_NAMES.get(change.field, change.field)
        old, new = shown_value(change.field, change.old), shown_value(change.field, change.new)
        out_console().print(f"  {label}：{old} → {new}")


# ---------------------------------------------------------------- edits


def edit_command(
    task_id: Annotated[int, typer.Argument(parser=parse_task_id, help="任务编号 / task id")],
    text: Annotated[str | None, typer.Option("--task", help="任务内容 / the task text")] = None,
    lead: Annotated[str | None, typer.Option(help="牵头单位，多个用顿号分隔 / lead units")] = None,
    co: Annotated[str | None, typer.Option(help="配合单位（写 无 清空）/ co-operating units")] = None,
    due: Annotated[str | None, typer.Option(help="完成时限 2025-06-30（写 无 清空）/ deadline")] = None,
    recurrence: Annotated[str | None, typer.Option(help="周期：每年、每季度、每月、无 / recurrence")] = None,
    status: Annotated[str | None, typer.Option(help="状态：未开始、推进中、已完成、已归档 / status")] = None,
    percent: Annotated[str | None, typer.Option(help="完成百分比 / percent done")] = None,
    note: Annotated[str | None, typer.Option(help="进展情况 / progress note")] = None,
    author: AuthorOption = None,
) -> None:
    """修改任务：内容、牵头和配合单位、时限、周期、状态。 Edit a task."""
    try:
        changes = TaskChanges(
            action=text,
            lead=parse_units(lead) if lead is not None else None,
            co=parse_units(co) if co is not None else None,
            due_on=parse_due(due) if due is not None else KEEP,
            recurrence=parse_recurrence(recurrence) if recurrence is not None else KEEP,
            status=parse_status(status) if status is not None else None,
            percent=parse_percent(percent) if percent is not None else None,
            progress=note,
        )
    except ValueRefused as error:
        raise _refuse(error) from error
    settings = load_settings()
    with open_ledger(settings) as session:
        try:
            applied = edit_task(
                session=session,
                task_id=task_id,
                changes=changes,
                editor=_editor(author),
                aliases=alias_table(settings),
            )
        except TaskEditError as error:
            raise _refuse(error) from error
    _print_changes(task_id, applied)


def add_command(
    plan: Annotated[int, typer.Option(help="规划编号（planbot plan list）/ plan id")],
    text: Annotated[str, typer.Option("--task", help="任务内容 / the task text")],
    lead: Annotated[str, typer.Option(help="牵头单位 / lead units")] = "",
    co: Annotated[str, typer.Option(help="配合单位 / co-operating units")] = "",
    due: Annotated[str | None, typer.Option(help="完成时限 2025-06-30 / deadline")] = None,
    recurrence: Annotated[str | None, typer.Option(help="周期：每年、每季度、每月 / recurrence")] = None,
    author: AuthorOption = None,
) -> None:
    """手工添加一项任务（重新导入规划时保留）。 Add a task by hand."""
    settings = load_settings()
    with open_ledger(settings) as session:
        try:
            task = add_task(
                session=session,
                plan_id=plan,
                action=text,
                lead=parse_units(lead),
                co=parse_units(co),
                due_on=parse_due(due),
                recurrence=parse_recurrence(recurrence),
                editor=_editor(author),
                aliases=alias_table(settings),
            )
        except (TaskEditError, ValueRefused) as error:
            raise _refuse(error) from error
        out_console().print(f"✓ 已添加任务 #{task.id}：{task.action} / task added")


def delete_command(
    task_id: Annotated[int, typer.Argument(parser=parse_task_id, help="任务编号 / task id")],
    author: AuthorOption = None,
) -> None:
    """删除（归档）任务：不再提醒，重新导入也不会恢复。 Archive a task for good."""
    settings = load_settings()
    with open_ledger(settings) as session:
        try:
            task = delete_task(session=session, task_id=task_id, editor=_editor(author))
        except TaskEditError as error:
            raise _refuse(error) from error
        out_console().print(f"✓ 任务 #{task_id} 已归档：{task.action} / archived")


def merge_command(
    keep: Annotated[int, typer.Argument(parser=parse_task_id, help="保留的任务 / the task kept")],
    duplicate: Annotated[int, typer.Argument(parser=parse_task_id, help="重复的任务 / the duplicate")],
    author: AuthorOption = None,
) -> None:
    """合并两项重复任务：单位并入保留的任务，重复的一项归档。 Merge a duplicate into another task."""
    settings = load_settings()
    with open_ledger(settings) as session:
        try:
            changes = merge_tasks(
                session=session, keep_id=keep, duplicate_id=duplicate, editor=_editor(author)
            )
        except TaskEditError as error:
            raise _refuse(error) from error
    _print_changes(keep, changes)
    out_console().print(f"✓ 任务 #{duplicate} 已并入 #{keep} 并归档 / merged and archived")


# ---------------------------------------------------------------- review


def _review_ids(task_ids: list[int] | None, every: bool, plan: int | None, session) -> list[int]:  # type: ignore[no-untyped-def]
    if task_ids:
        return task_ids
    if every or plan is not None:
        return [t.id for t in tasks_awaiting_review(session=session, plan_id=plan) if t.id is not None]
    raise fail(
        "请写任务编号，或用 --all（全部待核对任务）、--plan 规划编号。",
        "Give task ids, or --all, or --plan ID.",
    )


def _settle_review(settle, task_ids, every, plan, author) -> int:  # type: ignore[no-untyped-def]
    """Confirm or discard (`settle`) the tasks the arguments name; returns how many."""
    with open_ledger(load_settings()) as session:
        ids = _review_ids(task_ids, every, plan, session)
        return settle(session=session, task_ids=ids, editor=_editor(author))


def confirm_command(
    task_ids: Annotated[list[int] | None, typer.Argument(help="任务编号 / task ids")] = None,
    every: Annotated[bool, typer.Option("--all", help="全部待核对任务 / every task awaiting review")] = False,
    plan: Annotated[int | None, typer.Option(help="只确认该规划的 / only this plan's")] = None,
    author: AuthorOption = None,
) -> None:
    """确认待核对的任务：确认后才会提醒各单位。 Confirm tasks awaiting review."""
    count = _settle_review(confirm_tasks, task_ids, every, plan, author)
    out_console().print(f"✓ 已确认 {count} 项任务，今后按期提醒 / {count} task(s) confirmed")


def discard_command(
    task_ids: Annotated[list[int] | None, typer.Argument(help="任务编号 / task ids")] = None,
    every: Annotated[bool, typer.Option("--all", help="全部待核对任务 / every task awaiting review")] = False,
    plan: Annotated[int | None, typer.Option(help="只舍弃该规划的 / only this plan's")] = None,
    author: AuthorOption = None,
) -> None:
    """舍弃待核对的任务（归档）。 Discard tasks awaiting review."""
    count = _settle_review(discard_tasks, task_ids, every, plan, author)
    out_console().print(f"✓ 已舍弃 {count} 项待核对任务 / {count} task(s) discarded")
