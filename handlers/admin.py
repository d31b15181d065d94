"""Coordinators' commands: bind a department to a channel, register a member, import a plan, export the 台账.

Import and export are slow (a download, the extraction pipeline, an xlsx file): adapters acknowledge first
and call these after, then report back.
"""

from __future__ import annotations

import logging
from datetime import UTC

from handlers.context import CommandContext
from handlers.ledger_views import resolve_department
from handlers.replies import FileUpload, Reply, usage_error
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
    return Reply(
        headline=f"✅ 已把 {resolved.full_name} 绑定到 <#{channel}>{already}：该部门的提醒将发到这个频道。"
        f"请确认已把 planbot 邀请进该频道（/invite @planbot）。\n"
        f"{resolved.full_name} is bound to <#{channel}>; its reminders go there. Invite planbot to the channel.",
        task_buttons=False,
    )


def member(ctx: CommandContext, user: str, department: str) -> Reply:
    resolved = resolve_department(ctx, department)
    if isinstance(resolved, Reply):
        return resolved
    bot_queries.set_member(session=ctx.session, slack_user_id=user, department_id=resolved.id)
    return Reply(
        headline=f"✅ 已登记 <@{user}> 为 {resolved.full_name} 的成员：可以用 `/plan 任务` 查看并更新本部门任务。\n"
        f"<@{user}> is now a member of {resolved.full_name}.",
        task_buttons=False,
    )


def ingest(ctx: CommandContext, source: str) -> Reply:
    """Download (or read) a document, extract its tasks and store them; slow, runs after the ack."""
    from ingest.load import load_source

    settings = ctx.deps.settings
    try:
        loaded = load_source(
            source,
            max_bytes=settings.max_document_bytes,
            allow_private=settings.allow_private_urls,
            timeout=settings.url_timeout_seconds,
        )
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
            f"❌ 无法导入 {loaded.source}：{error.zh}", f"Could not import {loaded.source}: {error.en}"
        )
    store = _storage_ingest()
    if store is None:
        return usage_error(
            "❌ 此版本的 planbot 还不能从聊天中导入文件，请在服务器上运行 `planbot ingest 文件`。",
            "This planbot cannot import from chat yet; run `planbot ingest FILE` on the server.",
        )
    outcome = store(
        session=ctx.session, document=document, settings=settings, now=ctx.deps.clock().astimezone(UTC)
    )
    return Reply(
        headline=f"✅ 已导入《{document.title or loaded.source}》：{_outcome_text(outcome)}\n"
        f"Imported {document.title or loaded.source}: {len(document.records)} task records read.",
        suggestions=["/plan 部门", "/plan 日程"],
        task_buttons=False,
    )


def export(ctx: CommandContext) -> Reply:
    """Write the 台账 as xlsx with the storage writer; the adapter uploads it."""
    writer = _storage_export()
    if writer is None:
        return usage_error(
            "❌ 此版本的 planbot 还不能从聊天中导出台账，请在服务器上运行 `planbot export --xlsx 文件`。",
            "This planbot cannot export from chat yet; run `planbot export --xlsx FILE` on the server.",
        )
    content = writer(session=ctx.session, today=ctx.today)
    filename = f"planbot-台账-{ctx.today.isoformat()}.xlsx"
    return Reply(
        headline=f"📎 台账已导出：{filename}\nThe ledger was exported as {filename}.",
        upload=FileUpload(filename=filename, content=content, title=f"任务台账 {ctx.today.isoformat()}"),
        task_buttons=False,
    )


def _outcome_text(outcome: object) -> str:
    parts = []
    for attribute, label in (
        ("added", "新增"),
        ("changed", "变更"),
        ("archived", "归档"),
        ("unchanged", "未变"),
    ):
        value = getattr(outcome, attribute, None)
        if value is not None:
            count = value if isinstance(value, int) else len(value)  # type: ignore[arg-type]
            parts.append(f"{label} {count} 项")
    return "，".join(parts) or "完成"


def _storage_ingest():  # type: ignore[no-untyped-def]
    """The ledger's ingest function, which the storage package owns; None until it exists."""
    try:
        from storage.bot_bridge import store_document
    except ImportError:
        return None
    return store_document


def _storage_export():  # type: ignore[no-untyped-def]
    try:
        from storage.bot_bridge import ledger_xlsx_bytes
    except ImportError:
        return None
    return ledger_xlsx_bytes
