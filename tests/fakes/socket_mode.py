"""A fake Slack Socket Mode endpoint on 127.0.0.1: Slack's side of the websocket, for tests of `planbot serve`.

Socket Mode has the app dial out: it calls `apps.connections.open` with its app token (xapp-…), gets a wss://
URL, opens a websocket there, receives `hello`, then receives envelopes (slash commands, events, interactions)
and acknowledges each by sending back `{"envelope_id": …}`, with a `payload` when the ack carries a message.

    with FakeSocketMode() as socket_mode, FakeSlackWithSocketMode(socket_mode) as fake:
        ...                                                   # point the app's WebClient at fake.api_url
        socket_mode.wait_connected()
        envelope_id = socket_mode.send(slash_command_envelope(payloads.slash_command(...)))
        socket_mode.wait_for_ack(envelope_id)                 # -> {"envelope_id": ..., maybe "payload"}

The websocket side is the `websockets` library's threading server on port 0; its one connection is driven by
one thread, which sends what tests queued and records what the app sent, so no socket is shared by threads.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
from typing import Any
from urllib.parse import parse_qsl

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests.fakes.slack_api import FakeSlackApi

APP_TOKEN = "xapp-1-A0001-test"
HELLO = {
    "type": "hello",
    "num_connections": 1,
    "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 18060},
    "connection_info": {"app_id": "A0001"},
}


class FakeSocketMode:
    """Accepts Socket Mode connections, greets each with `hello`, sends queued envelopes, records the acks."""

    def __init__(self) -> None:
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._outgoing: queue.Queue[str] = queue.Queue()
        self._lock = threading.Lock()
        self._received = threading.Condition(self._lock)
        self._messages: list[dict[str, Any]] = []
        self._connections = 0
        self._closing = threading.Event()
        self._envelope_ids = itertools.count(1)

    # -- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        # no pings from this side: the app's client pings, and a short test never idles long enough to need it
        self._server = serve(self._serve_connection, "127.0.0.1", 0, ping_interval=None, compression=None)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-socket-mode", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """What `apps.connections.open` hands out (ws://, not wss://: slack_sdk's client skips TLS off port 443)."""
        if self._server is None:
            raise RuntimeError("FakeSocketMode.start() first")
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=fake-ticket&app_id=A0001"

    # -- what tests do -------------------------------------------------------------------------------------

    def send(self, envelope: dict[str, Any]) -> str:
        """Queue an envelope for the app; gives it an envelope_id unless it has one. Returns the id."""
        envelope = {"envelope_id": f"env-{next(self._envelope_ids):04d}", **envelope}
        self._outgoing.put(json.dumps(envelope, ensure_ascii=False))
        return str(envelope["envelope_id"])

    def wait_connected(self, timeout: float = 10.0) -> None:
        self._wait(lambda: self._connections > 0, timeout, "the app did not connect")

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        def acked() -> bool:
            return any(message.get("envelope_id") == envelope_id for message in self._messages)

        self._wait(acked, timeout, f"no ack for {envelope_id}")
        with self._lock:
            return next(message for message in self._messages if message.get("envelope_id") == envelope_id)

    def messages(self) -> list[dict[str, Any]]:
        """Everything the app sent over the socket, oldest first."""
        with self._lock:
            return list(self._messages)

    def _wait(self, done: Any, timeout: float, failure: str) -> None:
        with self._received:
            if not self._received.wait_for(done, timeout=timeout):
                raise AssertionError(f"{failure} within {timeout} s")

    # -- the connection ------------------------------------------------------------------------------------

    def _serve_connection(self, websocket: ServerConnection) -> None:
        websocket.send(json.dumps(HELLO))
        with self._received:
            self._connections += 1
            self._received.notify_all()
        while not self._closing.is_set():
            while not self._outgoing.empty():
                websocket.send(self._outgoing.get())
            try:
                raw = websocket.recv(timeout=0.02)
            except TimeoutError:
                continue
            except ConnectionClosed:
                return
            with self._received:
                self._messages.append(json.loads(raw))
                self._received.notify_all()


class FakeSlackWithSocketMode(FakeSlackApi):
    """The fake Web API, also answering `apps.connections.open` with the fake socket's URL."""

    def __init__(self, socket_mode: FakeSocketMode, **options: Any) -> None:
        super().__init__(**options)
        self.socket_mode = socket_mode

    def _api_apps_connections_open(self, body: dict[str, Any], now: float) -> tuple[int, dict[str, str], Any]:
        return 200, {}, {"ok": True, "url": self.socket_mode.url}


# -- envelopes around the payloads of tests/fakes/payloads.py ---------------------------------------------


def slash_command_envelope(form_body: str) -> dict[str, Any]:
    """payloads.slash_command(...)'s form body, as Socket Mode delivers it: a JSON payload in an envelope."""
    return {"type": "slash_commands", "accepts_response_payload": True, "payload": dict(parse_qsl(form_body))}


def events_api_envelope(json_body: str) -> dict[str, Any]:
    """payloads.app_mention(...) and the like, as Socket Mode delivers them."""
    return {
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": json.loads(json_body),
    }
