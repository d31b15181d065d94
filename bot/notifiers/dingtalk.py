"""DingTalk group robot (自定义机器人): signed webhook, at most 20 messages per minute per robot.

Signing, as DingTalk documents it: sign = urlencode(base64(HmacSHA256(key=secret, msg=timestamp + "\\n" +
secret))), with the timestamp in milliseconds; both go into the webhook URL's query string.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import quote_plus

from bot.notifiers import RateLimit
from bot.notifiers.webhook import WebhookNotifier


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class DingTalkNotifier(WebhookNotifier):
    platform = "dingtalk"
    limits = (RateLimit(20, 60.0),)
    retry_codes = frozenset({130101})  # 发送速度太快而限流

    def request(self, url: str, text: str) -> tuple[str, dict[str, Any]]:
        if self.secret:
            timestamp = self.now_ms()
            separator = "&" if "?" in url else "?"
            url = f"{url}{separator}timestamp={timestamp}&sign={dingtalk_sign(timestamp, self.secret)}"
        return url, {"msgtype": "text", "text": {"content": text}}
