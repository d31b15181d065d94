"""A database that hangs takes neither Slack's acks, nor /healthz, nor a SIGTERM down with it.

The hung database is a TCP server that accepts connections and never answers (tests/fakes/silent_database.py):
the driver waits for it until storage.db's connect timeout, as it would for a PostgreSQL server whose machine
froze. Event receipts are written after the ack (handlers.once_per_event), so nothing before an ack waits.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from bot.after_ack import ThreadedWork
from bot.app import build_app, close_app
from bot.database_probe import DatabaseProbe
from bot.deps import Deps
from bot.http_server import SlackHttpServer
from storage.db import CONNECT_TIMEOUT_SECONDS, create_engine_for, session_factory
from storage.models import SlackEventReceipt
from tests.bot.conftest import SECRET
from tests.fakes import payloads
from tests.fakes.serve_output import wait_for_output
from tests.fakes.silent_database import SilentDatabase
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.ledger import COORDINATOR, NOW

REPO_ROOT = Path(__file__).resolve().parents[2]
ACK_SECONDS = 1.0


@pytest.fixture
def silent_database() -> Iterator[SilentDatabase]:
    with SilentDatabase() as database:
        yield database


def timed_post(url: str, body: str) -> tuple[int, float]:
    started = time.monotonic()
    status, _ = payloads.post_signed(url, body, SECRET, timeout=5)
    return status, time.monotonic() - started


def timed_get(port: int, path: str) -> tuple[int, str, float]:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(), time.monotonic() - started
    finally:
        connection.close()


def mention(number: int) -> str:
    return payloads.app_mention("<@UBOT> 帮助", user_id=COORDINATOR, ts=f"1700000000.{number:06d}")


def test_acks_and_health_answer_at_once_while_the_database_never_does(fake_slack, settings):
    silent_database = SilentDatabase().__enter__()
    engine = create_engine_for(silent_database.url)
    deps = Deps(settings=settings, session_factory=session_factory(engine), clock=lambda: NOW)
    work = ThreadedWork()
    app = build_app(settings, deps=deps, after_ack=work)
    probe = DatabaseProbe(deps.session_factory)
    try:
        with SlackHttpServer(app, database_health=probe.health) as server:
            # more events than the server has threads: each once held a thread until the database answered
            for number in range(12):
                status, seconds = timed_post(server.url, mention(number))
                assert status == 200 and seconds < ACK_SECONDS
            for _ in range(3):
                command = payloads.slash_command(
                    "/plan", "任务", user_id=COORDINATOR, response_url=fake_slack.response_url("s")
                )
                status, seconds = timed_post(server.url, command)
                assert status == 200 and seconds < ACK_SECONDS
            assert timed_get(server.port, "/healthz")[:2] == (200, "ok")
            status, text, seconds = timed_get(server.port, "/healthz/database")
            assert status == 503 and text.startswith("database ") and seconds < ACK_SECONDS
            fake_slack.wait_until(lambda: silent_database.connections > 0)  # the work did reach the database
    finally:
        started = time.monotonic()
        close_app(app)  # the work stuck on the database is given up, not waited for
        assert time.monotonic() - started < 6
        # once the database is gone for good its connections fail at once, and the abandoned threads end
        silent_database.__exit__(None, None, None)
        assert work.join(timeout=30)
        engine.dispose()


class BlockingSession:
    """A session whose query waits until the test lets it go, as a stalled database would."""

    def __init__(self, release: threading.Event) -> None:
        self._release = release

    def __enter__(self) -> BlockingSession:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def execute(self, _statement: object) -> None:
        assert self._release.wait(10)


def test_the_database_health_says_stalled_while_a_check_waits_and_ok_once_it_answers():
    release = threading.Event()
    clock = [100.0]
    probe = DatabaseProbe(lambda: BlockingSession(release), monotonic=lambda: clock[0])
    assert probe.health().detail == "checking: no answer yet"
    clock[0] += 3
    stalled = probe.health()
    assert not stalled.ok and stalled.detail == "stalled: no answer for 3 s"
    release.set()
    deadline = time.monotonic() + 10
    while probe.health().detail != "ok":  # the check's thread records its answer
        assert time.monotonic() < deadline
        threading.Event().wait(0.01)
    assert probe.health().ok


def test_a_retry_that_reaches_another_process_is_dropped_by_the_receipt(sessions, fake_slack, settings):
    """Two apps on one database stand for two `planbot serve` processes behind one URL."""
    deps = Deps(settings=settings, session_factory=sessions, clock=lambda: NOW)
    first, second = build_app(settings, deps=deps), build_app(settings, deps=deps)
    body = mention(1)
    try:
        with SlackHttpServer(first) as one, SlackHttpServer(second) as other:
            assert timed_post(one.url, body)[0] == 200
            fake_slack.wait_for("chat.postMessage")
            headers = payloads.signed_headers(body, SECRET)
            headers["X-Slack-Retry-Num"] = "1"
            assert payloads.post_signed(other.url, body, SECRET, headers=headers)[0] == 200
    finally:
        close_app(first)
        close_app(second)
    assert len(fake_slack.calls("chat.postMessage")) == 1
    with sessions() as session:
        assert session.exec(select(func.count()).select_from(SlackEventReceipt)).one() == 1


def test_planbot_serve_acks_and_stops_on_sigterm_within_10_s_while_the_database_hangs(
    silent_database: SilentDatabase, fake_slack: FakeSlackApi, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a free port for the server to take
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": silent_database.url,
        "SLACK_BOT_TOKEN": "xoxb-serve",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "PLANBOT_COORDINATORS": COORDINATOR,
        "PYTHONPATH": str(REPO_ROOT),
    }
    env.pop("SLACK_APP_TOKEN", None)
    # as `planbot serve` runs by default: the scheduler tries for its lock, and two reply processes answer
    command = [
        str(Path(sys.executable).parent / "planbot"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_output(server, "/slack/events", timeout=30, what="start")
        url = f"http://127.0.0.1:{port}/slack/events"
        for number in range(10):
            status, seconds = timed_post(url, mention(number))
            assert status == 200 and seconds < ACK_SECONDS
        slash = payloads.slash_command(
            "/plan", "逾期", user_id=COORDINATOR, response_url=fake_slack.response_url("s")
        )
        status, seconds = timed_post(url, slash)
        assert status == 200 and seconds < ACK_SECONDS
        status, text, _ = timed_get(port, "/healthz/database")
        assert status == 503 and text.startswith("database ")
        fake_slack.wait_until(lambda: silent_database.connections > 0)  # replies are stuck on the database
    finally:
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            raise
        finally:
            server.stdout.close()  # type: ignore[union-attr]
    assert code == 0
    assert time.monotonic() - started < 10


def test_a_connection_to_a_database_that_never_answers_gives_up_after_the_connect_timeout(silent_database):
    engine = create_engine_for(silent_database.url)
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError), engine.connect():
            pass
    finally:
        engine.dispose()
    assert CONNECT_TIMEOUT_SECONDS - 0.5 <= time.monotonic() - started < CONNECT_TIMEOUT_SECONDS + 3


def test_every_connection_bounds_how_long_a_statement_may_wait(engine):
    if engine.dialect.name == "sqlite":
        # SQLite has no statement timeout: what can hang there is a lock wait, bounded by busy_timeout
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        return
    with engine.connect() as connection:
        shown = connection.execute(text("SHOW statement_timeout")).scalar()
        connection.rollback()  # a session setting: a rolled-back transaction does not undo it
        assert connection.execute(text("SHOW statement_timeout")).scalar() == shown == "1min"
