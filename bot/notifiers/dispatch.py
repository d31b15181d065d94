"""The dispatcher: sends pending deliveries through the notifiers, exactly once, as fast as the limits allow.

1. Recover: deliveries left `sending` by a dead process (their lease ran out) are looked up on the platform by
   their key (Slack history); found ones are recorded as sent, the rest are sent now. Robots cannot be asked,
   so theirs are sent again (their one known duplicate window: a robot that took a message and died before
   answering). Where the history cannot be read, the bot joins the channel; if that fails too, the delivery
   is kept as `uncertain` and the coordinators are told: never dropped silently, never resent blindly.
2. Claim due `pending` rows (leased as `sending` before any call, in one transaction), queue them per target
   and send: many targets at once on a thread pool, each target paced to its platform's limit, a 429's
   Retry-After honoured, 5xx and timeouts retried with exponential backoff. A send whose outcome is unclear
   (5xx, timeout, dropped connection: Slack may have posted it) is looked up in the history, as in recovery,
   before it is sent again. What still fails after
   `attempts_per_run` goes back to pending for a later run; permanent errors fail the delivery and tell the
   coordinators through a delivery of their own.
3. Record what was sent in batches (one transaction per batch) on a recorder thread, so the database never
   holds up the next sends.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.notifiers import FAILED, RETRY, SENT, UNCLEAR, UNKNOWN, Notifier, SendOutcome, TargetPacer
from bot.notifiers.unclear_sends import UNCERTAIN, look_up, settle_unclear
from storage import reminder_queries
from storage.reminder_queries import ClaimedDelivery

log = logging.getLogger(__name__)

FAILURE_RULE = "delivery-failed"
UNCERTAIN_RULE = "delivery-uncertain"


@dataclass
class DispatchReport:
    sent: int = 0
    recovered: int = 0  # found already sent on the platform after a crash: recorded, not resent
    failed: int = 0
    deferred: int = 0  # transient trouble: back to pending for a later run
    uncertain: int = 0  # outcome unknown and uncheckable: kept as `uncertain`, coordinators told
    checked: int = 0  # unclear sends found in the channel's history: recorded as sent, not sent again
    rate_limited: int = 0  # 429 answers seen
    errors: list[str] = field(default_factory=list)


@dataclass
class DispatchOptions:
    workers: int = 8
    batch: int = 20_000  # claimed at a time with one worker
    claim_chunk: int = 1000  # claimed at a time by the background claimer (several workers)
    max_batches: int = 100
    lease: timedelta = timedelta(
        minutes=5
    )  # renewed every lease/3 while held; after a crash, recovery waits this long
    attempts_per_run: int = 5
    backoff_base: float = 1.0  # seconds: 1, 2, 4, 8 … between attempts after a 5xx or timeout
    backoff_max: float = 60.0
    retry_later: timedelta = timedelta(minutes=5)
    pace_margin: float = 0.03
    pace_margin_max: float = 0.10
    record_every: int = 200
    coordinator_targets: tuple[str, ...] = ()


class _Recorder:
    """Records sent deliveries in batches on a thread and a session of its own, so that writing to the
    database never holds up the next sends. Stopping it flushes what is left."""

    def __init__(
        self, session_factory: Callable[[], object], clock: Callable[[], datetime], every: int
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.every = every
        self.queue: queue.Queue[tuple[int, str | None] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="planbot-record", daemon=True)
        self.error: BaseException | None = None
        self.thread.start()

    def add(self, delivery_id: int, message_ts: str | None) -> None:
        self.queue.put((delivery_id, message_ts))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        pending: list[tuple[int, str | None]] = []
        with self.session_factory() as session:
            while True:
                try:
                    item = self.queue.get(timeout=0.2)
                except queue.Empty:
                    item = ()
                if item is None or len(pending) >= self.every or (item == () and pending):
                    self._flush(session, pending)
                if item is None:
                    return
                if item:
                    pending.append(item)

    def _flush(self, session, pending: list[tuple[int, str | None]]) -> None:
        if not pending or self.error is not None:
            return
        try:
            reminder_queries.mark_sent(session=session, sent=list(pending), now=self.clock())
        except BaseException as error:  # the rows stay `sending`: recovery finds them in Slack's history
            self.error = error
        pending.clear()


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
        self._backlog = 0  # claimed by the background claimer and not yet settled
        self._backlog_changed = threading.Condition()

    # -- the run ------------------------------------------------------------------------------------------

    def run_once(self) -> DispatchReport:
        report = DispatchReport()
        with self.session_factory() as session:
            abandoned = reminder_queries.claim_abandoned(
                session=session, now=self.clock(), lease=self.options.lease, limit=self.options.batch
            )
            to_send = self._recover(session, abandoned, report)
            if self.options.workers > 1:
                # claims go on in the background, round-robin over targets, while the first ones are sent
                events: queue.Queue[tuple] = queue.Queue()
                threading.Thread(
                    target=self._claim_all, args=(events,), name="planbot-claim", daemon=True
                ).start()
                self._send_all(session, to_send, report, events, claiming=True)
                return report
            # one thread: claim, send, claim again, until nothing is due (failure notices included)
            for _ in range(self.options.max_batches):
                to_send += reminder_queries.claim_pending(
                    session=session, now=self.clock(), lease=self.options.lease, limit=self.options.batch
                )
                if not to_send:
                    break
                self._send_all(session, to_send, report, queue.Queue(), claiming=False)
                to_send = []
        return report

    def _claim_all(self, events: queue.Queue) -> None:
        """Claim chunk after chunk while fewer than two chunks wait unsent: what we cannot send soon stays
        pending, free for another process to claim."""
        chunk = max(1, min(self.options.batch, self.options.claim_chunk))
        try:
            with self.session_factory() as session:
                for _ in range(self.options.max_batches * max(1, self.options.batch // chunk)):
                    with self._backlog_changed:
                        self._backlog_changed.wait_for(lambda: self._backlog < 2 * chunk)
                    claimed = reminder_queries.claim_pending(
                        session=session, now=self.clock(), lease=self.options.lease, limit=chunk
                    )
                    if not claimed:
                        break
                    with self._backlog_changed:
                        self._backlog += len(claimed)
                    events.put(("claimed", claimed))
        except Exception as error:  # what was not claimed stays pending for the next run
            log.warning("claiming deliveries failed: %s", error)
        finally:
            events.put(("claimed_all",))

    def _sent_one(self) -> None:
        with self._backlog_changed:
            self._backlog = max(0, self._backlog - 1)
            self._backlog_changed.notify_all()

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
                ts = self._look_up(delivery, fresh=False)
            except Exception as error:
                # history unreadable even after trying to join: resending could duplicate, waiting would
                # wait forever; keep it as uncertain and tell the coordinators
                self._uncertain(session, delivery, f"history unreadable: {error}", report)
                continue
            if ts is None or ts is UNKNOWN:
                resend.append(delivery)
            else:
                found.append((delivery.id, str(ts)))
        reminder_queries.mark_sent(session=session, sent=found, now=self.clock())
        report.recovered += len(found)
        return resend

    def _send_all(
        self,
        session,
        deliveries: list[ClaimedDelivery],
        report: DispatchReport,
        events: queue.Queue,
        *,
        claiming: bool,
    ) -> None:
        """Send `deliveries`, and those that arrive as ("claimed", batch) on `events` while `claiming`."""
        by_target: dict[str, deque[ClaimedDelivery]] = {}
        order = itertools.count()
        ready: list[tuple[float, int, str]] = []

        def add(batch: list[ClaimedDelivery]) -> None:
            now = self.monotonic()
            for delivery in batch:
                waiting = by_target.setdefault(delivery.target, deque())
                # a target with deliveries already has one entry in `ready` or one send in flight
                if not waiting:
                    limits = self.notifier.rate_limits(delivery.target)
                    heapq.heappush(
                        ready,
                        (self.pacer.next_free(delivery.target, limits, now), next(order), delivery.target),
                    )
                waiting.append(delivery)

        add(deliveries)
        attempts: dict[int, int] = {}
        recorder = _Recorder(self.session_factory, self.clock, self.options.record_every)
        results = events
        workers = max(1, self.options.workers)
        pool = ThreadPoolExecutor(workers, thread_name_prefix="planbot-send") if workers > 1 else None
        in_flight = 0

        def attempt(target: str, delivery: ClaimedDelivery) -> None:
            try:
                outcome = self.notifier.send(target, delivery.text, delivery_key=delivery.key)
            except Exception as error:  # a notifier bug must not lose the delivery: retry later
                outcome = SendOutcome(RETRY, error=f"{type(error).__name__}: {error}")
            results.put(("sent", target, delivery, outcome))

        def settle(target: str, delivery: ClaimedDelivery, outcome: SendOutcome) -> None:
            queue_of_target = by_target[target]
            before = len(queue_of_target)
            if outcome.status == UNCLEAR:
                outcome = self._after_unclear(delivery, outcome, report)
            at = self.monotonic()
            if outcome.status == SENT:
                queue_of_target.popleft()
                recorder.add(delivery.id, outcome.message_ts)
                report.sent += 1
            elif outcome.status == UNCERTAIN:
                queue_of_target.popleft()
                self._uncertain(session, delivery, outcome.error or UNCERTAIN, report)
            elif outcome.status == FAILED:
                queue_of_target.popleft()
                self._fail(session, delivery, outcome.error or "failed", report)
            else:
                count = attempts[delivery.id] = attempts.get(delivery.id, 0) + 1
                if outcome.retry_after is not None:
                    report.rate_limited += 1
                    self.pacer.block(target, at + outcome.retry_after)
                    # our sends arrived closer together than we sent them (a loaded machine or network):
                    # keep a little further inside every limit from now on
                    self.pacer.margin = min(self.options.pace_margin_max, self.pacer.margin + 0.01)
                else:
                    delay = min(self.options.backoff_max, self.options.backoff_base * 2 ** (count - 1))
                    self.pacer.block(target, at + delay)
                if count >= self.options.attempts_per_run:
                    queue_of_target.popleft()
                    # a 429 says when to come back; other trouble waits the configured pause
                    wait = (
                        timedelta(seconds=outcome.retry_after)
                        if outcome.retry_after is not None
                        else self.options.retry_later
                    )
                    reminder_queries.mark_retry(
                        session=session,
                        delivery_id=delivery.id,
                        error=outcome.error or "retry",
                        retry_at=self.clock() + wait,
                    )
                    report.deferred += 1
            if len(queue_of_target) < before:
                self._sent_one()
            if queue_of_target:
                limits = self.notifier.rate_limits(target)
                heapq.heappush(ready, (self.pacer.next_free(target, limits, at), next(order), target))

        def handle(event: tuple) -> None:
            nonlocal in_flight, claiming
            if event[0] == "sent":
                in_flight -= 1
                settle(*event[1:])
            elif event[0] == "claimed":
                add(event[1])
            else:
                claiming = False

        lease_seconds = self.options.lease.total_seconds()
        renewed_at = self.monotonic()

        try:
            while ready or in_flight or claiming:
                now = self.monotonic()
                if now - renewed_at > lease_seconds / 3:
                    # a long backlog (one busy channel, a slow robot) outlives a lease: renew what we still hold
                    held = [delivery.id for waiting in by_target.values() for delivery in waiting]
                    reminder_queries.extend_leases(
                        session=session, delivery_ids=held, until=self.clock() + self.options.lease
                    )
                    renewed_at = now
                while ready and ready[0][0] <= now and in_flight < workers:
                    _, _, target = heapq.heappop(ready)
                    delivery = by_target[target][0]
                    self.pacer.record(target, self.notifier.rate_limits(target), now)
                    in_flight += 1
                    if pool is None:
                        attempt(target, delivery)
                        handle(results.get_nowait())
                    else:
                        pool.submit(attempt, target, delivery)
                if in_flight or claiming:
                    wait = max(0.0, ready[0][0] - self.monotonic()) if ready and in_flight < workers else None
                    try:
                        handle(results.get(timeout=wait))
                    except queue.Empty:
                        continue
                    while True:
                        try:
                            handle(results.get_nowait())
                        except queue.Empty:
                            break
                elif ready:
                    pause = ready[0][0] - self.monotonic()
                    if pause > 0:
                        self.sleeper(pause)
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
            while not results.empty():  # sends that finished while we were unwinding still count
                event = results.get_nowait()
                if event[0] == "sent":
                    settle(*event[1:])
            recorder.close()

    def _look_up(self, delivery: ClaimedDelivery, *, fresh: bool) -> str | object | None:
        return look_up(self.notifier, delivery.target, delivery.key, fresh=fresh)

    def _after_unclear(
        self, delivery: ClaimedDelivery, outcome: SendOutcome, report: DispatchReport
    ) -> SendOutcome:
        settled = settle_unclear(self.notifier, delivery.target, delivery.key, outcome)
        if settled.status == SENT:
            report.checked += 1
        return settled

    def _uncertain(self, session, delivery: ClaimedDelivery, error: str, report: DispatchReport) -> None:
        reminder_queries.mark_uncertain(session=session, delivery_id=delivery.id, error=error)
        report.uncertain += 1
        report.errors.append(f"{delivery.target}: {error}")
        if delivery.key.startswith((FAILURE_RULE + "|", UNCERTAIN_RULE + "|")):
            return
        reminder_queries.insert_failure_notices(
            session=session,
            delivery_id=delivery.id,
            failed_target=delivery.target,
            error=error,
            reminder_text=delivery.text,
            targets=self.options.coordinator_targets,
            now=self.clock(),
            uncertain=True,
        )

    def _fail(self, session, delivery: ClaimedDelivery, error: str, report: DispatchReport) -> None:
        reminder_queries.mark_failed(session=session, delivery_id=delivery.id, error=error)
        report.failed += 1
        report.errors.append(f"{delivery.target}: {error}")
        if delivery.key.startswith((FAILURE_RULE + "|", UNCERTAIN_RULE + "|")):
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
