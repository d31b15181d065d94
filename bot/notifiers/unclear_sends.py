"""Settling a send whose outcome is unclear (a 5xx, a dropped connection, a timeout after Slack took it):
look for its delivery key in the target's history, joining the channel when the history is closed to us.

The dispatcher (bot.notifiers.dispatch) resends only what is not found, and keeps as `uncertain` what cannot
be looked up at all, so that a message is neither sent twice nor lost without a word.
"""

from __future__ import annotations

import logging

from bot.notifiers import RETRY, SENT, UNKNOWN, Notifier, SendOutcome

log = logging.getLogger(__name__)

UNCERTAIN = "uncertain"  # an outcome of our own: unclear, and the history cannot be read to settle it


def look_up(notifier: Notifier, target: str, delivery_key: str, *, fresh: bool) -> str | object | None:
    """The message ts of `delivery_key` in the target's history (None: not there). When the history cannot be
    read (`not_in_channel`), join the channel and read again; raises when even that fails."""
    try:
        if fresh:
            return notifier.find_sent(target, delivery_key, fresh=True)
        return notifier.find_sent(target, delivery_key)
    except Exception as error:
        joined = getattr(notifier, "join", lambda target: False)(target)
        log.warning("cannot read %s's history (%s)%s", target, error, "; joined it" if joined else "")
        if not joined:
            raise
        return notifier.find_sent(target, delivery_key, fresh=True)


def settle_unclear(notifier: Notifier, target: str, delivery_key: str, outcome: SendOutcome) -> SendOutcome:
    """SENT if the message is in the history, RETRY (send again after the backoff) if it is not, UNCERTAIN if
    nobody can tell."""
    try:
        ts = look_up(notifier, target, delivery_key, fresh=True)
    except Exception as error:
        return SendOutcome(UNCERTAIN, error=f"{outcome.error}; history unreadable: {error}")
    if ts is None or ts is UNKNOWN:
        return SendOutcome(RETRY, error=outcome.error)
    return SendOutcome(SENT, message_ts=str(ts))
