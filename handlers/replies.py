"""What a handler answers, before any platform decides how it looks.

Handlers return a `Reply`; handlers.rendering turns it into Block Kit for Slack or plain text for the console.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.task_pages import TaskSummary

PAGE_SIZE = 5


@dataclass(frozen=True)
class Page:
    """Where a paginated list stands, and the command that produced it (re-run for the next page)."""

    number: int  # from 0
    size: int
    total: int
    command: str
    query_id: int | None = None  # the command as stored (storage.page_queries) when a button cannot hold it

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.count


@dataclass(frozen=True)
class FileUpload:
    filename: str
    content: bytes
    title: str


@dataclass(frozen=True)
class CommandButton:
    """A button that runs a /plan command for whoever presses it (the router checks who may)."""

    label: str
    command: str  # without /plan: "核对 确认 3"
    style: str | None = None  # "primary" | "danger"
    # a listener of its own (one that opens a modal) instead of running the command
    action: str | None = None


@dataclass
class Reply:
    headline: str
    tasks: list[TaskSummary] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    page: Page | None = None
    public: bool = False  # post in the channel for everyone (coordinators only); ephemeral otherwise
    ok: bool = True  # False for refusals and usage errors
    suggestions: list[str] = field(default_factory=list)  # commands to try next, shown verbatim
    detailed: bool = False  # show each task's source sentence (the 详情 view)
    task_buttons: bool = True
    upload: FileUpload | None = None
    home_buttons: bool = False
    command_buttons: list[CommandButton] = field(default_factory=list)


def usage_error(zh: str, en: str, *suggestions: str) -> Reply:
    return Reply(headline=f"{zh}\n{en}", ok=False, suggestions=list(suggestions))
