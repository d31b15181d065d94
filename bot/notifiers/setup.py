"""Builds the notifier the dispatcher uses from the settings: Slack, the robots, the console."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TextIO

import httpx
from slack_sdk import WebClient

from bot.notifiers import NotifierRouter
from bot.notifiers.console import ConsoleNotifier
from bot.notifiers.dingtalk import DingTalkNotifier
from bot.notifiers.feishu import FeishuNotifier
from bot.notifiers.slack import SlackNotifier
from bot.notifiers.wecom import WeComNotifier
from bot.settings import Settings, reveal


def slack_client_for(settings: Settings) -> WebClient | None:
    token = reveal(settings.slack_bot_token)
    if not token:
        return None
    if settings.slack_api_url:
        return WebClient(token=token, base_url=settings.slack_api_url)
    return WebClient(token=token)


def build_notifier(
    settings: Settings,
    *,
    robot_webhooks: Mapping[str, str] = (),
    slack_client: WebClient | None = None,
    http: httpx.Client | None = None,
    console_stream: TextIO | None = None,
    attachment_for: Callable[[str], tuple[str, bytes, str] | None] | None = None,
) -> NotifierRouter:
    """Slack targets go to Slack when a bot token is set, else to the console (the demo without Slack).

    `robot_webhooks` maps robot targets ("dingtalk:4") to URLs, from the channel bindings; the settings'
    DINGTALK/FEISHU/WECOM webhooks serve the targets "dingtalk:default" and so on.
    """
    console = ConsoleNotifier(console_stream)
    slack_client = slack_client or slack_client_for(settings)
    http = http or httpx.Client(timeout=10.0)
    webhooks = dict(robot_webhooks)
    for platform, url in (
        ("dingtalk", reveal(settings.dingtalk_webhook)),
        ("feishu", reveal(settings.feishu_webhook)),
        ("wecom", reveal(settings.wecom_webhook)),
    ):
        if url:
            webhooks.setdefault(f"{platform}:default", url)

    def of(platform: str) -> dict[str, str]:
        return {target: url for target, url in webhooks.items() if target.startswith(platform + ":")}

    return NotifierRouter(
        {
            "slack": SlackNotifier(slack_client, attachment_for=attachment_for) if slack_client else console,
            "dingtalk": DingTalkNotifier(http, of("dingtalk"), secret=reveal(settings.dingtalk_secret)),
            "feishu": FeishuNotifier(http, of("feishu"), secret=reveal(settings.feishu_secret)),
            "wecom": WeComNotifier(http, of("wecom")),
            "console": console,
        }
    )


def robot_fallback_targets(settings: Settings) -> tuple[str, ...]:
    """The robots set in the settings ("dingtalk:default"…): they reach the departments with no binding."""
    return tuple(
        f"{platform}:default"
        for platform, url in (
            ("dingtalk", reveal(settings.dingtalk_webhook)),
            ("feishu", reveal(settings.feishu_webhook)),
            ("wecom", reveal(settings.wecom_webhook)),
        )
        if url
    )
