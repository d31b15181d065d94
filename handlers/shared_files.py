"""Documents a coordinator shares with planbot in a DM: download each with the bot token, then import it."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bot.deps import Deps
from handlers import admin
from handlers.context import CommandContext, local_today
from handlers.permissions import coordinator_only, resolve_actor
from handlers.replies import Reply, usage_error
from handlers.router import Asker, failure_reply
from ingest.errors import DocumentError

log = logging.getLogger(__name__)
DOCUMENT_SUFFIXES = (".txt", ".docx", ".doc", ".pdf", ".html", ".htm", ".wps")


def ingest_shared_files(deps: Deps, asker: Asker, files: list[dict[str, Any]], *, token: str) -> Reply:
    try:
        with deps.session_factory() as session:
            actor = resolve_actor(
                session=session,
                settings=deps.settings,
                user_id=asker.user_id,
                group_coordinators=asker.group_coordinators,
            )
            if not actor.is_coordinator:
                return coordinator_only(
                    session=session, settings=deps.settings, what_zh="导入文件", what_en="import documents"
                )
            ctx = CommandContext(
                deps=deps, session=session, actor=actor, today=local_today(deps), channel_id=asker.channel_id
            )
            replies = [_ingest_one(ctx, shared, token) for shared in files]
    except Exception:
        log.exception("shared file import failed", extra={"user_id": asker.user_id, "files": len(files)})
        return failure_reply()
    return Reply(
        headline="\n\n".join(reply.headline for reply in replies),
        ok=all(r.ok for r in replies),
        task_buttons=False,
    )


def _ingest_one(ctx: CommandContext, shared: dict[str, Any], token: str) -> Reply:
    name = str(shared.get("name") or "document.txt")
    url = shared.get("url_private_download") or shared.get("url_private")
    if not url or Path(name).suffix.lower() not in DOCUMENT_SUFFIXES:
        return usage_error(
            f"❌ 无法导入“{name}”：请发送 txt、docx、pdf 或 html 格式的规划文件。",
            f'Cannot import "{name}": send a txt, docx, pdf or html document.',
        )
    limit = ctx.deps.settings.max_document_bytes
    try:
        response = httpx.get(
            url, headers={"Authorization": f"Bearer {token}"}, timeout=ctx.deps.settings.url_timeout_seconds
        )
        response.raise_for_status()
    except httpx.HTTPError as error:
        log.warning("download of a shared file failed: %s", type(error).__name__, extra={"file": name})
        return usage_error(
            f"❌ 下载“{name}”失败，请重新发送。", f'Downloading "{name}" failed; send it again.'
        )
    if len(response.content) > limit:
        return usage_error(
            f"❌ “{name}”超过 {ctx.deps.settings.max_document_mb:g} MB 上限。",
            f'"{name}" is larger than {ctx.deps.settings.max_document_mb:g} MB.',
        )
    from ingest.load import load_source

    with tempfile.TemporaryDirectory(prefix="planbot-") as directory:
        path = Path(directory) / Path(name).name
        path.write_bytes(response.content)
        try:
            loaded = load_source(str(path), max_bytes=limit)
        except DocumentError as error:
            return usage_error(f"❌ 无法读取“{name}”：{error.zh}", f'Could not read "{name}": {error.en}')
        return admin.ingest_loaded(ctx, loaded)
