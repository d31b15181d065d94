"""planbot's HTTP front over real sockets: the health check, other paths, and a stop that lets acks leave."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from urllib.parse import urlsplit

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.http_server import SlackHttpServer
from tests.fakes import payloads

SECRET = "http-front-signing-secret"
WAIT = 10.0  # seconds any step may take before the test fails instead of hanging


def bare_app(listener, fake_slack) -> App:  # type: ignore[no-untyped-def]
    """A Bolt app with one /plan listener; Bolt asks the fake Web API's auth.test who it is."""
    app = App(
        signing_secret=SECRET,
        client=WebClient(token="xoxb-http", base_url=fake_slack.api_url),
        token_verification_enabled=False,
        process_before_response=True,
    )
    app.command("/plan")(listener)
    return app


def get(server: SlackHttpServer, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=WAIT).close()
    except (ConnectionRefusedError, ConnectionResetError):  # reset: queued as the listening socket closed
        return True
    return False


def command_body() -> str:
    return payloads.slash_command("/plan", "帮助", user_id="U1", response_url="http://127.0.0.1:9/r")


def test_health_check_answers_ok_and_other_paths_are_not_found(fake_slack):
    with SlackHttpServer(bare_app(lambda ack: ack("ok"), fake_slack)) as server:
        assert get(server, "/healthz") == (200, "ok")
        assert get(server, "/slack/other")[0] == 404
        assert get(server, "/slack/events")[0] == 404  # Slack only POSTs there
        status, _ = payloads.post_signed(server.url, command_body(), SECRET)
        assert status == 200


def test_signed_commands_are_acked_on_one_kept_alive_connection(fake_slack):
    with SlackHttpServer(bare_app(lambda ack: ack("ok"), fake_slack)) as server:
        parts = urlsplit(server.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=WAIT)
        try:
            for _ in range(3):
                body = command_body()
                stamp = str(int(time.time()))
                signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
                connection.request(
                    "POST",
                    parts.path,
                    body=body.encode(),
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Slack-Request-Timestamp": stamp,
                        "X-Slack-Signature": signature,
                    },
                )
                response = connection.getresponse()
                assert (response.status, response.read().decode()) == (200, "ok")
        finally:
            connection.close()


def test_stop_refuses_new_connections_but_answers_the_request_already_received(fake_slack):
    entered, release = threading.Event(), threading.Event()

    def slow_listener(ack) -> None:  # type: ignore[no-untyped-def]
        entered.set()
        assert release.wait(WAIT)
        ack("answered while stopping")

    server = SlackHttpServer(bare_app(slow_listener, fake_slack)).start()
    port = server.port
    answer: list[tuple[int, str]] = []
    client = threading.Thread(
        target=lambda: answer.append(payloads.post_signed(server.url, command_body(), SECRET))
    )
    client.start()
    assert entered.wait(WAIT)
    stopping = threading.Thread(target=server.stop)
    stopping.start()
    # the listening socket goes first; until the request in hand is answered, stop waits
    deadline = time.monotonic() + WAIT
    while not refuses_connections(port):
        assert time.monotonic() < deadline, "the server kept accepting connections after stop()"
    assert stopping.is_alive()
    release.set()
    client.join(WAIT)
    stopping.join(WAIT)
    assert answer == [(200, "answered while stopping")]
    assert not stopping.is_alive()
    assert refuses_connections(port)


def test_stop_is_safe_twice_and_before_start(fake_slack):
    never_started = SlackHttpServer(bare_app(lambda ack: ack(), fake_slack))
    never_started.stop()
    never_started.stop()
    assert refuses_connections(never_started.port)
