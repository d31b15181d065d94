"""manifest.yml asks for what the listeners need, and `planbot serve` refuses to start without its secrets."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from tests.conftest import REPO_ROOT
from tests.fakes.serve_output import wait_for_output


def test_manifest_declares_the_command_events_scopes_and_interactivity():
    manifest = (REPO_ROOT / "manifest.yml").read_text(encoding="utf-8")
    assert "command: /plan" in manifest and "should_escape: true" in manifest
    for event in ("app_home_opened", "app_mention", "message.im"):
        assert re.search(rf"^\s+- {re.escape(event)}\b", manifest, re.MULTILINE), event
    for scope in ("commands", "chat:write", "files:write", "files:read", "usergroups:read", "im:history"):
        assert re.search(rf"^\s+- {re.escape(scope)}\b", manifest, re.MULTILINE), scope
    assert manifest.count("/slack/events") == 3
    assert "home_tab_enabled: true" in manifest and "is_enabled: true" in manifest


def test_serve_without_slack_secrets_says_what_to_set(database_url, monkeypatch):
    from bot.cli import app

    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(REPO_ROOT / "tests")  # no .env here
    result = CliRunner().invoke(app, ["serve", "--no-scheduler"])
    assert result.exit_code == 2
    assert "SLACK_SIGNING_SECRET" in result.output and "SLACK_APP_TOKEN" in result.output


def test_planbot_serve_answers_signed_requests_and_stops_on_sigterm(database_url, fake_slack, tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    from pathlib import Path

    from tests.bot.conftest import SECRET
    from tests.fakes import payloads

    with socket.socket() as probe:  # a free port for the server to take
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-serve",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "PLANBOT_COORDINATORS": "UCOORD",
    }
    env.pop("SLACK_APP_TOKEN", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "planbot"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-scheduler",
        ],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_output(server, "/slack/events", timeout=30, what="start")
        body = payloads.slash_command(
            "/plan", "帮助", user_id="UCOORD", response_url=fake_slack.response_url("s")
        )
        status, _ = payloads.post_signed(f"http://127.0.0.1:{port}/slack/events", body, SECRET)
        assert status == 200
        fake_slack.wait_until(lambda: fake_slack.responses("s"))
        assert "planbot 命令" in fake_slack.responses("s")[0]["text"]
        assert payloads.post_signed(f"http://127.0.0.1:{port}/slack/events", body, "forged")[0] == 401
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        server.stdout.close()  # type: ignore[union-attr]
