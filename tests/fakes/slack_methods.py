"""The Web API methods the fake Slack server answers: one `_api_<method>` each, as (status, headers, JSON).

Mixed into tests.fakes.slack_api.FakeSlackApi, which records the calls, applies the injected failures and the
per-channel rate limit, and calls these under its lock with its `_state`.
"""

from __future__ import annotations

import math
from typing import Any

BOT_USER_ID = "UBOT"
TEAM_ID = "T0001"


class SlackMethods:
    # Each _api_* answers one Web API method under the lock: (status, extra headers, JSON body).

    def _api_auth_test(self, body: dict[str, Any], now: float) -> tuple[int, dict[str, str], dict[str, Any]]:
        return (
            200,
            {},
            {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "planbot-test",
                "user": "planbot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": "BBOT",
            },
        )

    def _api_chat_postMessage(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        channel = str(body.get("channel", ""))
        if not channel:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if self.rate_limit_per_channel:
            interval = 1.0 / self.rate_limit_per_channel
            last = self._state.last_post_at.get(channel)
            if last is not None and now - last < interval:
                wait = max(1, math.ceil(interval - (now - last)))
                return 429, {"Retry-After": str(wait)}, {"ok": False, "error": "ratelimited"}
            self._state.last_post_at[channel] = now
        message = {
            "type": "message",
            "ts": self._next_ts(),
            "user": BOT_USER_ID,
            "bot_id": "BBOT",
            "text": body.get("text", ""),
            "blocks": body.get("blocks"),
            "metadata": body.get("metadata"),
            "thread_ts": body.get("thread_ts"),
        }
        self._state.messages[channel].append(message)
        return 200, {}, {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _api_chat_postEphemeral(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        return 200, {}, {"ok": True, "message_ts": self._next_ts()}

    def _api_chat_update(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        return (
            200,
            {},
            {"ok": True, "channel": body.get("channel"), "ts": body.get("ts"), "text": body.get("text")},
        )

    def _api_conversations_history(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        channel = str(body.get("channel", ""))
        if channel in self._state.history_refused:
            return 200, {}, {"ok": False, "error": "not_in_channel"}
        newest_first = list(reversed(self._state.messages.get(channel, [])))
        oldest = float(body.get("oldest") or 0)
        newest_first = [m for m in newest_first if float(m["ts"]) > oldest]
        include_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        start = int(body.get("cursor") or 0)
        limit = int(body.get("limit") or 100)
        page = newest_first[start : start + limit]
        if not include_metadata:
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        has_more = start + limit < len(newest_first)
        return (
            200,
            {},
            {
                "ok": True,
                "messages": page,
                "has_more": has_more,
                "response_metadata": {"next_cursor": str(start + limit) if has_more else ""},
            },
        )

    def _api_conversations_join(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        channel = str(body.get("channel", ""))
        if self._state.history_refused.get(channel) is False:
            return 200, {}, {"ok": False, "error": "method_not_supported_for_channel_type"}
        self._state.history_refused.pop(channel, None)
        return 200, {}, {"ok": True, "channel": {"id": channel, "is_member": True}}

    def _api_conversations_open(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        users = str(body.get("users", ""))
        return 200, {}, {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("U")}}

    def _api_views_open(self, body: dict[str, Any], now: float) -> tuple[int, dict[str, str], dict[str, Any]]:
        return self._view_answer(body)

    def _api_views_publish(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        return self._view_answer(body)

    def _api_views_update(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        return self._view_answer(body)

    def _view_answer(self, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        view = body.get("view")
        if not isinstance(view, dict):
            return 200, {}, {"ok": False, "error": "invalid_arguments"}
        stored = {**view, "id": body.get("view_id") or self._next_id("V"), "team_id": TEAM_ID}
        self._state.views.append(stored)
        return 200, {}, {"ok": True, "view": stored}

    def _api_users_info(self, body: dict[str, Any], now: float) -> tuple[int, dict[str, str], dict[str, Any]]:
        user = self._state.users.get(str(body.get("user", "")))
        if user is None:
            return 200, {}, {"ok": False, "error": "user_not_found"}
        return 200, {}, {"ok": True, "user": user}

    def _api_usergroups_users_list(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        users = self._state.usergroups.get(str(body.get("usergroup", "")))
        if users is None:
            return 200, {}, {"ok": False, "error": "no_such_subteam"}
        return 200, {}, {"ok": True, "users": list(users)}

    def _api_files_getUploadURLExternal(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        file_id = self._next_id("F")
        return 200, {}, {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}upload/{file_id}"}

    def _api_files_completeUploadExternal(
        self, body: dict[str, Any], now: float
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        files = body.get("files")
        if not isinstance(files, list):
            return 200, {}, {"ok": False, "error": "invalid_arguments"}
        missing = [f.get("id") for f in files if f.get("id") not in self._state.uploads]
        if missing:
            return 200, {}, {"ok": False, "error": "file_not_found"}
        return (
            200,
            {},
            {
                "ok": True,
                "files": [
                    {"id": f["id"], "title": f.get("title"), "size": len(self._state.uploads[f["id"]])}
                    for f in files
                ],
            },
        )
