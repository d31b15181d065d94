"""Ledger maintenance commands: alias add, dept merge (after 机构改革), export of the 台账, db upgrade."""

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
)
from bot.settings import load_settings
from storage.db import create_engine_for, current_revision, upgrade
from storage.departments import add_alias, merge_departments


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
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
) -> None:
    """导出任务台账（Excel）。 Export the ledger as an .xlsx workbook."""
    from storage.export import write_ledger_xlsx

    settings = load_settings()
    with open_ledger(settings) as session:
        department = department_named(session, dept, region, alias_table(settings)) if dept else None
        summary = write_ledger_xlsx(
            session=session,
            path=xlsx,
            department_id=department.id if department else None,
            jurisdiction_id=None if department else jurisdiction_id_named(session, region),
        )
    out_console().print(f"✓ {summary.path}：{summary.sheets} 个工作表，{summary.rows} 行 / sheets, rows")


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
