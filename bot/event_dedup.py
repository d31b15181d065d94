"""Answer each Slack event once, however often Slack delivers it, without the ack waiting on the database.

Slack resends an event it believes was not acknowledged (X-Slack-Retry-Num), and with several
`planbot serve` processes behind one URL a retry may reach another process. Two guards share the job:

- here, at the door: a global Bolt middleware, run after Bolt's signature check, remembers the event ids this
  process took in the last hour, in memory. A copy already taken is acknowledged with 200 and goes no
  further. Nothing here touches the database, so an event's ack takes the same milliseconds whether the
  database answers, stalls or hangs; a database that never answered used to hold every server thread.
- in the work after the ack (handlers.once_per_event): the event id is recorded in the database before the
  event is handled, so a retry that reached another process, or this one after a restart, is dropped there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.after_ack import REDISPATCHED

log = logging.getLogger(__name__)
# Slack gives up retrying after about an hour; the ids of an hour fit in memory (a busy office sends a few
# thousand events a day), and the cap bounds it whatever arrives.
REMEMBER_SECONDS = 3600.0
REMEMBER_AT_MOST = 50_000


class RecentEvents:
    """Event ids taken in the last `REMEMBER_SECONDS`, oldest first; thread-safe."""

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._taken: OrderedDict[str, float] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        """Remember `event_id`; True unless it was taken within the hour."""
        now = self._monotonic()
        with self._lock:
            while self._taken and (
                len(self._taken) >= REMEMBER_AT_MOST
                or now - next(iter(self._taken.values())) > REMEMBER_SECONDS
            ):
                self._taken.popitem(last=False)
            if event_id in self._taken:
                return False
            self._taken[event_id] = now
            return True


def drop_repeated_events(recent: RecentEvents) -> Callable[..., BoltResponse | None]:
    def middleware(
        body: dict[str, Any], context: dict[str, Any], next_: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        # a reply process re-runs the event the serving process already took (bot.after_ack)
        if not isinstance(event_id, str) or not event_id or context.get(REDISPATCHED):
            next_()
            return None
        if recent.first_time(event_id):
            next_()
            return None
        log.info("Slack delivered event %s again; this process took it already", event_id)
        return BoltResponse(status=200, body="")

    return middleware


def register_event_dedup(app: App) -> None:
    app.use(drop_repeated_events(RecentEvents()))
