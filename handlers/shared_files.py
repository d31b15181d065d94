"""Documents a coordinator shares with planbot in a DM: download each with the bot token, then import it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.deps import Deps
from handlers import admin
from handlers.context import CommandContext, local_today
from handlers.permissions import coordinator_only, resolve_actor
from handlers.replies import Reply, usage_error
from handlers.router import Asker, failure_reply
from handlers.slack_text import escape
from ingest.errors import DocumentError

log = logging.getLogger(__name__)
SLACK_FILE_HOST = "files.slack.com"  # url_private_download points there; the bot token goes nowhere else
DOCUMENT_SUFFIXES = (
    *(".txt", ".docx", ".doc", ".pdf", ".html", ".htm", ".wps", ".ofd"),
    *(".xlsx", ".xls", ".et", ".ods", ".csv"),  # division tables
)


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
        # each imported document's review card: what needs a second look, and its confirm/list/discard buttons
        lines=[line for reply in replies for line in reply.lines],
        command_buttons=[button for reply in replies for button in reply.command_buttons],
        ok=all(r.ok for r in replies),
        task_buttons=False,
    )


def _ingest_one(ctx: CommandContext, shared: dict[str, Any], token: str) -> Reply:
    name = str(shared.get("name") or "document.txt")
    shown = escape(name)  # a file name is the sender's text: it goes into replies escaped
    url = shared.get("url_private_download") or shared.get("url_private")
    if not url or Path(name).suffix.lower() not in DOCUMENT_SUFFIXES:
        return usage_error(
            f"❌ 无法导入“{shown}”：请发送 txt、docx、pdf、html 或 ofd 格式的规划文件，或 xlsx、xls、et、csv 分工表。",
            f'Cannot import "{shown}": send a txt, docx, pdf, html or ofd document, or an xlsx, xls, et or csv table.',
        )
    settings = ctx.deps.settings
    limit = settings.max_document_bytes
    too_large = usage_error(
        f"❌ “{shown}”超过 {settings.max_document_mb:g} MB 上限。请压缩或拆分后再发送，或请管理员调整 PLANBOT_MAX_DOCUMENT_MB。",
        f'"{shown}" is larger than {settings.max_document_mb:g} MB. Split it, or ask for PLANBOT_MAX_DOCUMENT_MB.',
    )
    if int(shared.get("size") or 0) > limit:
        return too_large  # refused before a byte is downloaded
    if not _trusted_host(url, settings.slack_api_url):
        # the bot token goes only to Slack (or the configured API proxy), never to a host a payload names
        log.warning("shared file on an unexpected host refused", extra={"file": name})
        return usage_error(f"❌ 无法下载“{shown}”：文件不在 Slack 上。", f'Cannot download "{shown}": it is not on Slack.')
    try:
        content = _download(url, token=token, limit=limit, timeout=settings.url_timeout_seconds)
    except httpx.HTTPError as error:
        log.warning("download of a shared file failed: %s", type(error).__name__, extra={"file": name})
        return usage_error(
            f"❌ 下载“{shown}”失败，请重新发送。", f'Downloading "{shown}" failed; send it again.'
        )
    if content is None:
        return too_large
    from ingest.load import loaded_from_bytes

    try:
        loaded = loaded_from_bytes(name, content, name=name, content_type=None)
    except DocumentError as error:
        return usage_error(f"❌ 无法读取“{shown}”：{error.zh}", f'Could not read "{shown}": {error.en}')
    return admin.ingest_loaded(ctx, loaded)


def _trusted_host(url: str, api_url: str | None) -> bool:
    """Whether the bot token may go with a request to `url`: Slack's file host over https, on its own port,
    or exactly the origin of SLACK_API_URL (a proxy in front of Slack, or the tests' fake Slack)."""
    origin = _origin(url)
    if origin == ("https", SLACK_FILE_HOST, 443):
        return True
    return bool(api_url) and origin is not None and origin == _origin(api_url or "")


def _origin(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:  # a port that is not a number
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return None
    return parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def _download(url: str, *, token: str, limit: int, timeout: float) -> bytes | None:
    """The file's bytes, or None once it passes `limit` (the rest is never read)."""
    received = bytearray()
    # no redirect is followed: the token must not travel on to wherever a redirect points
    with httpx.stream(
        "GET", url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout, follow_redirects=False
    ) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            received.extend(chunk)
            if len(received) > limit:
                return None
    return bytes(received)
