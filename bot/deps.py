"""The few things every part of the bot needs, passed in rather than reached for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.settings import Settings

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    settings: Settings
    session_factory: Callable[[], Any]  # returns a sqlmodel.Session
    clock: Clock = system_clock
    slack_client: Any | None = None  # slack_sdk.WebClient
    notifier: Any | None = None
