"""Prints reminders to a stream: the notifier of `planbot demo` and of a bot without Slack."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.notifiers import SENT, RateLimit, SendOutcome, address_of


class ConsoleNotifier:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.sent: dict[str, str] = {}  # delivery key -> a made-up message id, for find_sent

    def rate_limits(self, target: str) -> tuple[RateLimit, ...]:
        return ()

    def send(self, target: str, text: str, *, delivery_key: str) -> SendOutcome:
        stream = self.stream or sys.stdout
        stream.write(f"── 发往 / to {address_of(target) or target} ──\n{text}\n\n")
        stream.flush()
        message_id = f"console-{len(self.sent) + 1}"
        self.sent[delivery_key] = message_id
        return SendOutcome(SENT, message_ts=message_id)

    def find_sent(self, target: str, delivery_key: str, *, fresh: bool = False) -> str | None:
        return self.sent.get(delivery_key)
