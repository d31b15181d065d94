"""Notifiers: one per platform, each sending one message to one target and saying what happened.

A notifier makes exactly one attempt per `send` and never sleeps: pacing (per-target rate limits), waiting out
a 429's Retry-After and backing off after 5xx are the dispatcher's job (bot.notifiers.dispatch), which can
then keep a thousand channels busy at once instead of blocking on one.

Targets are "<platform>:<address>": "slack:C123" (a channel), "slack:U123" (a DM), "dingtalk:4" (a robot
binding), "console:demo".
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

SENT = "sent"
RETRY = "retry"
FAILED = "failed"
# the platform may or may not have taken the message (a 5xx, a dropped connection, a timeout): the dispatcher
# looks for it before sending again
UNCLEAR = "unclear"
UNKNOWN = object()  # find_sent's answer when the platform cannot tell whether a message went out


@dataclass(frozen=True, slots=True)
class SendOutcome:
    status: str  # SENT, RETRY (transient: try again later), FAILED (permanent) or UNCLEAR
    message_ts: str | None = None
    retry_after: float | None = None  # seconds the platform asked us to wait (429 Retry-After)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `count` messages per `period` seconds to one target."""

    count: int
    period: float


class Notifier(Protocol):
    def rate_limits(self, target: str) -> tuple[RateLimit, ...]: ...

    def send(self, target: str, text: str, *, delivery_key: str) -> SendOutcome: ...

    def find_sent(self, target: str, delivery_key: str, *, fresh: bool = False) -> str | object | None:
        """The message ts if `delivery_key` already went out to `target`, None if not, UNKNOWN if unknowable.

        Raises when the target's history cannot be read; `fresh` reads it again instead of a cached scan."""
        ...


def platform_of(target: str) -> str:
    return target.split(":", 1)[0]


def address_of(target: str) -> str:
    return target.split(":", 1)[1] if ":" in target else ""


class NotifierRouter:
    """Sends each target through the notifier of its platform; unknown platforms fail permanently."""

    def __init__(self, by_platform: Mapping[str, Notifier]) -> None:
        self.by_platform = dict(by_platform)

    def _notifier(self, target: str) -> Notifier | None:
        return self.by_platform.get(platform_of(target))

    def rate_limits(self, target: str) -> tuple[RateLimit, ...]:
        notifier = self._notifier(target)
        return notifier.rate_limits(target) if notifier else ()

    def send(self, target: str, text: str, *, delivery_key: str) -> SendOutcome:
        notifier = self._notifier(target)
        if notifier is None:
            return SendOutcome(FAILED, error=f"no notifier configured for {platform_of(target)!r}")
        return notifier.send(target, text, delivery_key=delivery_key)

    def find_sent(self, target: str, delivery_key: str, *, fresh: bool = False) -> str | object | None:
        notifier = self._notifier(target)
        if notifier is None:
            return UNKNOWN
        if fresh and hasattr(notifier, "join"):  # only Slack reads history; robots answer UNKNOWN anyway
            return notifier.find_sent(target, delivery_key, fresh=True)
        return notifier.find_sent(target, delivery_key)

    def join(self, target: str) -> bool:
        """Join `target` so that its history can be read (Slack channels); False where that is not possible."""
        join = getattr(self._notifier(target), "join", None)
        return bool(join(target)) if join else False

    def use_webhooks(self, webhooks: Mapping[str, str]) -> None:
        """Add robot webhooks ("dingtalk:4" -> URL) from the channel bindings, which change while the bot runs."""
        for target, url in webhooks.items():
            known = getattr(self.by_platform.get(platform_of(target)), "webhooks", None)
            if isinstance(known, dict):
                known[target] = url


class TargetPacer:
    """When each target may receive its next message, from sliding windows of its recent sends.

    Times are monotonic seconds from an injected clock. `margin` keeps us a little inside the limit, because
    the platform measures arrival times and ours are send times.
    """

    def __init__(self, margin: float = 0.0) -> None:
        self.margin = margin
        self._sent: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}

    def next_free(self, target: str, limits: tuple[RateLimit, ...], now: float) -> float:
        ready = max(now, self._blocked_until.get(target, now))
        history = self._sent.get(target)
        if history:
            for limit in limits:
                if len(history) >= limit.count:
                    ready = max(ready, history[-limit.count] + limit.period * (1 + self.margin))
        return ready

    def record(self, target: str, limits: tuple[RateLimit, ...], at: float) -> None:
        keep = max((limit.count for limit in limits), default=1)
        history = self._sent.setdefault(target, deque(maxlen=keep))
        history.append(at)

    def block(self, target: str, until: float) -> None:
        """The platform said wait (Retry-After): nothing goes to this target before `until`."""
        self._blocked_until[target] = max(until, self._blocked_until.get(target, until))
