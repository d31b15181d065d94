"""Where the work after each ack runs: threads beside the server, or worker processes of their own.

A listener acks at once and hands the rest (query, rendering, the POST to the response_url) to one of these.
The answer to Slack has three seconds; the reply after it has thirty minutes. Under a burst of commands that
work is CPU-bound Python, and in the serving process it would hold the interpreter lock against the threads
that read requests and write acks: every ack then waits for the lock several times, and its latency grows
with the backlog of replies (measured by bench/slash.py: p99 over 100 ms at 2,000 commands a second).

- `ThreadedWork`: a small thread pool in the serving process. No set-up; used by tests and the console.
- `ReplyProcesses`: `planbot serve`'s choice. The raw request payload goes to worker processes that run the
  same Bolt listeners on an app of their own, so the serving process only acks. The workers run at a lower
  CPU priority: on a busy machine acks, not replies, get the cores first.
- `InlineWork`: inside a worker process, runs the work on the spot.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from bot.deps import Clock, system_clock
from bot.reply_inbox import WorkerInbox, take_next
from bot.settings import Settings

log = logging.getLogger(__name__)
Job = Callable[[], None]
# In the Bolt context of a request that a worker process dispatches again. What filters requests at the door
# (signatures, dropping Slack's retries of an event) ran in the serving process and must let it through.
REDISPATCHED = "planbot_redispatched"
# How long a stop waits for the work already acknowledged. Work stuck on a stalled database (each attempt
# gives up after storage.db.CONNECT_TIMEOUT_SECONDS) is abandoned after this, so that SIGTERM stops the server
# within 10 s whatever the database does.
STOP_WAIT_SECONDS = 4.0


class AfterAck(Protocol):
    def run(self, job: Job, *, what: str, payload: dict[str, Any]) -> None:
        """Run `job` after the ack; `payload` is the request it answers, for a process that rebuilds the job."""

    def shutdown(self, wait: bool = True) -> None: ...


def _logged(job: Job, what: str) -> None:
    try:
        job()
    except Exception:
        log.exception("work after ack failed", extra={"work": what})


class ThreadedWork:
    """A few threads in the serving process; their number caps concurrent database work.

    Daemon threads, not a ThreadPoolExecutor: the interpreter joins an executor's threads at exit, so one job
    stuck on a database that never answers would keep a stopped server alive.
    """

    def __init__(self, threads: int = 2, *, stop_wait_seconds: float = STOP_WAIT_SECONDS) -> None:
        self._jobs: queue.SimpleQueue[tuple[Job, str] | None] = queue.SimpleQueue()
        self._stop_wait_seconds = stop_wait_seconds
        self._closed = False
        self._threads = [
            threading.Thread(target=self._serve, name=f"planbot-work-{number}", daemon=True)
            for number in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def run(self, job: Job, *, what: str, payload: dict[str, Any]) -> None:
        if self._closed:
            log.warning("work after ack dropped: the work threads are shut down", extra={"work": what})
            return
        self._jobs.put((job, what))

    def _serve(self) -> None:
        while (item := self._jobs.get()) is not None:
            _logged(*item)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; with `wait`, finish what is queued, for at most `stop_wait_seconds`."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._jobs.put(None)  # after the work already queued
        if not wait:
            return
        if self.join(self._stop_wait_seconds):
            return
        dropped = 0
        with contextlib.suppress(queue.Empty):
            while True:  # what no thread has started is dropped; the threads end after their current job
                dropped += self._jobs.get_nowait() is not None
        for _ in self._threads:
            self._jobs.put(None)
        log.warning(
            "stopping with work after ack unfinished after %.0f s (is the database stalled?); %d queued jobs dropped",
            self._stop_wait_seconds,
            dropped,
        )

    def join(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the threads to end after a shutdown; True when they all have."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)


class InlineWork:
    """In a worker process the job runs where the listener runs: the ack it follows was sent elsewhere."""

    def run(self, job: Job, *, what: str, payload: dict[str, Any]) -> None:
        _logged(job, what)

    def shutdown(self, wait: bool = True) -> None:
        pass


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker process needs to build its own app; pickled, so the clock must be a module-level function."""

    settings: Settings
    clock: Clock = system_clock
    # The lowest CPU priority: on a busy machine the serving process, which acks within Slack's 3 seconds,
    # gets the cores first; replies have 30 minutes. Measured by bench/slash.py on two busy cores: ack p99
    # 68-92 ms with 19 against 81-106 ms with 10.
    niceness: int = 19
    log_level: int = logging.INFO


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    inbox: WorkerInbox  # this worker's own: a worker that dies leaves nothing half-held for the others


class ReplyProcesses:
    """Worker processes, each with its own inbox of request payloads, that run their listeners' work.

    Inboxes are unbounded on purpose: `put` hands the payload to a feeder thread and returns, so an ack never
    waits for a worker; a backlog only delays replies. Each payload goes to the worker with the shortest
    backlog. A worker that dies is replaced at once by a watching thread, and the requests it had not taken
    go to the workers left (bot.reply_inbox); only the one it was answering is lost, and logged.

    Workers ignore SIGINT and SIGTERM: Ctrl-C reaches the whole process group, and systemd (KillMode=
    control-group) or docker send SIGTERM to every process. The serving process turns that signal into an
    orderly stop, `shutdown`, in which each worker finishes its queue and exits on its end-of-work marker; a
    worker that died of the signal would be seen by the watcher as a crash.
    """

    def __init__(self, spec: WorkerSpec, processes: int = 2) -> None:
        if processes < 1:
            raise ValueError("at least one reply process")
        try:  # fail here, in the caller, rather than in a worker that cannot start
            pickle.dumps(spec)
        except (pickle.PicklingError, AttributeError, TypeError) as error:
            raise ValueError(
                f"reply processes need a picklable clock (a module-level function): {error}"
            ) from error
        self._spec = spec
        self._context = multiprocessing.get_context("spawn")  # fork would copy the server's threads and locks
        self._lock = threading.Lock()
        self._closed = False
        self._next = 0
        self._workers = [self._start_worker() for _ in range(processes)]
        self._watcher = threading.Thread(target=self._watch_workers, name="planbot-reply-watch", daemon=True)
        self._watcher.start()
        # At exit multiprocessing ends daemon children with SIGTERM, which they ignore, and then joins them:
        # a process that never called shutdown (it failed while starting, say) would wait forever.
        atexit.register(self._abandon)

    def run(self, job: Job, *, what: str, payload: dict[str, Any]) -> None:
        # Under the lock: a payload queued after shutdown's end-of-work markers would never be answered. Handing
        # it to a router thread instead, to keep the lock off the threads that answer Slack, measured worse
        # (bench/slash.py: one more thread to wake per request, ack p99 up to 125 ms against 33-68 ms).
        with self._lock:
            if self._closed:
                log.warning("work after ack dropped: the reply processes are shut down", extra={"work": what})
                return
            self._hand_over(payload)

    def _hand_over(self, payload: dict[str, Any]) -> None:
        """To the worker with the shortest backlog; call with the lock held."""
        self._next = (self._next + 1) % len(self._workers)  # ties go round, not always to the first
        order = self._workers[self._next :] + self._workers[: self._next]
        min(order, key=lambda worker: worker.inbox.backlog()).inbox.put(payload)

    @property
    def pids(self) -> list[int]:
        """The workers' process ids (for logs and operators; a replaced worker has a new one)."""
        with self._lock:
            return [worker.process.pid for worker in self._workers if worker.process.pid is not None]

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; with `wait`, the workers first finish everything already queued."""
        # the flag comes first, under the watcher's lock: a worker seen exiting from now on is not replaced
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for worker in self._workers:
                worker.inbox.put(None)
        atexit.unregister(self._abandon)
        if not wait:
            for worker in self._workers:
                worker.process.kill()  # SIGKILL: the workers ignore SIGTERM
        # The inboxes keep feeding meanwhile; each worker exits on its end-of-work marker.
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for worker in self._workers:
            worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if worker.process.exitcode is None:
                log.warning(
                    "reply process %s still busy after %.0f s (is the database stalled?); stopped",
                    worker.process.pid,
                    STOP_WAIT_SECONDS,
                )
                worker.process.kill()
                worker.process.join()
            worker.inbox.close(wait=False)  # the worker is gone: a feeder blocked on its pipe fails and ends
        self._watcher.join()

    def _abandon(self) -> None:
        self.shutdown(wait=False)

    def _start_worker(self) -> _Worker:
        inbox = WorkerInbox(self._context)
        process = self._context.Process(
            target=serve_jobs, args=(self._spec, inbox.reader, inbox.taken), name="planbot-reply", daemon=True
        )
        # The child inherits this thread's signal mask through fork and exec: with the stop signals blocked
        # it cannot die of one while it starts (importing planbot takes seconds), before serve_jobs ignores
        # them. This process still gets its own signals: another thread takes them, or this one once unmasked.
        blocked = _block_stop_signals()
        try:
            process.start()
        finally:
            _restore_signal_mask(blocked)
        inbox.started()
        return _Worker(process, inbox)

    def _watch_workers(self) -> None:
        while True:
            with self._lock:
                sentinels = [worker.process.sentinel for worker in self._workers]
            # wakes when a worker exits, and every second to notice a shutdown
            multiprocessing.connection.wait(sentinels, timeout=1.0)
            with self._lock:
                if self._closed:
                    return
                for index, worker in enumerate(self._workers):
                    if worker.process.exitcode is None:
                        continue
                    self._workers[index] = self._start_worker()
                    unanswered = worker.inbox.unanswered()
                    for payload in unanswered:
                        self._hand_over(payload)
                    log.error(
                        "reply process %s exited with %s; another started; %d requests it had not taken"
                        " were handed on, and the one it was answering, if any, is lost",
                        worker.process.pid,
                        worker.process.exitcode,
                        len(unanswered),
                    )


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _block_stop_signals() -> set[signal.Signals] | None:
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks, and no SIGTERM to a group either
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def _restore_signal_mask(previous: set[signal.Signals] | None) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _ignore_stop_signals() -> None:
    """In a worker: SIGINT and SIGTERM are for the serving process, which ends the workers in order."""
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    # a signal sent while the worker started was held by the inherited mask; ignored now, it is discarded
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _lowest_priority(niceness: int) -> None:
    """SCHED_IDLE where Linux offers it, else nice.

    A nice-19 worker still keeps the core until the scheduler's wakeup granularity runs out when the serving
    process wakes with a request; a SCHED_IDLE worker is preempted at once, and runs only on idle cores.
    """
    os.nice(niceness)
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):  # a container may refuse it; nice stays in force
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def serve_jobs(spec: WorkerSpec, reader: Any, taken: Any) -> None:
    """A worker process's loop: dispatch each payload to this process's own app, until a None arrives."""
    _ignore_stop_signals()  # first: a SIGTERM must not cut the queue short (see ReplyProcesses)
    from slack_bolt import BoltRequest

    from bot.app import build_app
    from bot.deps import Deps
    from storage.db import create_engine_for, session_factory

    if spec.niceness:
        _lowest_priority(spec.niceness)
    from bot.log_setup import configure_logging

    configure_logging(spec.log_level)
    engine = create_engine_for(spec.settings.database_url)
    deps = Deps(settings=spec.settings, session_factory=session_factory(engine), clock=spec.clock)
    app = build_app(spec.settings, deps=deps, after_ack=InlineWork())
    try:
        while (payload := take_next(reader, taken)) is not None:
            try:
                # Socket Mode's form: a parsed payload, no signature to check (the serving process checked it)
                app.dispatch(BoltRequest(body=payload, mode="socket_mode", context={REDISPATCHED: True}))
            except Exception:
                log.exception("reply process could not run a request")
    except EOFError:  # the serving process died without its end-of-work marker: nothing more can come
        log.error("reply process %s: the serving process is gone; exiting", os.getpid())
    finally:
        engine.dispose()


def work_for_serving(settings: Settings, *, clock: Clock, processes: int) -> AfterAck:
    """`planbot serve`'s after-ack work: `processes` worker processes, or threads when 0 or when the database
    lives in this process's memory (SQLite :memory:) where no other process could see it."""
    url = make_url(settings.database_url)
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    if processes < 1 or in_memory:
        return ThreadedWork()
    return ReplyProcesses(WorkerSpec(settings, clock, log_level=logging.getLogger().level), processes)
