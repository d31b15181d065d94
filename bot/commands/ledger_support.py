"""What the ledger commands share: opening the database, naming departments, consoles and failures."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.settings import Settings
from ingest.units import AliasTable, default_alias_table
from storage.db import (
    at_newest_revision,
    create_engine_for,
    current_revision,
    head_revision,
    is_sqlite,
    session_factory,
    upgrade,
)
from storage.departments import DepartmentMatch, resolve_department
from storage.models import Department, Jurisdiction
from storage.statuses import status_from_word

ROLE_NAMES = {"lead": "牵头", "co": "配合", None: ""}


class OutputFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


def parse_status(word: str) -> str:
    """--status 完成 / --status done: Chinese or English, answered in Chinese first when neither."""
    status = status_from_word(word)
    if status is None:
        raise typer.BadParameter(
            f"不认识的状态“{word}”。可用：未开始、推进中、已完成、已归档。 "
            f"Unknown status {word!r}: use open, in_progress, done or archived."
        )
    return status


def parse_task_id(word: str) -> int:
    if not word.strip().isdigit() or not 0 < int(word) < 2**62:
        raise typer.BadParameter("任务编号应是正整数，例如 12（用 planbot tasks 查看）。 A task id is a positive number such as 12.")
    return int(word)


def parse_days(word: str) -> int:
    if not word.strip().isdigit() or int(word) > 100 * 366:
        raise typer.BadParameter("天数应是 0 到 36600 的整数，例如 30。 Days must be a whole number such as 30.")
    return int(word)


def out_console() -> Console:
    # piped output (files, tests, grep) gets wide tables instead of the 80 columns rich assumes
    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def err_console() -> Console:
    return Console(stderr=True, highlight=False)


def fail(zh: str, en: str, code: int = 1) -> typer.Exit:
    err_console().print(f"[red]{zh}[/red]\n{en}")
    return typer.Exit(code=code)


@contextmanager
def open_ledger(settings: Settings) -> Iterator[Session]:
    """A session on DATABASE_URL; SQLite is migrated on open, PostgreSQL must have been upgraded."""
    engine = create_engine_for(settings.database_url)
    try:
        if at_newest_revision(engine):
            pass  # the usual case, known without importing Alembic (a tenth of a second per command)
        elif is_sqlite(engine):
            upgrade(engine)
        else:
            try:
                revision = current_revision(engine)
            except OperationalError as error:
                raise fail(
                    f"无法连接数据库：{error.orig}。请检查 DATABASE_URL。",
                    "Cannot reach the database; check DATABASE_URL.",
                ) from error
            if revision is None:
                raise fail(
                    "数据库尚未初始化。请先运行 `planbot db upgrade`。",
                    "The database has no schema yet. Run `planbot db upgrade` first.",
                )
            if revision != head_revision():
                raise fail(
                    f"数据库结构版本 {revision} 不是最新的 {head_revision()}。请先运行 `planbot db upgrade`。",
                    "The database schema is older than this planbot. Run `planbot db upgrade` first.",
                )
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def alias_table(settings: Settings) -> AliasTable:
    table = default_alias_table()
    return table.extended_from_file(settings.alias_file) if settings.alias_file else table


def today_in(settings: Settings, given: str | None) -> date:
    if given:
        return date.fromisoformat(given)
    return datetime.now(ZoneInfo(settings.timezone)).date()


def jurisdiction_id_named(session: Session, region: str | None) -> int | None:
    if not region:
        return None
    for place in session.exec(select(Jurisdiction)).all():
        if place.name == region or region in place.name or place.name in region:
            return place.id
    names = "、".join(p.name for p in session.exec(select(Jurisdiction)).all()) or "（无）"
    raise fail(f"没有找到辖区“{region}”。已有辖区：{names}", f"No jurisdiction named {region!r}.")


def department_named(session: Session, name: str, region: str | None, aliases: AliasTable) -> Department:
    match = resolve_department(session=session, name=name, region=region, aliases=aliases)
    if match.department is not None:
        return match.department
    raise fail(*did_you_mean(name, match))


def did_you_mean(name: str, match: DepartmentMatch) -> tuple[str, str]:
    if not match.candidates:
        return (
            f"没有找到单位“{name}”。用 `planbot depts` 查看全部单位，或用 `planbot alias add` 添加别名。",
            f"No department named {name!r}. List them with `planbot depts` or add an alias with `planbot alias add`.",
        )
    options = "\n".join(f"  · {match.label(d)}" for d in match.candidates)
    return (
        f"“{name}”不能唯一确定一个单位，您是不是要找：\n{options}\n请写上辖区（如 莱芜区发改局）或使用 --region。",
        f"{name!r} does not name exactly one department. Did you mean one of the above? "
        "Prefix the jurisdiction or pass --region.",
    )
