"""Slack: chat.postMessage with the delivery key as message metadata, so a resend can be ruled out.

Slack allows about one message per second per channel; a 429 carries Retry-After. Permanent errors (the
channel is gone, the bot is not in it) fail the delivery. A 5xx, a timeout or a dropped connection leaves the
outcome *unclear*: Slack may have posted the message. Before resending such a delivery, or one that a dead
process left half-done, `find_sent` looks through the channel's recent history for a message carrying the
same key; when the history cannot be read, `join` tries to join the channel first. slack_sdk's own retry
handlers are off for all of this (`without_retries`).
"""

from __future__ import annotations

import http.client
import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.notifiers import FAILED, RETRY, SENT, UNCLEAR, RateLimit, SendOutcome, address_of
from handlers.slack_text import escape

log = logging.getLogger(__name__)

METADATA_EVENT = "planbot_reminder"
PER_CHANNEL = (RateLimit(1, 1.0),)
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "user_not_found",
        "cannot_dm_bot",
        "restricted_action",
        "too_many_attachments",
        "invalid_blocks",
    }
)
HISTORY_PAGES = 5  # recovery looks at the last 5 × 200 messages of a channel


def without_retries(client: WebClient) -> WebClient:
    """A copy of `client` without slack_sdk's retry handlers (by default it resends once after a dropped
    connection, which duplicates a message Slack had already taken): the dispatcher decides about resends,
    after looking at the channel's history."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        logger=client.logger,
        retry_handlers=[],
    )


class SlackNotifier:
    def __init__(
        self,
        client: WebClient,
        *,
        history_pages: int = HISTORY_PAGES,
        attachment_for: Callable[[str], tuple[str, bytes, str] | None] | None = None,
    ) -> None:
        self.client = without_retries(client)
        self.history_pages = history_pages
        # (file name, bytes, title) to upload beside a message, e.g. the chart of a coordinators' digest
        self.attachment_for = attachment_for
        self._history_keys: dict[
            str, dict[str, str]
        ] = {}  # channel -> delivery key -> ts, one scan per channel

    def rate_limits(self, target: str) -> tuple[RateLimit, ...]:
        return PER_CHANNEL

    def send(self, target: str, text: str, *, delivery_key: str) -> SendOutcome:
        try:
            response = self.client.chat_postMessage(
                channel=address_of(target),
                # reminders and digests are plain text (the robots get them as written); in Slack a task
                # text holding <!channel> must show, not ping
                text=escape(text),
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"delivery_key": delivery_key}},
            )
        except SlackApiError as error:
            return _outcome_of_error(error)
        except (OSError, TimeoutError, http.client.HTTPException) as error:
            # a timeout, a reset or a refused connection: Slack may have posted the message before it went wrong
            return SendOutcome(UNCLEAR, error=f"network: {type(error).__name__}: {error}")
        self._attach(delivery_key, channel=response.get("channel"), thread_ts=response.get("ts"))
        return SendOutcome(SENT, message_ts=response.get("ts"))

    def _attach(self, delivery_key: str, *, channel: str | None, thread_ts: str | None) -> None:
        """Upload the message's attachment into its thread; a failure is logged, the message stays sent."""
        if self.attachment_for is None or not channel:
            return
        try:
            attachment = self.attachment_for(delivery_key)
            if attachment is None:
                return
            filename, content, title = attachment
            self.client.files_upload_v2(
                channel=channel, file=content, filename=filename, title=title, thread_ts=thread_ts
            )
        except (SlackApiError, OSError, ValueError) as error:
            log.warning("attachment for %s not uploaded: %s", delivery_key, error)

    def find_sent(self, target: str, delivery_key: str, *, fresh: bool = False) -> str | None:
        """The ts of a message in the target's recent history that carries `delivery_key`, or None.

        Raises on an API error: when the history cannot be read, resending could duplicate, so the caller
        joins the channel or keeps the delivery as uncertain instead. `fresh` reads the history again (after
        an unclear send), instead of the scan made once per recovery.
        """
        channel = address_of(target)
        if fresh or channel not in self._history_keys:
            self._history_keys[channel] = self._scan_history(channel)
        return self._history_keys[channel].get(delivery_key)

    def join(self, target: str) -> bool:
        """Join a public channel (conversations.join, scope channels:join) so that its history can be read."""
        channel = address_of(target)
        if not channel.startswith("C"):
            return False  # a DM, a private channel: only a person can add the bot
        try:
            self.client.conversations_join(channel=channel)
        except (SlackApiError, OSError, http.client.HTTPException) as error:
            log.warning("cannot join %s to read its history: %s", channel, error)
            return False
        return True

    def forget_history(self) -> None:
        self._history_keys.clear()

    def _scan_history(self, channel: str) -> dict[str, str]:
        try:
            return self._keys_in_history(channel)
        except SlackApiError as error:
            if error.response.get("error") != "channel_not_found" or not channel.startswith("U"):
                raise
        # a DM was addressed by user id; its history lives in the IM channel that conversations.open names
        opened = self.client.conversations_open(users=channel)
        return self._keys_in_history(opened["channel"]["id"])

    def _keys_in_history(self, channel: str) -> dict[str, str]:
        keys: dict[str, str] = {}
        cursor = None
        for _ in range(self.history_pages):
            page = self.client.conversations_history(
                channel=channel, limit=200, include_all_metadata=True, cursor=cursor
            )
            for message in page.get("messages", []):
                key = _delivery_key_of(message)
                if key:
                    keys[key] = message.get("ts", "")
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
        return keys


def _delivery_key_of(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_EVENT:
        return None
    return (metadata.get("event_payload") or {}).get("delivery_key")


def _outcome_of_error(error: SlackApiError) -> SendOutcome:
    response = error.response
    status = getattr(response, "status_code", 200)
    code = response.get("error") if hasattr(response, "get") else None
    if status == 429 or code == "ratelimited":
        headers = {key.lower(): value for key, value in (getattr(response, "headers", None) or {}).items()}
        retry_after = headers.get("retry-after")
        if isinstance(retry_after, list):
            retry_after = retry_after[0]
        return SendOutcome(RETRY, retry_after=float(retry_after or 1), error="ratelimited")
    if status >= 500:
        # Slack may have posted the message before failing to answer
        return SendOutcome(UNCLEAR, error=f"http {status}: {code or 'server error'}")
    if code in PERMANENT_ERRORS:
        return SendOutcome(FAILED, error=code)
    # invalid_auth, account_inactive…: a configuration problem someone can fix; keep the reminder for later
    log.warning("Slack refused a reminder: %s", code)
    return SendOutcome(RETRY, error=str(code))
