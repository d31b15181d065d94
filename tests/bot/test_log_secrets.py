"""No robot key, signature or Slack token reaches the log at the default level, and the SQLite ledger is private.

Logging is configured as `planbot serve` configures it (bot.log_setup), writing into a buffer the test reads.
"""

from __future__ import annotations

import io
import logging
import stat
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from bot.log_setup import configure_logging, redact
from bot.notifiers.setup import build_notifier
from bot.settings import Settings, reveal
from storage.db import create_engine_for

DINGTALK_TOKEN = "dtTOKEN0123456789abcdef"
WECOM_KEY = "wecomKEY-6f1e-4c2a"
FEISHU_HOOK = "feishuHOOK-9a8b7c6d"
BOT_TOKEN = "xoxb-1111-2222-botSECRET"
SIGNING_SECRET = "signingSECRET0123"


@pytest.fixture
def log_buffer():  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    handler = configure_logging(logging.INFO, stream=buffer)
    try:
        yield buffer
    finally:
        logging.getLogger().removeHandler(handler)


def robot_settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="sqlite://",
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        dingtalk_webhook=f"https://oapi.dingtalk.test/robot/send?access_token={DINGTALK_TOKEN}",
        dingtalk_secret="SECdingtalkSIGNING",
        wecom_webhook=f"https://qyapi.weixin.test/cgi-bin/webhook/send?key={WECOM_KEY}",
        feishu_webhook=f"https://open.feishu.test/open-apis/bot/v2/hook/{FEISHU_HOOK}",
    )


def test_robot_reminders_leave_no_key_in_the_log(log_buffer):
    sent: list[httpx.Request] = []

    def robots(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if "weixin" in str(request.url):  # one robot fails, so the failure path logs too
            return httpx.Response(500, text="busy")
        return httpx.Response(200, json={"errcode": 0, "code": 0, "errmsg": "ok"})

    notifier = build_notifier(robot_settings(), http=httpx.Client(transport=httpx.MockTransport(robots)))
    for target in ("dingtalk:default", "wecom:default", "feishu:default"):
        notifier.send(target, "【任务到期提醒】测试", delivery_key=f"k-{target}")
    assert len(sent) == 3 and DINGTALK_TOKEN in str(sent[0].url)  # the keys were used, only not logged
    # what other code might log: a URL in a warning, a token in an exception's message
    log = logging.getLogger("planbot.test")
    log.warning("robot failed: %s", sent[1].url)
    log.warning("dingtalk: %s", sent[0].url)
    try:
        raise RuntimeError(f"cannot reach {sent[2].url} with {BOT_TOKEN}")
    except RuntimeError:
        log.exception("send failed")
    written = log_buffer.getvalue()
    assert "robot failed" in written and "Traceback" in written
    signature = sent[0].url.params["sign"]
    for secret in (DINGTALK_TOKEN, WECOM_KEY, FEISHU_HOOK, BOT_TOKEN, signature, "SECdingtalkSIGNING"):
        assert secret not in written, f"{secret} is in the log"
    assert "HTTP Request" not in written  # httpx's per-request INFO lines are off


def test_settings_hold_secrets_out_of_their_repr():
    settings = robot_settings()
    shown = repr(settings) + str(settings.model_dump())
    for secret in (BOT_TOKEN, SIGNING_SECRET, DINGTALK_TOKEN, WECOM_KEY, FEISHU_HOOK):
        assert secret not in shown
    assert reveal(settings.slack_bot_token) == BOT_TOKEN
    assert reveal(Settings(_env_file=None, slack_bot_token="").slack_bot_token) is None  # type: ignore[call-arg]


def test_redact_keeps_what_is_not_secret():
    line = (
        "POST https://oapi.dingtalk.test/robot/send?access_token=abc&timestamp=1700&sign=x%3D 200 /plan 任务"
    )
    assert (
        redact(line)
        == "POST https://oapi.dingtalk.test/robot/send?access_token=***&timestamp=1700&sign=*** 200 /plan 任务"
    )
    assert redact("postgresql://planbot:pw@db/planbot") == "postgresql://planbot:***@db/planbot"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_ledger_and_its_folder_are_private(tmp_path):
    folder = tmp_path / "data" / "planbot"
    database = folder / "planbot.sqlite3"
    engine = create_engine_for(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        assert mode_of(folder) == 0o700
        assert mode_of(database) == 0o600
        for companion in folder.glob("planbot.sqlite3-*"):  # -wal and -shm take the file's permissions
            assert mode_of(companion) & 0o077 == 0, companion.name
    finally:
        engine.dispose()
