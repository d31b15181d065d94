"""What the group robots (DingTalk, Feishu/Lark, WeCom) share: a JSON POST through an injected httpx client.

Robots keep no history we could search, so `find_sent` answers UNKNOWN: a delivery a dead process left
half-sent is sent again (at least once), where Slack's is checked first (exactly once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from bot.notifiers import FAILED, RETRY, SENT, UNKNOWN, RateLimit, SendOutcome


class WebhookNotifier:
    platform = ""
    limits: tuple[RateLimit, ...] = ()
    retry_codes: frozenset[int] = frozenset()  # the platform's "too fast" codes: wait and send again
    retry_after_seconds = 60.0

    def __init__(
        self,
        http: httpx.Client,
        webhooks: Mapping[str, str],
        *,
        secret: str | None = None,
        wall_clock_ms: Callable[[], int] | None = None,
    ) -> None:
        self.http = http
        self.webhooks = dict(webhooks)  # target -> webhook URL
        self.secret = secret
        self._wall_clock_ms = wall_clock_ms

    def rate_limits(self, target: str) -> tuple[RateLimit, ...]:
        return self.limits

    def now_ms(self) -> int:
        if self._wall_clock_ms is not None:
            return self._wall_clock_ms()
        import time

        return int(time.time() * 1000)

    def request(self, url: str, text: str) -> tuple[str, dict[str, Any]]:
        """The signed URL and JSON body of one text message (each platform words it its own way)."""
        raise NotImplementedError

    def result_code(self, answer: Mapping[str, Any]) -> tuple[int, str]:
        return int(answer.get("errcode", -1)), str(answer.get("errmsg", ""))

    def send(self, target: str, text: str, *, delivery_key: str) -> SendOutcome:
        url = self.webhooks.get(target)
        if not url:
            return SendOutcome(FAILED, error=f"no webhook bound for {target}")
        signed_url, body = self.request(url, text)
        try:
            response = self.http.post(signed_url, json=body, timeout=10.0)
        except httpx.TimeoutException as error:
            return SendOutcome(RETRY, error=f"timeout: {error}")
        except httpx.TransportError as error:
            return SendOutcome(RETRY, error=f"network: {error}")
        if response.status_code == 429:
            return SendOutcome(
                RETRY,
                retry_after=float(response.headers.get("retry-after") or self.retry_after_seconds),
                error="http 429",
            )
        if response.status_code >= 500:
            return SendOutcome(RETRY, error=f"http {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            return SendOutcome(FAILED, error=f"http {response.status_code}: not JSON")
        code, message = self.result_code(answer)
        if code == 0:
            return SendOutcome(SENT)
        if code in self.retry_codes:
            return SendOutcome(RETRY, retry_after=self.retry_after_seconds, error=f"{code} {message}")
        return SendOutcome(FAILED, error=f"{self.platform} {code}: {message}")

    def find_sent(self, target: str, delivery_key: str, *, fresh: bool = False) -> object:
        return UNKNOWN
