"""Group robots: each platform's documented signature, recomputed here independently, and their answers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import httpx

from bot.notifiers import FAILED, RETRY, SENT, UNKNOWN, RateLimit
from bot.notifiers.console import ConsoleNotifier
from bot.notifiers.dingtalk import DingTalkNotifier, dingtalk_sign
from bot.notifiers.feishu import FeishuNotifier, feishu_sign
from bot.notifiers.wecom import WeComNotifier

TIMESTAMP_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
SECRET = "SEC0123456789abcdef"


def recording_client(answer: dict, status: int = 200) -> tuple[httpx.Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=answer)

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


def test_dingtalk_signature_matches_the_documented_algorithm():
    # DingTalk: HmacSHA256(key=secret, message=timestamp+"\n"+secret) -> Base64 -> urlEncode
    message = f"{TIMESTAMP_MS}\n{SECRET}".encode()
    expected = urllib.parse.quote_plus(
        base64.b64encode(hmac.new(SECRET.encode(), message, hashlib.sha256).digest())
    )
    assert dingtalk_sign(TIMESTAMP_MS, SECRET) == expected
    assert "%" in expected or "+" not in expected  # url-encoded: no raw '+', '/' or '='
    assert dingtalk_sign(TIMESTAMP_MS + 1, SECRET) != expected


def test_dingtalk_posts_text_to_the_signed_url():
    client, seen = recording_client({"errcode": 0, "errmsg": "ok"})
    target = "dingtalk:4"
    notifier = DingTalkNotifier(
        client,
        {target: "https://oapi.dingtalk.test/robot/send?access_token=abc"},
        secret=SECRET,
        wall_clock_ms=lambda: TIMESTAMP_MS,
    )
    assert notifier.send(target, "【任务到期提醒】测试", delivery_key="k").status == SENT
    query = urllib.parse.parse_qs(seen[0].url.query.decode())
    assert query["access_token"] == ["abc"] and query["timestamp"] == [str(TIMESTAMP_MS)]
    assert urllib.parse.quote_plus(query["sign"][0]) == dingtalk_sign(TIMESTAMP_MS, SECRET)
    assert json.loads(seen[0].content) == {"msgtype": "text", "text": {"content": "【任务到期提醒】测试"}}
    assert notifier.rate_limits(target) == (RateLimit(20, 60.0),)
    assert notifier.find_sent(target, "k") is UNKNOWN


def test_dingtalk_rate_limit_code_is_transient_and_bad_signature_permanent():
    client, _ = recording_client({"errcode": 130101, "errmsg": "send too fast"})
    notifier = DingTalkNotifier(client, {"dingtalk:1": "https://x.test/send"}, secret=SECRET)
    assert notifier.send("dingtalk:1", "t", delivery_key="k").status == RETRY
    client, _ = recording_client({"errcode": 310000, "errmsg": "sign not match"})
    notifier = DingTalkNotifier(client, {"dingtalk:1": "https://x.test/send"}, secret=SECRET)
    assert notifier.send("dingtalk:1", "t", delivery_key="k").status == FAILED


def test_feishu_signature_matches_the_documented_algorithm():
    # Feishu: HmacSHA256 with key = timestamp+"\n"+secret over an empty message -> Base64
    timestamp = TIMESTAMP_MS // 1000
    key = f"{timestamp}\n{SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert feishu_sign(timestamp, SECRET) == expected


def test_feishu_puts_timestamp_and_sign_in_the_body():
    client, seen = recording_client({"code": 0, "msg": "success"})
    notifier = FeishuNotifier(
        client,
        {"feishu:2": "https://open.feishu.test/open-apis/bot/v2/hook/xyz"},
        secret=SECRET,
        wall_clock_ms=lambda: TIMESTAMP_MS,
    )
    assert notifier.send("feishu:2", "中期评估提醒", delivery_key="k").status == SENT
    body = json.loads(seen[0].content)
    assert body["timestamp"] == str(TIMESTAMP_MS // 1000)
    assert body["sign"] == feishu_sign(TIMESTAMP_MS // 1000, SECRET)
    assert body["msg_type"] == "text" and body["content"] == {"text": "中期评估提醒"}
    assert notifier.rate_limits("feishu:2") == (RateLimit(5, 1.0), RateLimit(100, 60.0))


def test_feishu_errors():
    client, _ = recording_client(
        {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}
    )
    notifier = FeishuNotifier(client, {"feishu:2": "https://x.test/hook"}, secret=SECRET)
    assert notifier.send("feishu:2", "t", delivery_key="k").status == FAILED
    client, _ = recording_client({"code": 11232, "msg": "frequency limited"})
    notifier = FeishuNotifier(client, {"feishu:2": "https://x.test/hook"}, secret=SECRET)
    assert notifier.send("feishu:2", "t", delivery_key="k").status == RETRY


def test_wecom_key_stays_in_the_url_and_5xx_is_transient():
    client, seen = recording_client({"errcode": 0, "errmsg": "ok"})
    url = "https://qyapi.weixin.test/cgi-bin/webhook/send?key=KEY-1"
    notifier = WeComNotifier(client, {"wecom:3": url})
    assert notifier.send("wecom:3", "年度监测", delivery_key="k").status == SENT
    assert str(seen[0].url) == url
    assert json.loads(seen[0].content) == {"msgtype": "text", "text": {"content": "年度监测"}}
    client, _ = recording_client({}, status=502)
    assert WeComNotifier(client, {"wecom:3": url}).send("wecom:3", "t", delivery_key="k").status == RETRY


def test_timeouts_are_transient_and_unbound_targets_fail():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    notifier = WeComNotifier(client, {"wecom:3": "https://x.test/send?key=1"})
    assert notifier.send("wecom:3", "t", delivery_key="k").status == RETRY
    assert notifier.send("wecom:9", "t", delivery_key="k").status == FAILED


def test_console_notifier_prints_and_remembers():
    import io

    stream = io.StringIO()
    notifier = ConsoleNotifier(stream)
    assert notifier.send("console:demo", "你好", delivery_key="k1").status == SENT
    assert "你好" in stream.getvalue() and notifier.find_sent("console:demo", "k1")


def test_pacer_keeps_each_robot_inside_its_windows():
    from bot.notifiers import TargetPacer

    feishu = (RateLimit(5, 1.0), RateLimit(100, 60.0))
    pacer = TargetPacer()
    now = 0.0
    sent_at = []
    for _ in range(110):
        now = pacer.next_free("feishu:2", feishu, now)
        pacer.record("feishu:2", feishu, now)
        sent_at.append(now)
    assert all(later - earlier >= 1.0 for earlier, later in zip(sent_at, sent_at[5:], strict=False))
    assert all(later - earlier >= 60.0 for earlier, later in zip(sent_at, sent_at[100:], strict=False))
    assert sent_at[4] == 0.0 and sent_at[5] == 1.0  # bursts of five are allowed
    dingtalk = (RateLimit(20, 60.0),)
    pacer.block("dingtalk:1", 30.0)  # a "too fast" answer asked us to wait
    assert pacer.next_free("dingtalk:1", dingtalk, 0.0) == 30.0
