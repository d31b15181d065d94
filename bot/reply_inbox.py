"""The way from the serving process to one reply process: requests in order, and none lost with the process.

multiprocessing.Queue does the first half: `put` hands the request to a feeder thread and returns, so an ack
never waits for a worker. It cannot do the second: what a worker that died (killed for memory, say) had not
yet read stays in a pipe that only that worker read, behind a reader lock it may have died holding. Here the
serving process keeps each request it wrote until the worker says it has taken it (a counter in shared
memory that only the worker writes), so a replacement gets all of them. The one request a worker was
answering when it died is not sent again: it may be what killed it.
"""

from __future__ import annotations

import threading
from collections import deque
from multiprocessing.connection import Connection
from typing import Any


class WorkerInbox:
    """Written in the serving process by `put`; read in the worker by `take_next(reader, taken)`."""

    def __init__(self, context: Any) -> None:
        self.reader, self._writer = context.Pipe(duplex=False)
        self.taken = context.RawValue("Q", 0)  # requests the worker has read; written by the worker alone
        self._waiting: deque[Any] = deque()  # put, not yet written to the pipe
        # written, perhaps not yet taken: kept until the worker has counted them
        self._written: deque[Any] = deque()
        self._written_before = 0  # requests written and taken before the first one in `_written`
        self._wake = threading.Condition()
        self._closing = False  # write what is waiting, then stop
        self._abandoned = False  # stop now
        self._feeder = threading.Thread(target=self._feed, name="planbot-reply-feed", daemon=True)

    def started(self) -> None:
        """Call once the worker process has started with `reader` and `taken`."""
        # Only the worker holds the read end from now on: if it dies, a write fails at once instead of
        # filling a pipe that nobody reads.
        self.reader.close()
        self._feeder.start()

    def put(self, payload: Any) -> None:
        with self._wake:
            self._waiting.append(payload)
            self._wake.notify()

    def backlog(self) -> int:
        """Requests put and not yet taken by the worker (a moment's estimate: both sides keep moving)."""
        with self._wake:
            waiting = len(self._waiting)
        return waiting + max(0, self._written_before + len(self._written) - self.taken.value)

    def close(self, *, wait: bool = True) -> None:
        """Stop writing: after what is waiting (`wait`), or at once."""
        with self._wake:
            self._closing = True
            self._abandoned = self._abandoned or not wait
            self._wake.notify()
        if self._feeder.ident is not None:  # started
            self._feeder.join()
        self._writer.close()

    def unanswered(self) -> list[Any]:
        """After the worker died: every request it had not taken, oldest first."""
        self.close(wait=False)
        untaken = max(0, self._written_before + len(self._written) - self.taken.value)
        return list(self._written)[len(self._written) - untaken :] + list(self._waiting)

    def _feed(self) -> None:
        while True:
            with self._wake:
                while not self._waiting and not self._closing:
                    self._wake.wait()
                if self._abandoned or not self._waiting:
                    return
                payload = self._waiting.popleft()
            try:
                self._writer.send(payload)  # pickled here, off the threads that answer Slack
            except OSError:  # the worker is gone; the watcher collects what it left
                with self._wake:
                    self._waiting.appendleft(payload)
                return
            self._written.append(payload)
            self._forget_taken()

    def _forget_taken(self) -> None:
        taken = self.taken.value
        while self._written and self._written_before < taken:
            self._written.popleft()
            self._written_before += 1


def take_next(reader: Connection, taken: Any) -> Any:
    """In the worker: the next request, counted as taken as soon as it is read."""
    payload = reader.recv()
    taken.value += 1
    return payload
