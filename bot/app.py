"""The Slack app factory, and the small threaded HTTP server that serves it.

No App exists at import: `build_app(settings, deps=...)` builds one, so tests and benchmarks build as many as
they need, each pointed at its own fake Web API through `SLACK_API_URL` or an injected `WebClient`.
"""

from __future__ import annotations

import gc
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from bot.after_ack import AfterAck
from bot.deps import Deps
from bot.event_dedup import register_event_dedup
from bot.settings import Settings

EVENTS_PATH = "/slack/events"
log = logging.getLogger(__name__)


class MissingSlackSetting(RuntimeError):
    pass


def web_client(settings: Settings) -> WebClient:
    """The one seam to the Slack Web API: SLACK_API_URL points it at a proxy or at the tests' fake server."""
    if settings.slack_api_url:
        return WebClient(token=settings.slack_bot_token, base_url=_with_slash(settings.slack_api_url))
    return WebClient(token=settings.slack_bot_token)


def require_slack_settings(settings: Settings, *, client: WebClient | None = None) -> None:
    """The signing secret is required in HTTP mode, the bot token unless a client is given."""
    if not settings.slack_signing_secret and not settings.slack_app_token:
        raise MissingSlackSetting(
            "缺少 SLACK_SIGNING_SECRET（HTTP 模式）或 SLACK_APP_TOKEN（Socket Mode）。请在 .env 中设置。\n"
            "Set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) in .env."
        )
    if not settings.slack_bot_token and client is None:
        raise MissingSlackSetting(
            "缺少 SLACK_BOT_TOKEN（xoxb-…）。请在 .env 中设置。 Set SLACK_BOT_TOKEN (xoxb-…) in .env."
        )


def build_app(
    settings: Settings, *, client: WebClient | None = None, deps: Deps, after_ack: AfterAck | None = None
) -> App:
    """A Bolt app with every planbot listener registered (see require_slack_settings).

    `after_ack` runs each listener's work after its ack (bot.after_ack); by default a small thread pool.
    """
    require_slack_settings(settings, client=client)
    client = client or web_client(settings)
    if deps.slack_client is None:
        deps.slack_client = client
    # Listeners run on the request's thread and only parse, ack and queue work (handlers.slack_listeners), so
    # the answer leaves when they return: no hop to Bolt's five-thread pool and its 10 ms ack polling.
    listeners = ThreadPoolExecutor(max_workers=4, thread_name_prefix="planbot-listener")
    app = App(
        client=client,
        listener_executor=listeners,
        signing_secret=settings.slack_signing_secret or "",
        # Socket Mode connections are authenticated by the app token; signatures only exist over HTTP.
        request_verification_enabled=not settings.slack_app_token,
        token_verification_enabled=False,  # auth.test at start-up would make the factory reach the network
        process_before_response=True,
        logger=logging.getLogger("planbot.slack"),
    )
    from handlers import register

    register_event_dedup(app, deps)  # before the listeners: a retried event must not reach them
    work = register(app, deps, after_ack=after_ack)
    app.planbot_executors = (listeners, work)  # type: ignore[attr-defined]  (close_app waits for them)
    return app


def close_app(app: App) -> None:
    """Let the work already acknowledged finish, then stop the app's threads."""
    executors: tuple[Any, ...] = getattr(app, "planbot_executors", ())
    for executor in executors:
        executor.shutdown(wait=True)


def freeze_startup_heap() -> None:
    """Keep the objects built at start-up out of every later garbage collection; call once, before serving.

    Modules, ORM metadata and the app are some 100,000 objects that live as long as the process. A full
    collection walked them all, and every request in flight waited: 110 ms in one pause, measured by
    bench/slash.py on a busy two-core machine, enough to take the ack p99 past 100 ms on its own.
    """
    gc.collect()
    gc.freeze()


class SlackHttpServer:
    """Serves one Bolt app on `EVENTS_PATH` with the stdlib's threaded server: one thread per request.

    Bolt's own development server handles one request at a time; a slash command arriving while another
    runs would wait, and Slack gives up after 3 seconds.
    """

    def __init__(self, app: App, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _BoltServer((host, port), _handler_for(app))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = self._server.server_address[0]
        return f"http://{host}:{self.port}{EVENTS_PATH}"

    def start(self) -> SlackHttpServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.5)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SlackHttpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class _BoltServer(HTTPServer):
    """Connections are served by threads started in advance.

    A thread per connection (ThreadingHTTPServer) makes the accepting thread wait for every new thread to
    start, which needs the GIL; while replies are being built after earlier acks, a burst of new connections
    then queues behind one another for hundreds of milliseconds.
    """

    # listen() backlog: a refused connection under a burst counts as a failure on Slack's side
    request_queue_size = 256
    connection_threads = 64

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._connections = ThreadPoolExecutor(self.connection_threads, thread_name_prefix="planbot-http")
        started = threading.Barrier(self.connection_threads + 1)
        for _ in range(self.connection_threads):
            self._connections.submit(started.wait)
        started.wait()

    def _handle_request_noblock(self) -> None:
        # Take every connection already waiting, not one per wake-up of the selector: under a burst each
        # wake-up costs a wait for the interpreter lock.
        self.socket.setblocking(False)
        try:
            while True:
                try:
                    request, client_address = self.get_request()
                except OSError:  # BlockingIOError: nobody else is waiting
                    return
                self.process_request(request, client_address)
        finally:
            self.socket.setblocking(True)

    def process_request(self, request: Any, client_address: Any) -> None:
        self._connections.submit(self._serve_connection, request, client_address)

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self._connections.shutdown(wait=False, cancel_futures=True)


def _handler_for(app: App) -> type[BaseHTTPRequestHandler]:
    class BoltHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body leave in two writes; with Nagle on, the body would wait for the client's delayed ACK
        disable_nagle_algorithm = True
        # an idle keep-alive connection gives its thread back after this many seconds
        timeout = 30

        def do_POST(self) -> None:
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8") if length else ""
            if path != EVENTS_PATH:
                self._send(404, {}, "not found")
                return
            response = app.dispatch(BoltRequest(body=body, query=query, headers=_headers(self.headers)))
            self._send(response.status, response.headers, response.body)

        def do_GET(self) -> None:
            # a health check for the reverse proxy; Slack itself only POSTs
            self._send(
                200 if self.path == "/healthz" else 404, {}, "ok" if self.path == "/healthz" else "not found"
            )

        def _send(self, status: int, headers: dict[str, Any], body: str) -> None:
            encoded = body.encode("utf-8")
            self.send_response(status)
            for key, values in headers.items():
                if key.lower() == "content-length":
                    continue
                for value in values if isinstance(values, list | tuple) else [values]:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s - %s", self.address_string(), format % args)

    return BoltHandler


def _headers(message: Any) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for key, value in message.items():
        headers.setdefault(key.lower(), []).append(value)
    return headers


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
