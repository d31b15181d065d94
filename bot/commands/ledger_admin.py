"""Ledger maintenance commands: alias add, dept merge (after 机构改革), export and apply of the 台账, db upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.commands.ledger_support import (
    alias_table,
    department_named,
    fail,
    jurisdiction_id_named,
    open_ledger,
    out_console,
    today_in,
)
from bot.settings import load_settings
from storage.db import create_engine_for, current_revision, upgrade
from storage.departments import add_alias, merge_departments


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("apply")(apply_command)
    alias_app = typer.Typer(help="部门别名 / department aliases", no_args_is_help=True)
    alias_app.command("add")(alias_add_command)
    app.add_typer(alias_app, name="alias")
    dept_app = typer.Typer(help="部门维护 / department maintenance", no_args_is_help=True)
    dept_app.command("merge")(dept_merge_command)
    app.add_typer(dept_app, name="dept")
    db_app = typer.Typer(help="数据库 / database", no_args_is_help=True)
    db_app.command("upgrade")(db_upgrade_command)
    app.add_typer(db_app, name="db")


# ---------------------------------------------------------------- aliases and merges


def alias_add_command(
    name: Annotated[str, typer.Argument(help="现有单位名称或别名 / existing department")],
    alias: Annotated[str, typer.Argument(help="新别名 / the new alias")],
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
) -> None:
    """为单位添加别名。 Add an alias to a department."""
    settings = load_settings()
    with open_ledger(settings) as session:
        department = department_named(session, name, region, alias_table(settings))
        if not add_alias(session=session, department=department, alias=alias):
            session.rollback()
            raise fail(
                f"别名“{alias}”在该辖区已属于其他单位。如系机构改革，请用 `planbot dept merge`。",
                f"{alias!r} already names another department there; for a reorganisation use `planbot dept merge`.",
            )
        session.commit()
        out_console().print(f"✓ {alias} → {department.name}")


def dept_merge_command(
    old: Annotated[str, typer.Argument(help="被合并（撤销）的单位 / the department that ceased")],
    into: Annotated[str, typer.Argument(help="承接的单位 / the department taking over")],
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
) -> None:
    """机构改革后合并单位：任务、别名、成员和频道转到新单位。 Merge a department into another."""
    from storage.departments import MergeError

    settings = load_settings()
    with open_ledger(settings) as session:
        aliases = alias_table(settings)
        source = department_named(session, old, region, aliases)
        target = department_named(session, into, region, aliases)
        try:
            moved = merge_departments(session=session, old=source, into=target)
        except MergeError as error:
            zh, _, en = str(error).partition(" ")
            raise fail(zh, en) from error
        out_console().print(f"✓ {source.name} → {target.name}：转移任务 {moved} 项 / {moved} tasks moved")


# ---------------------------------------------------------------- export and db


def export_command(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="输出的 Excel 文件 / output .xlsx file")],
    dept: Annotated[str | None, typer.Option(help="只导出该单位 / only this department")] = None,
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
    today: Annotated[str | None, typer.Option(help="以该日期为今天 / YYYY-MM-DD", hidden=True)] = None,
) -> None:
    """导出任务台账（Excel）：汇总、任务清单（可修改后用 planbot apply 导回）、各单位工作表。 Export the ledger."""
    from storage.export import write_ledger_xlsx

    settings = load_settings()
    with open_ledger(settings) as session:
        department = department_named(session, dept, region, alias_table(settings)) if dept else None
        summary = write_ledger_xlsx(
            session=session,
            path=xlsx,
            department_id=department.id if department else None,
            jurisdiction_id=None if department else jurisdiction_id_named(session, region),
            today=today_in(settings, today),
        )
    out_console().print(f"✓ {summary.path}：{summary.sheets} 个工作表，{summary.rows} 行 / sheets, rows")


def apply_command(
    workbook: Annotated[
        Path, typer.Argument(help="修改过的台账 .xlsx（任务清单工作表）/ the edited workbook")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只显示将要修改的内容 / show, change nothing")
    ] = False,
    author: Annotated[
        str | None, typer.Option(help="修改人（默认为当前系统用户）/ who makes the change")
    ] = None,
) -> None:
    """把在 Excel 中修改的任务清单导回台账：全部生效或全部不生效。 Apply an edited 任务清单, all or nothing."""
    import getpass
    from datetime import UTC, datetime

    from storage.indicator_sheet import read_indicator_sheet
    from storage.task_edits import FIELD_NAMES, shown_value
    from storage.task_list_apply import apply_workbook, plan_workbook
    from storage.task_list_sheet import WorkbookRefused, read_task_list
    from storage.tasks import Editor

    settings = load_settings()
    out = out_console()
    with open_ledger(settings) as session:
        try:
            plan = plan_workbook(
                session=session,
                rows=read_task_list(workbook),
                aliases=alias_table(settings),
                indicator_values=read_indicator_sheet(workbook),
            )
        except WorkbookRefused as refused:
            problems = "\n".join(f"  · {problem}" for problem in refused.problems)
            raise fail(
                f"台账未导入，没有作任何修改：{len(refused.problems)} 处需要更正。\n{problems}\n改正后再运行 planbot apply。",
                "Nothing was applied: correct the cells above and run planbot apply again.",
            ) from refused
        for planned in plan.edits:
            period = f"（本期：{planned.period.label}）" if planned.period is not None else ""
            out.print(f"#{planned.task.id} {planned.task.action}{period}")
            for change in planned.changes:
                label = FIELD_NAMES.get(change.field, change.field)
                old, new = shown_value(change.field, change.old), shown_value(change.field, change.new)
                out.print(f"  {label}：{old} → {new}")
        for value in plan.indicator_values:
            out.print(
                f"指标 #{value.indicator.id} {value.indicator.name} {value.year}年：{value.old or '—'} → {value.new}"
            )
        if not plan.edits and not plan.indicator_values:
            out.print(f"没有变化（读取 {plan.rows} 行）。 Nothing to change ({plan.rows} rows read).")
            return
        if dry_run:
            out.print(
                f"预览：{len(plan.edits)} 项任务将修改，{len(plan.indicator_values)} 个指标数值将报送，未作任何修改。"
                "去掉 --dry-run 即可生效。"
                f" Dry run: {len(plan.edits)} task(s) would change, {len(plan.indicator_values)} indicator value(s)"
                " would be reported; nothing was written."
            )
            return
        editor = Editor(author=author or f"cli:{getpass.getuser()}", via="xlsx", now=datetime.now(UTC))
        changed = apply_workbook(session=session, plan=plan, editor=editor)
    out.print(
        f"✓ 已修改 {changed} 项任务，记入修改记录（planbot task history 编号）。 {changed} task(s) updated."
    )
    if plan.indicator_values:
        out.print(
            f"✓ 已报送 {len(plan.indicator_values)} 个指标数值（planbot indicators 查看）。"
            f" {len(plan.indicator_values)} indicator value(s) reported."
        )


def db_upgrade_command() -> None:
    """把数据库结构升级到最新版本。 Migrate the database schema to the latest revision."""
    settings = load_settings()
    engine = create_engine_for(settings.database_url)
    try:
        upgrade(engine)
        revision = current_revision(engine)
    except (OperationalError, ProgrammingError) as error:
        raise fail(
            f"升级失败：{error.orig}。请检查 DATABASE_URL 和权限。",
            "The upgrade failed; check DATABASE_URL and permissions.",
        ) from error
    finally:
        engine.dispose()
    out_console().print(f"✓ 数据库已是最新版本 / database at revision {revision}")
