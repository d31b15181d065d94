"""Socket Mode end to end: the app dials the fake Socket Mode endpoint, acks envelopes, and its replies reach
the fake Web API. First in-process (the handler `planbot serve` builds), then `planbot serve` itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_app, close_app
from bot.commands.serve import socket_mode_handler
from bot.deps import Deps
from bot.settings import Settings
from storage.db import create_engine_for, session_factory, upgrade
from tests.bot.conftest import text_of
from tests.conftest import REPO_ROOT
from tests.fakes import payloads
from tests.fakes.serve_output import wait_for_output
from tests.fakes.socket_mode import (
    APP_TOKEN,
    FakeSlackWithSocketMode,
    FakeSocketMode,
    events_api_envelope,
    slash_command_envelope,
)
from tests.handlers.ledger import COORDINATOR, CZJ_MEMBER, NOW, READER, build_ledger


@dataclass
class SocketModeBot:
    socket: FakeSocketMode
    fake: FakeSlackWithSocketMode

    def command(self, text: str, *, user_id: str, name: str) -> tuple[str, dict[str, Any]]:
        """Send `/plan text` over the socket; returns its envelope id and the ack the app sent back."""
        body = payloads.slash_command(
            "/plan", text, user_id=user_id, response_url=self.fake.response_url(name)
        )
        envelope_id = self.socket.send(slash_command_envelope(body))
        return envelope_id, self.socket.wait_for_ack(envelope_id)


@pytest.fixture
def socket_mode_fakes() -> Iterator[tuple[FakeSocketMode, FakeSlackWithSocketMode]]:
    with FakeSocketMode() as socket, FakeSlackWithSocketMode(socket) as fake:
        yield socket, fake


@pytest.fixture(scope="module")
def socket_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SocketModeBot]:
    """One connection for the module: closing slack_sdk's built-in client waits out its 3-second socket read."""
    engine = create_engine_for(f"sqlite:///{tmp_path_factory.mktemp('socket-mode') / 'ledger.sqlite3'}")
    upgrade(engine)
    sessions = session_factory(engine)
    build_ledger(sessions)
    with FakeSocketMode() as socket, FakeSlackWithSocketMode(socket) as fake:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token="xoxb-test-token",
            slack_app_token=APP_TOKEN,  # and no signing secret: Socket Mode needs none
            slack_api_url=fake.api_url,
            coordinators=COORDINATOR,
        )
        app = build_app(settings, deps=Deps(settings=settings, session_factory=sessions, clock=lambda: NOW))
        handler = socket_mode_handler(app, settings)
        handler.connect()
        try:
            socket.wait_connected()
            yield SocketModeBot(socket, fake)
        finally:
            handler.close()  # before the fakes stop, or the client would dial them again
            close_app(app)
            engine.dispose()


def test_connection_is_opened_with_the_app_token(socket_bot):
    [opened] = socket_bot.fake.calls("apps.connections.open")
    assert opened.headers["authorization"] == f"Bearer {APP_TOKEN}"


def test_slash_command_is_acked_then_answered_on_the_response_url(socket_bot):
    envelope_id, ack = socket_bot.command("帮助", user_id=READER, name="help")
    assert ack == {"envelope_id": envelope_id}
    socket_bot.fake.wait_until(lambda: socket_bot.fake.responses("help"))
    [reply] = socket_bot.fake.responses("help")
    assert "planbot 命令" in reply["text"] and "/plan 任务|tasks" in text_of(reply)


def test_slash_command_reply_carries_the_ledger(socket_bot):
    _, ack = socket_bot.command("任务", user_id=CZJ_MEMBER, name="tasks")
    assert "payload" not in ack
    socket_bot.fake.wait_until(lambda: socket_bot.fake.responses("tasks"))
    text = text_of(socket_bot.fake.responses("tasks")[0])
    assert "莱芜区财政局" in text and "保障规划实施资金" in text


def test_a_usage_error_is_answered_in_the_ack_itself(socket_bot):
    envelope_id, ack = socket_bot.command("进展", user_id=CZJ_MEMBER, name="usage")
    assert ack["envelope_id"] == envelope_id
    assert "缺少编号" in ack["payload"]["text"]
    assert ack["payload"]["response_type"] == "ephemeral"


def test_mention_in_chinese_is_acked_and_answered_in_its_thread(socket_bot):
    body = payloads.app_mention("<@UBOT> 中期评估什么时候？", user_id=COORDINATOR, ts="1700000000.000300")
    envelope_id = socket_bot.socket.send(events_api_envelope(body))
    assert socket_bot.socket.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
    [*_, sent] = socket_bot.fake.wait_for("chat.postMessage")
    assert sent.body["channel"] == "C0CMD" and sent.body["thread_ts"] == "1700000000.000300"
    assert "中期评估" in text_of(sent.body)


def test_planbot_serve_runs_in_socket_mode_and_stops_on_sigterm(database_url, socket_mode_fakes, tmp_path):
    socket, fake = socket_mode_fakes
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-serve",
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
        "PLANBOT_COORDINATORS": "UCOORD",
        "PYTHONPATH": str(REPO_ROOT),
    }
    env.pop("SLACK_SIGNING_SECRET", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "planbot"), "serve", "--no-scheduler"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_output(server, "Socket Mode", timeout=60, what="connect")
        socket.wait_connected()
        body = payloads.slash_command("/plan", "帮助", user_id="UCOORD", response_url=fake.response_url("s"))
        envelope_id = socket.send(slash_command_envelope(body))
        assert socket.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
        fake.wait_until(lambda: fake.responses("s"), timeout=60)  # from a reply process just started
        assert "planbot 命令" in fake.responses("s")[0]["text"]
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        server.stdout.close()  # type: ignore[union-attr]
