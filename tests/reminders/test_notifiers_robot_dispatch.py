"""A department bound to a DingTalk robot gets its reminders there, signed, through the same dispatcher."""

from __future__ import annotations

import json
import urllib.parse
from datetime import UTC, date, datetime

import httpx
from sqlalchemy import select

from bot.deps import Deps
from bot.notifiers.dispatch import DispatchOptions
from bot.notifiers.setup import build_notifier
from bot.scheduler import REMINDER_KINDS, dispatch, sweep
from bot.settings import Settings
from storage.models import ChannelBinding, Delivery
from tests.reminders.ledger_rows import seed_ledger

NOW = datetime(2025, 3, 13, 1, 30, tzinfo=UTC)


def test_robot_binding_receives_signed_reminders(sessions):
    with sessions() as session:
        seeded = seed_ledger(session, due_dates=[date(2025, 3, 20)], coordinator=None)
        binding = ChannelBinding(
            department_id=seeded["departments"][0].id,
            channel_id="发改局工作群",
            platform="dingtalk",
            webhook_url="https://oapi.dingtalk.test/robot/send?access_token=tok",
        )
        session.add(binding)
        session.commit()
        target = f"dingtalk:{binding.id}"
    seen: list[httpx.Request] = []

    def robot(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    settings = Settings(database_url="sqlite://", dingtalk_secret="SECabc")
    notifier = build_notifier(settings, http=httpx.Client(transport=httpx.MockTransport(robot)))
    deps = Deps(settings=settings, session_factory=sessions, clock=lambda: NOW, notifier=notifier)
    assert sweep(deps, kinds=REMINDER_KINDS) == 1
    report = dispatch(deps, options=DispatchOptions(workers=1))
    assert report.sent == 1
    query = urllib.parse.parse_qs(seen[0].url.query.decode())
    assert query["access_token"] == ["tok"] and query["sign"] and query["timestamp"]
    assert "还剩 7 天" in json.loads(seen[0].content)["text"]["content"]
    with sessions() as session:
        row = session.execute(select(Delivery)).scalars().one()
    assert (row.target, row.status) == (target, "sent")


def test_settings_robot_reaches_departments_with_no_binding(sessions):
    with sessions() as session:
        seed_ledger(session, due_dates=[date(2025, 3, 20)], coordinator=None)
    seen: list[httpx.Request] = []

    def robot(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    url = "https://qyapi.weixin.test/cgi-bin/webhook/send?key=KEY"
    settings = Settings(database_url="sqlite://", wecom_webhook=url)
    notifier = build_notifier(settings, http=httpx.Client(transport=httpx.MockTransport(robot)))
    deps = Deps(settings=settings, session_factory=sessions, clock=lambda: NOW, notifier=notifier)
    assert sweep(deps, kinds=REMINDER_KINDS) == 1
    assert dispatch(deps, options=DispatchOptions(workers=1)).sent == 1
    assert str(seen[0].url) == url
    with sessions() as session:
        assert session.execute(select(Delivery.target)).scalar_one() == "wecom:default"
