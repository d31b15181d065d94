"""Coordinators' commands: bind a department to a channel, register a member, import a plan, export the 台账.

Import and export are slow (a download, the extraction pipeline, an xlsx file): adapters acknowledge first
and call these after, then report back.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC
from pathlib import Path

from handlers.context import CommandContext
from handlers.ledger_views import resolve_department
from handlers.replies import FileUpload, Reply, usage_error
from handlers.slack_text import escape
from ingest.errors import DocumentError
from ingest.records import LoadedDocument
from storage import bot_queries

log = logging.getLogger(__name__)


def bind(ctx: CommandContext, department: str, channel: str) -> Reply:
    resolved = resolve_department(ctx, department)
    if isinstance(resolved, Reply):
        return resolved
    added = bot_queries.bind_channel(session=ctx.session, department_id=resolved.id, channel_id=channel)
    already = "" if added else "（此前已绑定 / already bound）"
    name = escape(resolved.full_name)
    return Reply(
        headline=f"✅ 已把 {name} 绑定到 <#{channel}>{already}：该部门的提醒将发到这个频道。"
        f"请确认已把 planbot 邀请进该频道（/invite @planbot）。\n"
        f"{name} is bound to <#{channel}>; its reminders go there. Invite planbot to the channel.",
        task_buttons=False,
    )


def member(ctx: CommandContext, user: str, department: str) -> Reply:
    resolved = resolve_department(ctx, department)
    if isinstance(resolved, Reply):
        return resolved
    bot_queries.set_member(session=ctx.session, slack_user_id=user, department_id=resolved.id)
    name = escape(resolved.full_name)
    return Reply(
        headline=f"✅ 已登记 <@{user}> 为 {name} 的成员：可以用 `/plan 任务` 查看并更新本部门任务。\n"
        f"<@{user}> is now a member of {name}.",
        task_buttons=False,
    )


def ingest(ctx: CommandContext, source: str) -> Reply:
    """Download (or read) a document, extract its tasks and store them; slow, runs after the ack."""
    from ingest.load import load_source

    settings = ctx.deps.settings
    if not source.lower().startswith(("http://", "https://")) and not ctx.local_paths:
        # from chat, a path would let anyone with the coordinator role read files on the server
        return usage_error(
            f"请提供以 http:// 或 https:// 开头的网址，或者把文件私信发给 planbot（收到的是“{source}”）。",
            f'Give an http(s) URL, or send the file to planbot in a DM (got "{source}").',
        )
    try:
        loaded = load_source(source, **settings.source_limits())
    except DocumentError as error:
        return usage_error(f"❌ 无法读取 {source}：{error.zh}", f"Could not read {source}: {error.en}")
    return ingest_loaded(ctx, loaded)


def ingest_loaded(ctx: CommandContext, loaded: LoadedDocument) -> Reply:
    from ingest.pipeline import extract_document
    from ingest.units import default_alias_table

    settings = ctx.deps.settings
    aliases = default_alias_table()
    if settings.alias_file:
        aliases = aliases.extended_from_file(settings.alias_file)
    try:
        document = extract_document(loaded, aliases=aliases)
    except DocumentError as error:
        return usage_error(
            f"❌ 无法导入 {escape(loaded.source)}：{error.zh}",
            f"Could not import {escape(loaded.source)}: {error.en}",
        )
    from storage.ingest import ingest_document
    from storage.reviews import ReviewConventions

    try:
        report = ingest_document(
            session=ctx.session,
            document=document,
            aliases=aliases,
            conventions=ReviewConventions.from_settings(settings),
            now=ctx.deps.clock().astimezone(UTC),
            confirm=False,  # a coordinator reviews it first (handlers.review): nobody is reminded before
        )
    except DocumentError as error:
        return usage_error(
            f"❌ 无法导入 {escape(loaded.source)}：{error.zh}",
            f"Could not import {escape(loaded.source)}: {error.en}",
        )
    title = escape(report.title or loaded.source)
    if report.status == "unchanged":
        zh = "与已导入的版本相同，台账没有变化"
        en = "identical to the version already imported; nothing changed"
    else:
        zh = (
            f"新增 {len(report.added)} 项，变更 {len(report.changed)} 项，归档 {len(report.archived)} 项，"
            f"保留 {report.kept} 项，涉及 {len(report.departments)} 个部门"
        )
        en = (
            f"{len(report.added)} added, {len(report.changed)} changed, {len(report.archived)} archived, "
            f"{report.kept} kept, {len(report.departments)} departments"
        )
    from handlers.review import review_card

    return review_card(
        ctx, report, f"✅ 已导入《{title}》（{escape(report.jurisdiction)}）：{zh}。\nImported {title}: {en}."
    )


def export(ctx: CommandContext) -> Reply:
    """Write the 台账 as xlsx with the storage writer; the adapter uploads it."""
    from storage.export import write_ledger_xlsx

    with tempfile.TemporaryDirectory(prefix="planbot-export-") as directory:
        path = Path(directory) / "ledger.xlsx"
        summary = write_ledger_xlsx(session=ctx.session, path=path)
        content = path.read_bytes()
    filename = f"planbot-台账-{ctx.today.isoformat()}.xlsx"
    return Reply(
        headline=f"📎 台账已导出：{filename}（{summary.sheets} 个工作表，{summary.rows} 行）\n"
        f"The ledger was exported as {filename} ({summary.sheets} sheets, {summary.rows} rows).",
        upload=FileUpload(filename=filename, content=content, title=f"任务台账 {ctx.today.isoformat()}"),
        task_buttons=False,
        public=True,  # coordinators only: the 台账 goes to the channel they asked in
    )


def report(ctx: CommandContext, department: str | None) -> Reply:
    """Tasks per department by status (or one department's plans) as a PNG chart; the adapter uploads it."""
    from handlers.report_chart import ChartSubjectNotFound, department_status_png

    if department is not None:
        resolved = resolve_department(ctx, department)
        if isinstance(resolved, Reply):
            return resolved
        subject: int | None = resolved.id
        label = resolved.full_name
    else:
        subject, label = None, "全部部门"
    try:
        # confirmed tasks only, for coordinators too: their chart is posted to the channel they ask in
        content = department_status_png(
            session=ctx.session, department=subject, today=ctx.today, confirmed_only=True
        )
    except ChartSubjectNotFound as missing:
        return usage_error(missing.zh, missing.en, "/plan 部门")
    filename = f"planbot-报告-{ctx.today.isoformat()}.png"
    return Reply(
        headline=f"📊 {escape(label)}任务进展图（{ctx.today.isoformat()}）\nProgress chart of {escape(label)}.",
        upload=FileUpload(
            filename=filename, content=content, title=f"{label}任务进展 {ctx.today.isoformat()}"
        ),
        task_buttons=False,
        public=ctx.actor.is_coordinator,
    )
