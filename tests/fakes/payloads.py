"""Slack request bodies as Slack sends them, signed with the app's signing secret.

    body = slash_command("/plan", "任务 区发改局", user_id="U1", response_url=fake.response_url("c1"))
    status, text = post_signed(app_url, body, secret)                 # form body, signed now
    post_signed(app_url, body, secret, timestamp=time.time() - 600)   # stale: Bolt answers 401

Interactivity (buttons, modals) arrives as a form with one `payload` field holding JSON; events arrive as JSON.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit

from slack_sdk.signature import SignatureVerifier

TEAM = {"id": "T0001", "domain": "planbot-test"}


def slash_command(
    command: str,
    text: str,
    *,
    user_id: str,
    channel_id: str = "C0CMD",
    response_url: str,
    trigger_id: str | None = None,
) -> str:
    # every command Slack sends has a trigger id of its own, so no two are alike (bot.replay_guard relies on it)
    trigger_id = trigger_id or f"trigger-{uuid.uuid4().hex[:12]}"
    return urlencode(
        {
            "token": "legacy-unused",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": channel_id,
            "channel_name": "planning",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )


def block_action(
    action_id: str,
    value: str,
    *,
    user_id: str,
    response_url: str | None,
    channel_id: str | None = "C0CMD",
    trigger_id: str = "trigger-2",
    container_type: str = "message",
) -> str:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": TEAM,
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
        "api_app_id": "A0001",
        "trigger_id": trigger_id,
        "container": {"type": container_type, "channel_id": channel_id} if channel_id else {"type": "view"},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "action_ts": f"1700000000.{uuid.uuid4().int % 10**6:06d}",  # each click has its own
            }
        ],
    }
    if channel_id:
        payload["channel"] = {"id": channel_id, "name": "planning"}
    if response_url:
        payload["response_url"] = response_url
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def view_submission(
    view: dict[str, Any], *, user_id: str, status: str | None, percent: str | None, note: str | None
) -> str:
    """Submit a modal built by the bot, with the three progress fields filled in as a person would."""
    values: dict[str, Any] = {
        "status": {
            "value": {
                "type": "static_select",
                "selected_option": {"value": status, "text": {"type": "plain_text", "text": status}}
                if status
                else None,
            }
        },
        "percent": {"value": {"type": "plain_text_input", "value": percent}},
        "note": {"value": {"type": "plain_text_input", "value": note}},
    }
    submitted = {**view, "id": view.get("id", "V1"), "state": {"values": values}}
    payload = {
        "type": "view_submission",
        "team": TEAM,
        "api_app_id": "A0001",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
        "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",  # each submission has its own
        "view": submitted,
    }
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def event_callback(event: dict[str, Any]) -> str:
    return json.dumps(
        {
            "token": "legacy-unused",
            "team_id": TEAM["id"],
            "api_app_id": "A0001",
            "type": "event_callback",
            # every delivery of a new event has an id of its own; only Slack's retries repeat one
            "event_id": f"Ev{uuid.uuid4().hex[:12].upper()}",
            "event_time": 1700000000,
            "event": event,
        },
        ensure_ascii=False,
    )


def app_mention(text: str, *, user_id: str, channel: str = "C0CMD", ts: str = "1700000000.000100") -> str:
    return event_callback(
        {"type": "app_mention", "user": user_id, "text": text, "channel": channel, "ts": ts, "event_ts": ts}
    )


def direct_message(
    text: str, *, user_id: str, channel: str = "D0DM", files: list[dict[str, Any]] | None = None
) -> str:
    event: dict[str, Any] = {
        "type": "message",
        "channel_type": "im",
        "user": user_id,
        "text": text,
        "channel": channel,
        "ts": "1700000000.000200",
        "event_ts": "1700000000.000200",
    }
    if files:
        event["subtype"] = "file_share"
        event["files"] = files
    return event_callback(event)


def app_home_opened(user_id: str) -> str:
    return event_callback(
        {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": "1700000000.000300",
        }
    )


def signed_headers(
    body: str, secret: str, *, timestamp: float | None = None, content_type: str | None = None
) -> dict[str, str]:
    stamp = str(int(timestamp if timestamp is not None else time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    kind = content_type or (
        "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    )
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature, "Content-Type": kind}


def post_signed(
    url: str,
    body: str,
    secret: str,
    *,
    timestamp: float | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, str]:
    """POST `body` to the app, signed unless `headers` replace the signature; returns (status, response text)."""
    parts = urlsplit(url)
    sent = headers if headers is not None else signed_headers(body, secret, timestamp=timestamp)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", parts.path, body=body.encode("utf-8"), headers=sent)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def view_submission_values(view: dict[str, Any], *, user_id: str, values: dict[str, dict[str, Any]]) -> str:
    """Submit a modal built by the bot with `values` as its state: {block_id: {action_id: element state}}."""
    submitted = {**view, "id": view.get("id", "V1"), "state": {"values": values}}
    payload = {
        "type": "view_submission",
        "team": TEAM,
        "api_app_id": "A0001",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM["id"]},
        "trigger_id": f"trigger-{uuid.uuid4().hex[:12]}",  # each submission has its own
        "view": submitted,
    }
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
