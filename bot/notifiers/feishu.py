"""Feishu / Lark group robot (自定义机器人): signed webhook, at most 5 messages per second and 100 per minute.

Signing, as Feishu documents it: the HmacSHA256 *key* is timestamp + "\\n" + secret and the message is empty;
sign = base64(digest). The timestamp is in seconds; both travel in the JSON body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from bot.notifiers import RateLimit
from bot.notifiers.webhook import WebhookNotifier


def feishu_sign(timestamp_s: int, secret: str) -> str:
    string_to_sign = f"{timestamp_s}\n{secret}"
    digest = hmac.new(string_to_sign.encode("utf-8"), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("utf-8")


class FeishuNotifier(WebhookNotifier):
    platform = "feishu"
    limits = (RateLimit(5, 1.0), RateLimit(100, 60.0))
    retry_codes = frozenset({9499, 11232})  # too many requests / frequency limited

    def request(self, url: str, text: str) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if self.secret:
            timestamp = self.now_ms() // 1000
            body = {"timestamp": str(timestamp), "sign": feishu_sign(timestamp, self.secret), **body}
        return url, body

    def result_code(self, answer: Mapping[str, Any]) -> tuple[int, str]:
        # Feishu answers {"code": 0, "msg": "success"}; older robots answered {"StatusCode": 0}
        code = answer.get("code", answer.get("StatusCode", -1))
        return int(code), str(answer.get("msg", answer.get("StatusMessage", "")))
