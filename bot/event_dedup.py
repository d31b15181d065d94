"""Answer each Slack event once, however often Slack delivers it.

Slack resends an event it believes was not acknowledged (X-Slack-Retry-Num), and with several
`planbot serve` processes behind one URL a retry may reach another process. A global Bolt middleware,
run after Bolt's signature check, records the event id (storage.event_receipts); a copy already recorded is
acknowledged with 200 and goes no further, so a question is never answered twice.

The receipt is written before the event is handled: an event whose handling fails is not handled again
when Slack retries it (at most once, by choice: a retry of a question that crashed would likely crash
again). And when the receipt cannot be written within a fraction of a second (a lock held by an ingest,
see storage.event_receipts), the event is handled without one: answering a rare retry twice is better
than an ack that misses Slack's 3 s, which would bring the retries on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from sqlalchemy.exc import OperationalError

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
        try:
            with deps.session_factory() as session:
                first = first_receipt(session=session, event_id=event_id, now=deps.clock())
        except OperationalError as error:
            log.warning(
                "event %s handled without a receipt, a retry of it may be answered again: %s", event_id, error
            )
            first = True
        if first:
            next_()
            return None
        log.info("Slack delivered event %s again; it was handled already", event_id)
        return BoltResponse(status=200, body="")

    return middleware


def register_event_dedup(app: App, deps: Deps) -> None:
    app.use(drop_repeated_events(deps))
