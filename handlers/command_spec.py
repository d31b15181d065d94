"""What a /plan subcommand is: its parameters and their kinds, and the table every subcommand is declared in.

handlers.commands declares the subcommands (with `@subcommand`) and parses text against them; this module
holds only the shapes, so the declarations and the parser read one small vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handlers.replies import Reply

# Parameter kinds. Each reads tokens from the front of the argument list (REST kinds take the remainder).
DEPARTMENT = "department"  # REST: a department name, any alias
PERIOD = "period"  # one token of time words: 30天, 本月, 本季度, 今年, 2025年
TEXT = "text"  # REST: free text (search words, a progress note)
TASK_ID = "task_id"  # one token: 12 or #12
PERCENT = "percent"  # the last token when it ends with %: 60%
CHANNEL = "channel"  # one token: <#C123|name>, as Slack escapes a channel
USER = "user"  # one token: <@U123|name>, as Slack escapes a user
SOURCE = "source"  # one token: an http(s) URL (or a path, in the console)
TOPIC = "topic"  # REST: a subcommand name, for 帮助

REST_KINDS = (DEPARTMENT, TEXT, TOPIC)
POST_WORDS = ("公开", "post", "--post")  # a coordinator asks for the answer to be posted in the channel


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    required: bool
    zh: str  # how help shows it: 部门, ID, 说明

    @property
    def usage(self) -> str:
        return self.zh if self.required else f"[{self.zh}]"


# Slack's <#C…|name> and <@U…> mentions, and what to say when a word is neither
MENTIONS = {
    CHANNEL: (
        r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>",
        "“{word}”不是频道。请输入 # 后从弹出列表中选择频道。",
        '"{word}" is not a channel. Type # and pick the channel from the list.',
    ),
    USER: (
        r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>",
        "“{word}”不是 Slack 用户。请输入 @ 后从弹出列表中选择。",
        '"{word}" is not a Slack user. Type @ and pick the person from the list.',
    ),
}
# how a missing argument is named in the English half of an answer
PARAM_WORDS = {
    "text": "keyword",
    "task_id": "task id",
    "note": "note",
    "user": "@user",
    "source": "web address",
}


@dataclass(frozen=True)
class Subcommand:
    key: str
    zh: str
    en: str
    params: tuple[Param, ...]
    run: Callable[..., Reply]
    coordinators_only: bool = False
    slow: bool = False  # answered after the ack, with a "working on it" note first
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.zh, self.en, *self.aliases)

    @property
    def usage(self) -> str:
        params = " ".join(param.usage for param in self.params)
        return f"/plan {self.zh}|{self.en} {params}".rstrip()

    @property
    def summary(self) -> str:
        return (self.run.__doc__ or "").strip().splitlines()[0]

    @property
    def help(self) -> str:
        return (self.run.__doc__ or "").strip()


@dataclass(frozen=True)
class ParsedCommand:
    subcommand: Subcommand
    args: dict[str, Any] = field(default_factory=dict)
    post: bool = False
    text: str = ""  # the command as typed without the post word: re-run for other pages


TABLE: list[Subcommand] = []


def subcommand(
    zh: str,
    en: str,
    *params: Param,
    coordinators_only: bool = False,
    slow: bool = False,
    aliases: tuple[str, ...] = (),
) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
    """Declare a subcommand; the decorated function's docstring is its help text."""

    def declare(run: Callable[..., Reply]) -> Callable[..., Reply]:
        TABLE.append(Subcommand(run.__name__, zh, en, params, run, coordinators_only, slow, aliases))
        return run

    return declare


def find(name: str) -> Subcommand | None:
    folded = name.strip().lower()
    for entry in TABLE:
        if folded in (n.lower() for n in entry.names):
            return entry
    return None
