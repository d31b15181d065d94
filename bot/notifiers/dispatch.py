"""The dispatcher: sends pending deliveries through the notifiers, exactly once, as fast as the limits allow.

1. Recover: deliveries left `sending` by a dead process (their lease ran out) are looked up on the platform by
   their key (Slack history); found ones are recorded as sent, the rest are sent now. Robots cannot be asked,
   so theirs are sent again.
2. Claim due `pending` rows (leased as `sending` before any call, in one transaction), queue them per target
   and send: many targets at once on a thread pool, each target paced to its platform's limit, a 429's
   Retry-After honoured, 5xx and timeouts retried with exponential backoff. What still fails after
   `attempts_per_run` goes back to pending for a later run; permanent errors fail the delivery and tell the
   coordinators through a delivery of their own.
3. Record results in batches (one transaction per batch), from the dispatching thread only.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.notifiers import FAILED, RETRY, SENT, UNKNOWN, Notifier, SendOutcome, TargetPacer
from storage import reminder_queries
from storage.reminder_queries import ClaimedDelivery

log = logging.getLogger(__name__)

FAILURE_RULE = "delivery-failed"


@dataclass
class DispatchReport:
    sent: int = 0
    recovered: int = 0  # found already sent on the platform after a crash: recorded, not resent
    failed: int = 0
    deferred: int = 0  # transient trouble: back to pending for a later run
    rate_limited: int = 0  # 429 answers seen
    errors: list[str] = field(default_factory=list)


@dataclass
class DispatchOptions:
    workers: int = 8
    batch: int = 20_000  # claimed at once: a large batch lets every channel's first message go out first
    max_batches: int = 100
    lease: timedelta = timedelta(minutes=30)
    attempts_per_run: int = 5
    backoff_base: float = 1.0  # seconds: 1, 2, 4, 8 … between attempts after a 5xx or timeout
    backoff_max: float = 60.0
    retry_later: timedelta = timedelta(minutes=5)
    pace_margin: float = 0.03
    record_every: int = 200
    coordinator_targets: tuple[str, ...] = ()


class Dispatcher:
    def __init__(
        self,
        *,
        session_factory: Callable[[], object],
        notifier: Notifier,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        sleeper: Callable[[float], None] = time.sleep,
        options: DispatchOptions | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.notifier = notifier
        self.clock = clock
        self.monotonic = monotonic
        self.sleeper = sleeper
        self.options = options or DispatchOptions()
        self.pacer = TargetPacer(self.options.pace_margin)

    # -- the run ------------------------------------------------------------------------------------------

    def run_once(self) -> DispatchReport:
        report = DispatchReport()
        with self.session_factory() as session:
            abandoned = reminder_queries.claim_abandoned(
                session=session, now=self.clock(), lease=self.options.lease, limit=self.options.batch
            )
            to_send = self._recover(session, abandoned, report)
            # batch after batch until nothing is due; failure notices inserted on the way go out in this run too
            for _ in range(self.options.max_batches):
                to_send += reminder_queries.claim_pending(
                    session=session, now=self.clock(), lease=self.options.lease, limit=self.options.batch
                )
                if not to_send:
                    break
                self._send_all(session, to_send, report)
                to_send = []
        return report

    def _recover(
        self, session, abandoned: list[ClaimedDelivery], report: DispatchReport
    ) -> list[ClaimedDelivery]:
        if hasattr(self.notifier, "by_platform"):
            for notifier in self.notifier.by_platform.values():
                getattr(notifier, "forget_history", lambda: None)()
        resend: list[ClaimedDelivery] = []
        found: list[tuple[int, str | None]] = []
        for delivery in abandoned:
            try:
                ts = self.notifier.find_sent(delivery.target, delivery.key)
            except Exception as error:
                # history unreadable: resending could duplicate, so the row stays `sending` under the new
                # lease the claim gave it, and the next recovery after that lease asks again
                log.warning("cannot check %s for delivery %s: %s", delivery.target, delivery.id, error)
                continue
            if ts is None or ts is UNKNOWN:
                resend.append(delivery)
            else:
                found.append((delivery.id, str(ts)))
        reminder_queries.mark_sent(session=session, sent=found, now=self.clock())
        report.recovered += len(found)
        return resend

    def _send_all(self, session, deliveries: list[ClaimedDelivery], report: DispatchReport) -> None:
        by_target: dict[str, deque[ClaimedDelivery]] = {}
        for delivery in deliveries:
            by_target.setdefault(delivery.target, deque()).append(delivery)
        order = itertools.count()
        ready: list[tuple[float, int, str]] = []
        now = self.monotonic()
        for target in by_target:
            heapq.heappush(
                ready,
                (self.pacer.next_free(target, self.notifier.rate_limits(target), now), next(order), target),
            )
        attempts: dict[int, int] = {}
        sent_batch: list[tuple[int, str | None]] = []
        results: queue.Queue[tuple[str, ClaimedDelivery, SendOutcome]] = queue.Queue()
        workers = max(1, self.options.workers)
        pool = ThreadPoolExecutor(workers, thread_name_prefix="planbot-send") if workers > 1 else None
        in_flight = 0

        def attempt(target: str, delivery: ClaimedDelivery) -> None:
            try:
                outcome = self.notifier.send(target, delivery.text, delivery_key=delivery.key)
            except Exception as error:  # a notifier bug must not lose the delivery: retry later
                outcome = SendOutcome(RETRY, error=f"{type(error).__name__}: {error}")
            results.put((target, delivery, outcome))

        def settle(target: str, delivery: ClaimedDelivery, outcome: SendOutcome) -> None:
            queue_of_target = by_target[target]
            at = self.monotonic()
            if outcome.status == SENT:
                queue_of_target.popleft()
                sent_batch.append((delivery.id, outcome.message_ts))
                report.sent += 1
            elif outcome.status == FAILED:
                queue_of_target.popleft()
                self._fail(session, delivery, outcome.error or "failed", report)
            else:
                count = attempts[delivery.id] = attempts.get(delivery.id, 0) + 1
                if outcome.retry_after is not None:
                    report.rate_limited += 1
                    self.pacer.block(target, at + outcome.retry_after)
                else:
                    delay = min(self.options.backoff_max, self.options.backoff_base * 2 ** (count - 1))
                    self.pacer.block(target, at + delay)
                if count >= self.options.attempts_per_run:
                    queue_of_target.popleft()
                    reminder_queries.mark_retry(
                        session=session,
                        delivery_id=delivery.id,
                        error=outcome.error or "retry",
                        retry_at=self.clock() + self.options.retry_later,
                    )
                    report.deferred += 1
            if queue_of_target:
                limits = self.notifier.rate_limits(target)
                heapq.heappush(ready, (self.pacer.next_free(target, limits, at), next(order), target))
            if len(sent_batch) >= self.options.record_every:
                self._record(session, sent_batch)

        try:
            while ready or in_flight:
                now = self.monotonic()
                while ready and ready[0][0] <= now and in_flight < workers:
                    _, _, target = heapq.heappop(ready)
                    delivery = by_target[target][0]
                    self.pacer.record(target, self.notifier.rate_limits(target), now)
                    if pool is None:
                        attempt(target, delivery)
                        settle(*results.get_nowait())
                    else:
                        in_flight += 1
                        pool.submit(attempt, target, delivery)
                if in_flight:
                    wait = max(0.0, ready[0][0] - self.monotonic()) if ready and in_flight < workers else None
                    try:
                        settled = [results.get(timeout=wait)]
                    except queue.Empty:
                        continue
                    while True:
                        try:
                            settled.append(results.get_nowait())
                        except queue.Empty:
                            break
                    for item in settled:
                        in_flight -= 1
                        settle(*item)
                elif ready:
                    if sent_batch:
                        self._record(session, sent_batch)
                    pause = ready[0][0] - self.monotonic()
                    if pause > 0:
                        self.sleeper(pause)
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
            while not results.empty():  # sends that finished while we were unwinding still count
                settle(*results.get_nowait())
            self._record(session, sent_batch)

    def _record(self, session, sent_batch: list[tuple[int, str | None]]) -> None:
        reminder_queries.mark_sent(session=session, sent=list(sent_batch), now=self.clock())
        sent_batch.clear()

    def _fail(self, session, delivery: ClaimedDelivery, error: str, report: DispatchReport) -> None:
        reminder_queries.mark_failed(session=session, delivery_id=delivery.id, error=error)
        report.failed += 1
        report.errors.append(f"{delivery.target}: {error}")
        if delivery.key.startswith(FAILURE_RULE + "|"):
            return  # a notice about a failure that itself failed: telling someone again would loop
        reminder_queries.insert_failure_notices(
            session=session,
            delivery_id=delivery.id,
            failed_target=delivery.target,
            error=error,
            reminder_text=delivery.text,
            targets=self.options.coordinator_targets,
            now=self.clock(),
        )
