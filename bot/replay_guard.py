"""A signed Slack request is accepted once: the same (timestamp, signature) pair sent again is refused.

Bolt checks the signature and refuses a timestamp more than five minutes from now, but within those five
minutes whoever captured a request (a proxy's log, a shared screen) could send it again: a `/plan 完成 12` or
a 标记完成 click would then run twice. Each pair is remembered until Bolt would refuse its timestamp anyway.
The request's own signed timestamp says when that is, so no clock is needed.

Events are left to bot.event_dedup, which recognises Slack's retries by event id and acknowledges them.
Requests that Bolt re-dispatches inside a reply process (bot.after_ack) carry no signature and pass.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse

log = logging.getLogger(__name__)

# Bolt refuses a timestamp more than 300 s from its clock, either way: a pair whose timestamp is 600 s behind
# the newest one seen can no longer pass Bolt, and is forgotten.
REMEMBER_SECONDS = 600


class SeenSignatures:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: OrderedDict[tuple[int, str], None] = OrderedDict()  # in order of arrival
        self._newest = 0

    def first_time(self, timestamp: int, signature: str) -> bool:
        """True the first time a pair is offered; False for a replay."""
        key = (timestamp, signature)
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = None
            self._newest = max(self._newest, timestamp)
            self._forget_before(self._newest - REMEMBER_SECONDS)
            return True

    def __len__(self) -> int:
        return len(self._seen)

    def _forget_before(self, oldest: int) -> None:
        # arrivals are nearly in timestamp order: stop at the first pair still young enough (O(1) per request)
        while self._seen:
            stamp, _signature = next(iter(self._seen))
            if stamp >= oldest:
                break
            self._seen.popitem(last=False)


def refuse_replays(seen: SeenSignatures) -> Callable[..., BoltResponse | None]:
    def middleware(req: BoltRequest, next_: Callable[[], None]) -> BoltResponse | None:
        signature = (req.headers.get("x-slack-signature") or [""])[0]
        stamp = (req.headers.get("x-slack-request-timestamp") or [""])[0]
        if req.mode == "socket_mode" or not signature or req.body.get("type") == "event_callback":
            next_()
            return None
        try:
            timestamp = int(stamp)
        except ValueError:
            timestamp = 0
        if seen.first_time(timestamp, signature):
            next_()
            return None
        log.warning("a signed request was sent again and refused (timestamp %s)", stamp)
        return BoltResponse(status=401, body={"error": "replayed request"})

    return middleware


def register_replay_guard(app: App) -> SeenSignatures:
    seen = SeenSignatures()
    app.use(refuse_replays(seen))
    return seen
