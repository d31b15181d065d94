"""The bot running for real on 127.0.0.1, its Web API pointed at the fake Slack server, over the small ledger."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.app import build_app, close_app
from bot.deps import Deps
from bot.http_server import SlackHttpServer
from bot.settings import Settings
from tests.fakes import payloads
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.ledger import COORDINATOR, NOW, Ledger, build_ledger

SECRET = "test-signing-secret-0123456789abcdef"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def settings(fake_slack: FakeSlackApi) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_api_url=fake_slack.api_url,
        coordinators=COORDINATOR,
    )


@pytest.fixture
def ledger(sessions) -> Ledger:  # type: ignore[no-untyped-def]
    return build_ledger(sessions)


@pytest.fixture
def deps(settings: Settings, sessions) -> Deps:  # type: ignore[no-untyped-def]
    return Deps(settings=settings, session_factory=sessions, clock=lambda: NOW)


@dataclass
class RunningBot:
    server: SlackHttpServer
    fake: FakeSlackApi
    ledger: Ledger

    def post(self, body: str, **kwargs: Any) -> tuple[int, str]:
        return payloads.post_signed(self.server.url, body, SECRET, **kwargs)

    def command(
        self, text: str, *, user_id: str, name: str = "c1", channel_id: str = "C0CMD"
    ) -> dict[str, Any]:
        """Run `/plan text` and return what the bot sent to the response_url after its ack."""
        before = len(self.fake.responses(name))
        status, _ = self.post(
            payloads.slash_command(
                "/plan",
                text,
                user_id=user_id,
                channel_id=channel_id,
                response_url=self.fake.response_url(name),
            )
        )
        assert status == 200
        self.fake.wait_until(lambda: len(self.fake.responses(name)) > before)
        return self.fake.responses(name)[before]

    def click(self, action_id: str, value: str, *, user_id: str, name: str = "a1") -> tuple[int, str]:
        return self.post(
            payloads.block_action(
                action_id, value, user_id=user_id, response_url=self.fake.response_url(name)
            )
        )


@pytest.fixture
def bot(deps: Deps, settings: Settings, fake_slack: FakeSlackApi, ledger: Ledger) -> Iterator[RunningBot]:
    app = build_app(settings, deps=deps)
    try:
        with SlackHttpServer(app) as server:
            yield RunningBot(server, fake_slack, ledger)
    finally:
        close_app(app)  # no answer may still be writing when the database goes away


def text_of(message: dict[str, Any]) -> str:
    """Everything a person would read in a Block Kit message, joined."""
    parts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        if block.get("text"):
            parts.append(block["text"]["text"])
        for element in block.get("elements") or []:
            if isinstance(element.get("text"), str):
                parts.append(element["text"])
            elif isinstance(element.get("text"), dict):
                parts.append(element["text"]["text"])
    return "\n".join(parts)


def buttons_of(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (element["action_id"], element.get("value", ""))
        for block in message.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]
