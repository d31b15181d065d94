"""The database's health for /healthz, reported without ever waiting on the database.

A reverse proxy asks /healthz every few seconds. If that answer ran a query, a stalled database would take
the health check down with it, and the proxy would stop sending Slack's requests to a bot that can still
acknowledge them. So the answer is the result of the last check, and a check runs in a thread of its own,
at most every `interval` seconds; a check that has not come back within `stalled_after` seconds is
reported as a stall while it is still waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text


@dataclass(frozen=True, slots=True)
class DatabaseHealth:
    ok: bool
    detail: str  # one line for a person reading the health check


class DatabaseProbe:
    """`health()` returns at once; the `SELECT 1` behind it runs in a daemon thread."""

    def __init__(
        self,
        session_factory: Callable[[], Any],
        *,
        interval: float = 5.0,
        stalled_after: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session_factory = session_factory
        self._interval = interval
        self._stalled_after = stalled_after
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._last: DatabaseHealth = DatabaseHealth(False, "checking: no answer yet")
        self._checked_at: float | None = None
        self._started_at: float | None = None  # of the check in flight, if any

    def health(self) -> DatabaseHealth:
        now = self._monotonic()
        with self._lock:
            if self._started_at is not None:
                waited = now - self._started_at
                if waited > self._stalled_after:
                    return DatabaseHealth(False, f"stalled: no answer for {waited:.0f} s")
                return self._last
            if self._checked_at is None or now - self._checked_at >= self._interval:
                self._started_at = now
                threading.Thread(target=self._check, name="planbot-db-probe", daemon=True).start()
            return self._last

    def _check(self) -> None:
        try:
            with self._session_factory() as session:
                session.execute(text("SELECT 1"))
            result = DatabaseHealth(True, "ok")
        except Exception as error:  # any failure is the answer, whatever the driver raises
            result = DatabaseHealth(False, f"error: {type(error).__name__}")
        with self._lock:
            self._last = result
            self._checked_at = self._monotonic()
            self._started_at = None
