"""What every handler is given: the dependencies, an open session, who is asking, and today's date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.deps import Deps
from handlers.permissions import Actor


@dataclass
class CommandContext:
    deps: Deps
    session: Session
    actor: Actor
    today: date  # in the configured timezone (Asia/Shanghai): a deadline is a local date
    channel_id: str | None = None
    page: int = 0
    text: str = ""  # the command as typed, re-run by pager buttons
    group_coordinators: frozenset[str] = field(default_factory=frozenset)
    local_paths: bool = False  # may `/plan 导入` read a path on this machine (console only)


def local_today(deps: Deps) -> date:
    return deps.clock().astimezone(ZoneInfo(deps.settings.timezone)).date()
