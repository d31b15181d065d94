"""WeCom (企业微信) group robot: the key is in the webhook URL, no signature; 20 messages per minute."""

from __future__ import annotations

from typing import Any

from bot.notifiers import RateLimit
from bot.notifiers.webhook import WebhookNotifier


class WeComNotifier(WebhookNotifier):
    platform = "wecom"
    limits = (RateLimit(20, 60.0),)
    retry_codes = frozenset({45009})  # api freq out of limit

    def request(self, url: str, text: str) -> tuple[str, dict[str, Any]]:
        return url, {"msgtype": "text", "text": {"content": text}}
