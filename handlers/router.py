"""Runs what the parser understood: opens a session, works out who is asking, checks permission, calls the handler.

The Slack and console adapters both come here, so a command behaves the same in either. Nothing a user types
can raise through this module: failures are logged with their context and answered with an apology.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.deps import Deps
from handlers import question
from handlers.commands import ParsedCommand, find, parse, split_words
from handlers.context import CommandContext, local_today
from handlers.permissions import Actor, coordinator_only, resolve_actor
from handlers.replies import Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asker:
    """Who is asking and where; group_coordinators comes from the Slack user group, looked up by the adapter."""

    user_id: str
    channel_id: str | None = None
    group_coordinators: frozenset[str] = field(default_factory=frozenset)
    # the console runs on the server itself, so `/plan 导入` may name a local path there and nowhere else
    local_paths: bool = False


def run_text(deps: Deps, asker: Asker, text: str, *, page: int = 0) -> Reply:
    """`/plan` text -> Reply (usage errors included)."""
    parsed = parse(text, local_today(deps))
    if isinstance(parsed, Reply):
        return parsed
    return execute(deps, asker, parsed, page=page)


def execute(deps: Deps, asker: Asker, parsed: ParsedCommand, *, page: int = 0) -> Reply:
    try:
        with deps.session_factory() as session:
            actor = resolve_actor(
                session=session,
                settings=deps.settings,
                user_id=asker.user_id,
                group_coordinators=asker.group_coordinators,
            )
            entry = parsed.subcommand
            if entry.coordinators_only and not actor.is_coordinator:
                return coordinator_only(
                    session=session,
                    settings=deps.settings,
                    what_zh=f"使用“{entry.zh}”",
                    what_en=f'use "{entry.en}"',
                )
            context = CommandContext(
                deps=deps,
                session=session,
                actor=actor,
                today=local_today(deps),
                channel_id=asker.channel_id,
                page=page,
                text=parsed.text,
                group_coordinators=asker.group_coordinators,
                local_paths=asker.local_paths,
            )
            reply = entry.run(context, **parsed.args)
            return _apply_post(reply, parsed, actor)
    except Exception:
        log.exception(
            "command failed",
            extra={"user_id": asker.user_id, "subcommand": parsed.subcommand.en, "page": page},
        )
        return failure_reply()


def answer_message(deps: Deps, asker: Asker, text: str) -> Reply:
    """A mention or a DM: a subcommand when it starts with one, otherwise a question in Chinese."""
    words = split_words(text)
    if words and find(words[0].lstrip("/")) is not None:
        return run_text(deps, asker, " ".join([words[0].lstrip("/"), *words[1:]]))
    if words and words[0] == "/plan":
        return run_text(deps, asker, " ".join(words[1:]))
    try:
        with deps.session_factory() as session:
            actor = resolve_actor(
                session=session,
                settings=deps.settings,
                user_id=asker.user_id,
                group_coordinators=asker.group_coordinators,
            )
            context = CommandContext(
                deps=deps,
                session=session,
                actor=actor,
                today=local_today(deps),
                channel_id=asker.channel_id,
                group_coordinators=asker.group_coordinators,
            )
            return question.answer(context, text)
    except Exception:
        log.exception("question failed", extra={"user_id": asker.user_id, "length": len(text)})
        return failure_reply()


def actor_for(deps: Deps, asker: Asker) -> Actor:
    with deps.session_factory() as session:
        return resolve_actor(
            session=session,
            settings=deps.settings,
            user_id=asker.user_id,
            group_coordinators=asker.group_coordinators,
        )


def failure_reply() -> Reply:
    return Reply(
        headline="😵 处理时出错了，已记录日志。请稍后再试；若一再出现，请告诉规划办协调员。\n"
        "Something went wrong and was logged. Try again later, or tell a coordinator if it keeps happening.",
        ok=False,
    )


def _apply_post(reply: Reply, parsed: ParsedCommand, actor: Actor) -> Reply:
    if not parsed.post:
        return reply
    if actor.is_coordinator:
        reply.public = True
    else:
        reply.headline += "\n（只有协调员可以把结果公开发到频道，此结果仅你可见。 Only coordinators may post answers to the channel.）"
    return reply
