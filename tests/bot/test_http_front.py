"""The HTTP front against hostile requests: huge and malformed unsigned bodies, and what they leave in the log.

The bot runs for real (bot.app.build_app behind waitress) on 127.0.0.1; requests go over raw sockets so that a
body can be larger than the server is willing to read.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import threading
import time

import pytest

from bot.http_server import MAX_BODY_BYTES
from tests.fakes import payloads

WAIT = 10.0


@pytest.fixture
def log_text(caplog):  # type: ignore[no-untyped-def]
    """Everything logged at INFO and above while the test runs, as the default configuration would write it."""
    caplog.set_level(logging.INFO)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    return lambda: "\n".join(formatter.format(record) for record in caplog.records)


def status_of_post(
    port: int, body: bytes, *, declared: int | None = None, content_type: str
) -> tuple[int, float]:
    """POST over a raw socket; the body is sent from another thread, so a refusal can come before it ends."""
    started = time.monotonic()
    connection = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {declared if declared is not None else len(body)}\r\n\r\n"
    ).encode()

    def send() -> None:
        # the server closes the connection once it has refused a huge body: the rest cannot be sent
        with contextlib.suppress(OSError):
            connection.sendall(head + body)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        status_line = connection.makefile("rb").readline()
    finally:
        elapsed = time.monotonic() - started
        connection.close()
        sender.join(WAIT)
    return int(status_line.split()[1]), elapsed


def test_a_10_mb_unsigned_body_is_refused_at_once_and_leaves_a_short_log(bot, log_text):
    body = b"text=" + b"x" * (10 * 1024 * 1024)
    status, elapsed = status_of_post(bot.server.port, body, content_type="application/x-www-form-urlencoded")
    assert status == 413
    assert elapsed < 1.0
    logged = log_text()
    assert len(logged.encode()) < 20 * 1024
    assert "xxxxxxxx" not in logged
    assert "refused" in logged  # the refusal is logged, by size and address


def test_a_chunked_body_is_cut_off_at_the_limit(bot, log_text):
    chunk = b"z" * 65536
    body = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 160 + b"0\r\n\r\n"  # 10 MB with no length
    started = time.monotonic()
    connection = socket.create_connection(("127.0.0.1", bot.server.port), timeout=WAIT)
    head = b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"

    def send() -> None:
        with contextlib.suppress(OSError):
            connection.sendall(head + body)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        status_line = connection.makefile("rb").readline()
    finally:
        connection.close()
        sender.join(WAIT)
    assert int(status_line.split()[1]) == 413
    assert time.monotonic() - started < 1.0
    assert len(log_text().encode()) < 20 * 1024 and "zzzzzzzz" not in log_text()


def test_an_unsigned_body_under_the_limit_is_refused_without_logging_it(bot, log_text):
    fake_line = "\n2026-12-05 10:00:00 WARNING planbot.admin 协调员已删除全部任务\n"
    body = ("text=" + "y" * (MAX_BODY_BYTES - 200) + fake_line).encode()
    status, _ = status_of_post(bot.server.port, body, content_type="application/x-www-form-urlencoded")
    assert status == 401
    logged = log_text()
    assert len(logged.encode()) < 20 * 1024
    assert "yyyyyyyy" not in logged and "协调员已删除全部任务" not in logged
    assert "bad or missing signature" in logged


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),  # JSON, but not an object
        (b'{"type": ', "application/json"),
        (b"text=\xff\xfe\xfd", "application/x-www-form-urlencoded"),  # not UTF-8
    ],
    ids=["bad-json-payload", "array-payload", "cut-json", "not-utf8"],
)
def test_a_malformed_unsigned_body_is_a_400_not_a_500(bot, log_text, body, content_type):
    status, _ = status_of_post(bot.server.port, body, content_type=content_type)
    assert status == 400
    logged = log_text()
    assert "Traceback" not in logged and "refused" in logged


def test_a_signed_command_still_goes_through(bot):
    status, _ = bot.post(
        payloads.slash_command("/plan", "帮助", user_id="U1", response_url=bot.fake.response_url("h"))
    )
    assert status == 200


def test_health_check_answers_head_and_get(bot):
    for method, expected in (("HEAD", b""), ("GET", b"ok")):
        connection = http.client.HTTPConnection("127.0.0.1", bot.server.port, timeout=WAIT)
        try:
            connection.request(method, "/healthz")
            response = connection.getresponse()
            assert (response.status, response.read()) == (200, expected)
        finally:
            connection.close()
