"""Answer each Slack event once, however often Slack delivers it.

Slack resends an event it believes was not acknowledged (X-Slack-Retry-Num), and with several
`planbot serve` processes behind one URL a retry may reach another process. A global Bolt middleware,
run after Bolt's signature check, records the event id (storage.event_receipts); a copy already recorded is
acknowledged with 200 and goes no further, so a question is never answered twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.after_ack import REDISPATCHED
from bot.deps import Deps
from storage.event_receipts import first_receipt

log = logging.getLogger(__name__)


def drop_repeated_events(deps: Deps) -> Callable[..., BoltResponse | None]:
    def middleware(
        body: dict[str, Any], context: dict[str, Any], next_: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        # a reply process re-runs the event the serving process already recorded (bot.after_ack)
        if not isinstance(event_id, str) or not event_id or context.get(REDISPATCHED):
            next_()
            return None
        with deps.session_factory() as session:
            first = first_receipt(session=session, event_id=event_id, now=deps.clock())
        if first:
            next_()
            return None
        log.info("Slack delivered event %s again; it was handled already", event_id)
        return BoltResponse(status=200, body="")

    return middleware


def register_event_dedup(app: App, deps: Deps) -> None:
    app.use(drop_repeated_events(deps))
