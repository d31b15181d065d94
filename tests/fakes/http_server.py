"""A local document server for URL-loading tests: real HTTP on 127.0.0.1, a free port, canned replies.

Each path answers with a `Reply` (status, body, headers); bodies can be streamed in chunks without a
Content-Length, and a reply can be held back until the test releases it, to provoke client timeouts
without sleeping. Every request's path is recorded so tests can check which hops were taken.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True, slots=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False  # send without Content-Length, as HTTP/1.1 chunks
    repeat: int = 1  # a chunked body is `body` sent this many times: large streams without large memory
    hold: threading.Event | None = None  # answer only once this is set


class FakeHttpServer:
    def __init__(self) -> None:
        self.routes: dict[str, Reply] = {}
        self.requested: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        # a short poll interval makes shutdown() return at once instead of after the default half second
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-http", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, reply: Reply) -> str:
        self.routes[path] = reply
        return self.url(path)

    def redirect_chain(self, hops: int, final_path: str, *, status: int = 302) -> str:
        """`hops` redirects ending at final_path; relative and absolute Location headers alternate."""
        for hop in range(hops):
            target = final_path if hop == hops - 1 else f"/hop/{hop + 1}"
            location = target if hop % 2 else self.url(target)
            self.routes[f"/hop/{hop}"] = Reply(status=status, headers={"Location": location})
        return self.url("/hop/0") if hops else self.url(final_path)

    def record(self, path: str) -> None:
        with self._lock:
            self.requested.append(path)

    def start(self) -> FakeHttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        for reply in self.routes.values():
            if reply.hold is not None:
                reply.hold.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def handler_for(server: FakeHttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            server.record(self.path)
            reply = server.routes.get(self.path, Reply(status=404, body=b"not here"))
            if reply.hold is not None:
                reply.hold.wait(timeout=10)
            try:
                self.answer(reply)
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                self.close_connection = True  # the client stopped reading (size limit, timeout): expected

        def answer(self, reply: Reply) -> None:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for _ in range(reply.repeat):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(reply.body), reply.body))
                self.wfile.write(b"0\r\n\r\n")
            else:
                if "Content-Length" not in reply.headers:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            return

    return Handler


@contextmanager
def running_server() -> Iterator[FakeHttpServer]:
    server = FakeHttpServer().start()
    try:
        yield server
    finally:
        server.stop()
