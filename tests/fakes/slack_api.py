"""A fake Slack Web API on 127.0.0.1, for tests and benchmarks that must never reach Slack.

Point a client at it with ``WebClient(token="xoxb-test", base_url=fake.api_url)``. Every request is recorded
(method, HTTP headers, parsed body), whether it arrives as a form, as JSON or as a query string.

    fake = FakeSlackApi().start()          # binds port 0; fake.api_url ends with "/api/"
    client = WebClient(token="xoxb-test", base_url=fake.api_url)
    client.chat_postMessage(channel="C1", text="hi", metadata={"event_type": "x", "event_payload": {}})
    fake.calls("chat.postMessage")[0].body["text"]        # -> "hi"
    fake.messages("C1")[0]["metadata"]                     # -> what was attached
    fake.fail_next("chat.postMessage", status=429, count=2, retry_after=1)
    fake.after_accepting("chat.postMessage", "500")  # posts it, then answers 500 ("drop": closes the
                                                      # connection unanswered; "late": answers after release_late())
    fake.refuse_history("C1")  # conversations.history answers not_in_channel until the bot joins C1
    fake.response_url("cmd-1")  -> a URL whose POSTs land in fake.responses()
    fake.wait_for("chat.postMessage", count=3)             # block until they arrived (no sleeps)
    fake.host_file("plan.txt", b"...") -> a url_private_download the bot fetches with its token
    fake.stop()

``rate_limit_per_channel=1.0`` makes chat.postMessage answer 429 with ``Retry-After`` when a channel receives a
second message within one second, as Slack does. Answered methods: auth.test, chat.postMessage,
chat.postEphemeral, chat.update, conversations.history, conversations.join, conversations.open, views.open,
views.publish,
views.update, users.info, usergroups.users.list, files.getUploadURLExternal, files.completeUploadExternal, and the
upload URL itself. Any other method answers ``{"ok": false, "error": "unknown_method"}`` and is still recorded.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.slack_methods import BOT_USER_ID, TEAM_ID, SlackMethods

# Form-encoded requests carry these as JSON strings; the recorder decodes them so tests read lists and dicts.
JSON_FIELDS = ("blocks", "attachments", "view", "metadata", "files")

__all__ = ["BOT_USER_ID", "TEAM_ID", "FakeSlackApi", "RecordedCall"]


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received."""

    method: str  # Web API method ("chat.postMessage"), "upload" for file bytes, "response_url" for replies
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes
    status: int  # what the fake answered
    at: float  # monotonic seconds when it arrived


@dataclass
class _Failure:
    status: int
    remaining: int
    retry_after: int | None


@dataclass
class _State:
    calls: list[RecordedCall] = field(default_factory=list)
    failures: dict[str, list[_Failure]] = field(default_factory=lambda: defaultdict(list))
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    last_post_at: dict[str, float] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    views: list[dict[str, Any]] = field(default_factory=list)
    hosted: dict[str, bytes] = field(default_factory=dict)
    public: set[str] = field(default_factory=set)
    after_accepting: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    history_refused: dict[str, bool] = field(default_factory=dict)  # channel -> may the bot join it


class FakeSlackApi(SlackMethods):
    """A threaded stdlib HTTP server that answers like the Slack Web API and records every call."""

    def __init__(
        self,
        *,
        rate_limit_per_channel: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate_limit_per_channel = rate_limit_per_channel
        self._monotonic = monotonic
        self._state = _State()
        self._lock = threading.RLock()
        self._arrived = threading.Condition(self._lock)
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._late_released = threading.Event()

    # -- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> FakeSlackApi:
        handler = _handler_class(self)
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._late_released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSlackApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlackApi.start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def api_url(self) -> str:
        """What WebClient(base_url=...) and SLACK_API_URL take."""
        return self.base_url + "api/"

    # -- what tests configure ------------------------------------------------------------------------------

    def fail_next(self, method: str, status: int = 429, count: int = 1, retry_after: int | None = 1) -> None:
        """Answer the next `count` calls of `method` with `status` (429 carries Retry-After)."""
        with self._lock:
            self._state.failures[method].append(
                _Failure(status, count, retry_after if status == 429 else None)
            )

    def after_accepting(self, method: str, outcome: str, count: int = 1) -> None:
        """Handle the next `count` calls of `method` (a message is posted), then answer badly: "500", "drop"
        (close the connection with no answer) or "late" (hold the answer until `release_late()`)."""
        assert outcome in ("500", "drop", "late"), outcome
        with self._lock:
            self._state.after_accepting[method].extend([outcome] * count)

    def release_late(self) -> None:
        """Let the answers held by "late" go (to clients that have long given up)."""
        self._late_released.set()

    def refuse_history(self, channel: str, *, joinable: bool = True) -> None:
        """conversations.history of `channel` answers not_in_channel (as for a channel the bot posts to with
        chat:write.public without being a member) until conversations.join, which fails if not `joinable`."""
        with self._lock:
            self._state.history_refused[channel] = joinable

    def add_user(
        self, user_id: str, name: str = "", *, real_name: str = "", tz: str = "Asia/Shanghai"
    ) -> None:
        with self._lock:
            self._state.users[user_id] = {
                "id": user_id,
                "team_id": TEAM_ID,
                "name": name or user_id.lower(),
                "real_name": real_name or name or user_id,
                "tz": tz,
                "profile": {"real_name": real_name or name or user_id, "display_name": name or user_id},
                "is_bot": False,
            }

    def set_usergroup(self, usergroup_id: str, user_ids: list[str]) -> None:
        with self._lock:
            self._state.usergroups[usergroup_id] = list(user_ids)

    def host_file(self, name: str, content: bytes, *, token_required: bool = True) -> str:
        """Serve `content` as a shared file's url_private_download (a bot token is required, as on Slack),
        or, with token_required=False, as any document on a web server."""
        with self._lock:
            self._state.hosted[name] = content
            if not token_required:
                self._state.public.add(name)
        return f"{self.base_url}files/{name}"

    def response_url(self, name: str = "r") -> str:
        """A response_url for a slash command or interaction payload; replies land in `responses()`."""
        return f"{self.base_url}response/{name}"

    # -- what tests read -----------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        with self._lock:
            return [call for call in self._state.calls if method is None or call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[RecordedCall]:
        """Block until `count` calls of `method` arrived (the app answers after its ack, on another thread)."""
        self.wait_until(lambda: len(self.calls(method)) >= count, timeout=timeout)
        return self.calls(method)

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until `predicate()` holds, re-checking on every call the fake receives; no polling sleeps."""
        with self._arrived:
            if not self._arrived.wait_for(predicate, timeout=timeout):
                raise TimeoutError(
                    f"condition not met within {timeout}s; calls: {[c.method for c in self.calls()]}"
                )

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages accepted by chat.postMessage in `channel`, oldest first, with ts, text, blocks, metadata."""
        with self._lock:
            return [dict(message) for message in self._state.messages.get(channel, [])]

    def channels(self) -> list[str]:
        with self._lock:
            return [channel for channel, messages in self._state.messages.items() if messages]

    def responses(self, name: str | None = None) -> list[dict[str, Any]]:
        """Bodies POSTed to response URLs (optionally one of them), oldest first."""
        return [
            call.body
            for call in self.calls("response_url")
            if name is None or call.path.rstrip("/").endswith("/" + name)
        ]

    def uploads(self) -> dict[str, bytes]:
        """File bytes received on upload URLs, by file id."""
        with self._lock:
            return dict(self._state.uploads)

    def reset(self) -> None:
        """Forget calls and messages (users, user groups and rate limits stay)."""
        with self._lock:
            self._state.calls.clear()
            self._state.messages.clear()
            self._state.failures.clear()
            self._state.last_post_at.clear()
            self._state.uploads.clear()
            self._state.views.clear()
            self._state.after_accepting.clear()
            self._state.history_refused.clear()

    # -- answering -----------------------------------------------------------------------------------------

    def _answer(
        self, http_method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], dict[str, Any] | str | bytes]:
        split = urlsplit(path)
        body = _parse_body(headers.get("content-type", ""), raw, split.query)
        now = self._monotonic()
        if split.path.startswith("/response/"):
            method = "response_url"
        elif split.path.startswith("/upload/"):
            method = "upload"
        elif split.path.startswith("/files/"):
            method = "file_download"
        else:
            method = split.path.removeprefix("/api/").strip("/")
        with self._lock:
            status, extra_headers, payload = self._respond_locked(method, split.path, headers, body, raw, now)
            then = self._state.after_accepting.get(method)
            if then and status == 200:
                outcome = then.pop(0)
                if outcome == "500":
                    status, extra_headers, payload = 500, {}, {"ok": False, "error": "internal_error"}
                else:
                    payload = _Held(outcome, payload)
            self._state.calls.append(RecordedCall(method, split.path, dict(headers), body, raw, status, now))
            self._arrived.notify_all()
        return status, extra_headers, payload

    def _respond_locked(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: dict[str, Any],
        raw: bytes,
        now: float,
    ) -> tuple[int, dict[str, str], dict[str, Any] | str | bytes]:
        failure = self._take_failure(method)
        if failure is not None:
            extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            error = "ratelimited" if failure.status == 429 else "fatal_error"
            return failure.status, extra, {"ok": False, "error": error}
        if method == "response_url":
            return 200, {}, {"ok": True}
        if method == "upload":
            self._state.uploads[path.removeprefix("/upload/")] = raw
            return 200, {}, "OK - " + str(len(raw))
        if method == "file_download":
            name = path.removeprefix("/files/")
            hosted = self._state.hosted.get(name)
            if name not in self._state.public and not headers.get("authorization", "").startswith(
                "Bearer xox"
            ):
                return 403, {}, "missing token"
            return (200, {}, hosted) if hosted is not None else (404, {}, "no such file")
        if not headers.get("authorization", "").startswith("Bearer ") and "token" not in body:
            return 200, {}, {"ok": False, "error": "not_authed"}
        answer = getattr(self, "_api_" + method.replace(".", "_"), None)
        if answer is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        return answer(body, now)

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._state.failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.pop(0)
        return failure

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"


@dataclass(frozen=True)
class _Held:
    """An answer the handler drops ("drop") or holds until release_late() ("late")."""

    how: str
    payload: Any


def _parse_body(content_type: str, raw: bytes, query: str) -> dict[str, Any]:
    body: dict[str, Any] = {key: values[-1] for key, values in parse_qs(query).items()}
    if "application/json" in content_type:
        try:
            parsed = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            parsed = {}
        if isinstance(parsed, dict):
            body.update(parsed)
    elif "application/x-www-form-urlencoded" in content_type:
        try:
            form = raw.decode("utf-8")
        except UnicodeDecodeError:  # file bytes on the upload URL come with urllib's default form type
            form = ""
        body.update({key: values[-1] for key, values in parse_qs(form).items()})
    for key in JSON_FIELDS:
        if isinstance(body.get(key), str):
            with contextlib.suppress(json.JSONDecodeError):
                body[key] = json.loads(body[key])
    return body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # bursts of replies from many worker threads must not be refused


def _handler_class(fake: FakeSlackApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True  # headers and body are two writes; no 40 ms delayed-ACK stalls

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def _handle(self, http_method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, extra_headers, payload = fake._answer(http_method, self.path, headers, raw)
            if isinstance(payload, _Held):
                if payload.how == "drop":
                    self.close_connection = True  # the message is posted; the client hears nothing at all
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                fake._late_released.wait(timeout=30)
                payload = payload.payload
            if isinstance(payload, bytes):
                encoded, content_type = payload, "application/octet-stream"
            elif isinstance(payload, str):
                encoded, content_type = payload.encode(), "text/plain"
            else:
                encoded = json.dumps(payload, ensure_ascii=False).encode()
                content_type = "application/json; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for key, value in extra_headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            with contextlib.suppress(OSError):  # a client that gave up on a late answer has gone
                self.wfile.write(encoded)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

    return Handler
