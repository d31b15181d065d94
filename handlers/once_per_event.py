"""Handle a Slack event once across processes and restarts: its receipt is written before its work runs.

This runs after the ack, in the work a listener queues (bot.after_ack), so that the ack never waits on the
database; bot.event_dedup drops the retries one process sees from memory, and this drops the rest: a retry
that reached another `planbot serve` behind the same URL, or this one after a restart.

At most once, by choice: an event whose work fails is not handled again when Slack retries it (a question
that crashed the handler would most likely crash it again). When the receipt cannot be written (a lock held
too long, the database down), the event is handled anyway: a rare retry answered twice is better than a
question never answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from storage.event_receipts import first_receipt

log = logging.getLogger(__name__)
Job = Callable[[], None]


def once_per_event(
    job: Job, *, payload: dict[str, Any], session_factory: Callable[[], Any], clock: Callable[[], Any]
) -> Job:
    """`job`, guarded by the event's receipt when `payload` is an event with an id; else `job` itself."""
    event_id = payload.get("event_id") if payload.get("type") == "event_callback" else None
    if not isinstance(event_id, str) or not event_id:
        return job

    def guarded() -> None:
        try:
            with session_factory() as session:
                first = first_receipt(session=session, event_id=event_id, now=clock())
        except SQLAlchemyError as error:
            log.warning(
                "event %s handled without a receipt, a retry of it may be answered again: %s", event_id, error
            )
            first = True
        if not first:
            log.info("Slack delivered event %s again; it was handled already", event_id)
            return
        job()

    return guarded
