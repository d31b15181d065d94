"""planbot's HTTP front: waitress serving the Bolt app on `EVENTS_PATH`, and `/healthz` for a reverse proxy.

Why waitress and not a thread per connection: Slack keeps its connections open, and a burst of commands then
means dozens of threads, each waking for its own socket and each waiting for the interpreter lock. That lock
is not handed out in order, so some requests waited 100-250 ms while others went through (bench/slash.py:
ack p99 60-130 ms on two cores). Waitress reads every connection in one thread and gives only complete
requests to a few worker threads, in the order they came: ack p99 about 40 ms on the same machine.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import create_server, wasyncore
from waitress.channel import HTTPChannel

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Worker threads that run Bolt's dispatch. A listener only parses, acks and queues its work, so four would
# keep up; the others cover a request that waits on the database (an event's receipt, up to 300 ms).
DEFAULT_THREADS = 8
# The longest a stop waits for requests already read to be answered before it closes their connections.
DRAIN_SECONDS = 5.0

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def slack_wsgi_app(app: App) -> WsgiApp:
    """Bolt's WSGI adapter on EVENTS_PATH (404 elsewhere), and a plain "ok" on GET /healthz."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") == HEALTH_PATH:
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok"]
        return bolt(environ, start_response)

    return application


class SlackHttpServer:
    """Serves one Bolt app; `start()` in a thread of its own (tests, bench), or `serve_forever()` in the caller's.

    `stop()` first stops accepting connections, lets the requests already received be answered (acks are
    quick; a stop that cut them would make Slack show the user an error), then closes the rest.
    """

    def __init__(
        self, app: App, *, host: str = "127.0.0.1", port: int = 0, threads: int = DEFAULT_THREADS
    ) -> None:
        # waitress warns "Task queue depth is N" whenever a request waits for a worker thread: under a burst
        # of commands that is every few milliseconds, and it is the expected way of queueing them.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self._server: Any = create_server(
            slack_wsgi_app(app),
            host=host,
            port=port,
            threads=threads,
            ident="planbot",
            asyncore_use_poll=True,  # select() cannot watch descriptors above 1024
            connection_limit=1000,  # waitress's 100 is below what Slack and a proxy may keep open in a burst
            channel_timeout=60,  # idle keep-alive connections are closed after a minute
        )
        self._loop: threading.Thread | None = None
        self._looping = threading.Event()
        self._stopped = False

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        return f"http://{self._server.effective_host}:{self.port}{EVENTS_PATH}"

    def start(self) -> SlackHttpServer:
        self._loop = threading.Thread(target=self.serve_forever, name="planbot-http", daemon=True)
        self._loop.start()
        return self

    def serve_forever(self) -> None:
        """Serve until stop() or Ctrl-C (which waitress catches: this then returns)."""
        self._looping.set()
        try:
            self._server.run()
        finally:
            self._looping.clear()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        server = self._server
        # The connection map belongs to the loop's thread; while it runs, changes go through its trigger.
        self._in_loop(lambda: wasyncore.dispatcher.close(server))  # the listening socket only
        deadline = time.monotonic() + DRAIN_SECONDS
        while self._answering() and time.monotonic() < deadline:
            time.sleep(0.01)  # a stop drains in milliseconds; no event says when the last answer left
        self._in_loop(lambda: wasyncore.close_all(server._map))  # an empty map ends the loop
        if self._loop is not None:
            self._loop.join(timeout=DRAIN_SECONDS)
        server.task_dispatcher.shutdown(timeout=DRAIN_SECONDS)

    def _in_loop(self, change: Callable[[], None]) -> None:
        if not self._looping.is_set():
            change()
            return
        done = threading.Event()

        def run_then_signal() -> None:
            try:
                change()
            finally:
                done.set()

        self._server.trigger.pull_trigger(run_then_signal)
        # the loop may end meanwhile (Ctrl-C): then nothing runs the change, and the caller's thread does
        while not done.wait(0.05):
            if not self._looping.is_set():
                change()
                return

    def _answering(self) -> bool:
        dispatcher = self._server.task_dispatcher
        if dispatcher.queue or dispatcher.active_count:
            return True
        channels = [c for c in list(self._server._map.values()) if isinstance(c, HTTPChannel)]
        return any(channel.requests or channel.total_outbufs_len for channel in channels)

    def __enter__(self) -> SlackHttpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
