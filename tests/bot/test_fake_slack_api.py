"""The fake Slack Web API answers slack_sdk's WebClient as Slack would, and records what it was sent."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
def fake():
    with FakeSlackApi() as server:
        yield server


@pytest.fixture
def client(fake):
    return WebClient(token="xoxb-test", base_url=fake.api_url)


def test_post_message_is_recorded_with_headers_body_and_metadata(fake, client):
    metadata = {"event_type": "planbot_reminder", "event_payload": {"key": "deadline:1:2025-06-30"}}
    response = client.chat_postMessage(
        channel="C1", text="到期提醒", blocks=[{"type": "divider"}], metadata=metadata
    )
    assert response["ok"]
    [call] = fake.calls("chat.postMessage")
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert call.body["text"] == "到期提醒"
    [message] = fake.messages("C1")
    assert message["metadata"] == metadata
    assert message["ts"] == response["ts"]


def test_history_returns_newest_first_and_metadata_only_when_asked(fake, client):
    for n in range(3):
        client.chat_postMessage(
            channel="C1", text=f"m{n}", metadata={"event_type": "k", "event_payload": {"n": n}}
        )
    plain = client.conversations_history(channel="C1")
    assert [m["text"] for m in plain["messages"]] == ["m2", "m1", "m0"]
    assert "metadata" not in plain["messages"][0]
    page = client.conversations_history(channel="C1", include_all_metadata=True, limit=2)
    assert page["has_more"] and page["messages"][0]["metadata"]["event_payload"] == {"n": 2}
    rest = client.conversations_history(channel="C1", cursor=page["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["m0"]


def test_fail_next_answers_429_with_retry_after_then_recovers(fake, client):
    fake.fail_next("chat.postMessage", status=429, count=2, retry_after=3)
    for _ in range(2):
        with pytest.raises(SlackApiError) as error:
            client.chat_postMessage(channel="C1", text="x")
        assert error.value.response.status_code == 429
        assert error.value.response.headers["Retry-After"] == "3"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake.calls("chat.postMessage")] == [429, 429, 200]


def test_fail_next_500(fake, client):
    fake.fail_next("views.publish", status=500)
    with pytest.raises(SlackApiError) as error:
        client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert error.value.response.status_code == 500
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["ok"]


def test_rate_limit_mode_allows_one_message_per_second_per_channel():
    now = [100.0]
    with FakeSlackApi(rate_limit_per_channel=1.0, monotonic=lambda: now[0]) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        assert client.chat_postMessage(channel="C1", text="a")["ok"]
        assert client.chat_postMessage(channel="C2", text="a")["ok"]
        with pytest.raises(SlackApiError) as error:
            client.chat_postMessage(channel="C1", text="b")
        assert error.value.response.headers["Retry-After"] == "1"
        now[0] += 1.0
        assert client.chat_postMessage(channel="C1", text="b")["ok"]
        assert [m["text"] for m in fake.messages("C1")] == ["a", "b"]


def test_sdk_retry_handler_honours_retry_after(fake):
    client = WebClient(
        token="xoxb-test", base_url=fake.api_url, retry_handlers=[RateLimitErrorRetryHandler(1)]
    )
    fake.fail_next("chat.postMessage", status=429, count=1, retry_after=0)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]


def test_files_upload_v2_round_trip(fake, client):
    result = client.files_upload_v2(channel="C1", content=b"xlsx-bytes", filename="ledger.xlsx", title="台账")
    assert result["file"]["title"] == "台账"
    assert list(fake.uploads().values()) == [b"xlsx-bytes"]
    assert fake.calls("files.completeUploadExternal")[0].body["channel_id"] == "C1"


def test_users_usergroups_views_and_response_urls(fake, client):
    fake.add_user("U1", "zhang", real_name="张三")
    fake.set_usergroup("S1", ["U1", "U2"])
    assert client.users_info(user="U1")["user"]["real_name"] == "张三"
    assert client.users_info.__name__ and not _ok(lambda: client.users_info(user="U9"))
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U2"]
    opened = client.views_open(
        trigger_id="t", view={"type": "modal", "title": {"type": "plain_text", "text": "x"}}
    )
    assert opened["view"]["id"].startswith("V")
    assert client.auth_test()["user_id"] == "UBOT"

    import urllib.request

    request = urllib.request.Request(
        fake.response_url("cmd-1"), data=b'{"text": "ok"}', headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
    assert fake.responses("cmd-1") == [{"text": "ok"}]


def test_unknown_method_and_missing_token(fake):
    assert not _ok(lambda: WebClient(token="xoxb-test", base_url=fake.api_url).api_call("nope.nope"))
    assert not _ok(lambda: WebClient(base_url=fake.api_url).auth_test())


def _ok(call) -> bool:
    try:
        return bool(call()["ok"])
    except SlackApiError:
        return False
