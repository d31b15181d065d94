"""planbot's HTTP front: waitress serving the Bolt app on `EVENTS_PATH`, and `/healthz` for a reverse proxy.

Why waitress and not a thread per connection: Slack keeps its connections open, and a burst of commands then
means dozens of threads, each waking for its own socket and each waiting for the interpreter lock. That lock
is not handed out in order, so some requests waited 100-250 ms while others went through (bench/slash.py:
ack p99 60-130 ms on two cores). Waitress reads every connection in one thread and gives only complete
requests to a few worker threads, in the order they came: ack p99 about 40 ms on the same machine.

The front also stands between Bolt and whoever can reach the port. Slack's requests are a few kilobytes, so
a body over MAX_BODY_BYTES is refused (413) before it is read; a body Bolt could not parse is refused (400)
before Bolt raises on it; and refusals are logged by size and address, never with the body (Bolt logs a
badly signed request's whole body at INFO: megabytes of log per request, and fake log lines in it).
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request.internals import parse_body
from waitress import create_server, wasyncore
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from bot.database_probe import DatabaseHealth

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# The database's own state, apart: the process acks Slack whatever the database does (bot.database_probe).
DATABASE_HEALTH_PATH = "/healthz/database"
# Worker threads that run Bolt's dispatch. A listener only parses, acks and queues its work, and nothing before
# an ack touches the database (bot.event_dedup), so four would keep up; the others absorb bursts.
DEFAULT_THREADS = 8
# The longest a stop waits for requests already read to be answered before it closes their connections.
DRAIN_SECONDS = 5.0
# Slack's largest requests (a view submission with long notes) stay far below this.
MAX_BODY_BYTES = 1024 * 1024

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def slack_wsgi_app(app: App, *, database_health: Callable[[], DatabaseHealth] | None = None) -> WsgiApp:
    """Bolt's WSGI adapter on EVENTS_PATH (404 elsewhere), and a plain "ok" on GET and HEAD /healthz.

    With `database_health`, GET /healthz/database answers 200 or 503 with the last check's result, at once.
    """
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)
    _quiet_bolt_body_logging()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "2")])
            return [b"ok"]  # waitress sends no body to a HEAD
        if path == DATABASE_HEALTH_PATH and method in ("GET", "HEAD") and database_health is not None:
            health = database_health()
            status = "200 OK" if health.ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain")])
            return [f"database {health.detail}".encode()]
        if path != EVENTS_PATH or method != "POST":
            return bolt(environ, start_response)
        client = environ.get("REMOTE_ADDR", "?")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length > MAX_BODY_BYTES:  # waitress refuses these first; this covers any other WSGI server
            log.warning("request refused: body of %d bytes over the limit, from %s", length, client)
            return _refuse(start_response, "413 Request Entity Too Large")
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        problem = _unreadable(raw, environ.get("CONTENT_TYPE"))
        if problem:
            log.warning("request refused: %s (%d bytes from %s)", problem, len(raw), client)
            return _refuse(start_response, "400 Bad Request")
        environ["wsgi.input"] = io.BytesIO(raw)

        def start_logged(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            if status.startswith("401"):
                log.warning("request refused: bad or missing signature (%d bytes from %s)", len(raw), client)
            return start_response(status, headers, *rest)

        return bolt(environ, start_logged)

    return application


def _unreadable(raw: bytes, content_type: str | None) -> str | None:
    """Why Bolt could not read this body (it would answer 500 with a traceback), or None."""
    try:
        parsed = parse_body(raw.decode("utf-8"), content_type)
    except UnicodeDecodeError:
        return "body is not UTF-8"
    except ValueError:  # json.JSONDecodeError is one
        return "body is not JSON or a form"
    if not isinstance(parsed, dict):
        return "body is not a JSON object"
    return None


def _refuse(start_response: Callable[..., Any], status: str) -> list[bytes]:
    body = json.dumps({"error": status.split(" ", 1)[1].lower()}).encode()
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]


class _WithoutBody(logging.Filter):
    """Drops Bolt's "Invalid request signature detected (… body: …)": the front logs the refusal without it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Invalid request signature detected")


_WITHOUT_BODY = _WithoutBody()


def _quiet_bolt_body_logging() -> None:
    # a filter, not a level: Bolt resets its loggers' levels each time an App is built
    logger = logging.getLogger("slack_bolt.RequestVerification")
    if _WITHOUT_BODY not in logger.filters:
        logger.addFilter(_WITHOUT_BODY)


class _RefusalLoggingErrorTask(ErrorTask):
    """Waitress's own refusals (a body over the limit, a malformed request line) logged without the body."""

    def execute(self) -> None:
        error = self.request.error
        log.warning(
            "request refused by the HTTP server: %s (%s bytes declared, from %s)",
            type(error).__name__,
            getattr(self.request, "content_length", "?"),
            self.channel.addr[0] if self.channel.addr else "?",
        )
        super().execute()


class _Channel(HTTPChannel):
    error_task_class = _RefusalLoggingErrorTask


class SlackHttpServer:
    """Serves one Bolt app; `start()` in a thread of its own (tests, bench), or `serve_forever()` in the caller's.

    `stop()` first stops accepting connections, lets the requests already received be answered (acks are
    quick; a stop that cut them would make Slack show the user an error), then closes the rest.
    """

    def __init__(
        self,
        app: App,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = DEFAULT_THREADS,
        database_health: Callable[[], DatabaseHealth] | None = None,
    ) -> None:
        # waitress warns "Task queue depth is N" whenever a request waits for a worker thread: under a burst
        # of commands that is every few milliseconds, and it is the expected way of queueing them.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self._server: Any = create_server(
            slack_wsgi_app(app, database_health=database_health),
            host=host,
            port=port,
            threads=threads,
            ident="planbot",
            asyncore_use_poll=True,  # select() cannot watch descriptors above 1024
            connection_limit=1000,  # waitress's 100 is below what Slack and a proxy may keep open in a burst
            channel_timeout=60,  # idle keep-alive connections are closed after a minute
            # waitress refuses a larger body (413) from its headers, before reading it; it counts >=
            max_request_body_size=MAX_BODY_BYTES + 1,
        )
        self._server.channel_class = _Channel
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
