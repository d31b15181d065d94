"""Slack listeners for the coordinator's corrections: the 修改 button and its modal, and command buttons
(the review card's 全部确认 / 查看清单 / 舍弃), which run a /plan command for whoever pressed them.

Registered by handlers.slack_listeners.register, whose helpers (the ack-then-work queue, who is asking,
answering an action) they share. Like every listener they only parse and ack before handing over the work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.deps import Deps
from handlers.rendering import ACTION_EDIT, ACTION_RUN
from handlers.replies import Reply
from handlers.router import Asker, failure_reply, run_text
from handlers.task_edit_modal import EDIT_CALLBACK, apply_form, editable_task, read_form

log = logging.getLogger(__name__)


def register(
    app: App,
    deps: Deps,
    *,
    later: Callable[[Callable[[], None], str, dict[str, Any]], None],
    asker: Callable[[Any, str, str | None], Asker],
    today: Callable[[], Any],
) -> None:
    from handlers.slack_listeners import _channel_of, _context, _notify, _reply_to_action

    @app.action(ACTION_RUN)
    def run_command_button(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: Any
    ) -> None:
        ack()
        text = str(action.get("value", ""))

        def answer() -> None:
            reply = run_text(deps, asker(client, body["user"]["id"], _channel_of(body)), text)
            _reply_to_action(reply, body=body, respond=respond, client=client, today=today())

        later(answer, "command button", body)

    @app.action(ACTION_EDIT)
    def open_edit_form(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: Any
    ) -> None:
        ack()
        value = str(action.get("value", ""))

        def answer() -> None:
            who = asker(client, body["user"]["id"], _channel_of(body))
            with deps.session_factory() as session:
                ctx = _context(deps, session, who)
                found = editable_task(ctx, int(value)) if value.isdigit() else failure_reply()
            if isinstance(found, Reply):
                _reply_to_action(found, body=body, respond=respond, client=client, today=today())
                return
            client.views_open(trigger_id=body["trigger_id"], view=found)

        later(answer, "edit button", body)

    @app.view(EDIT_CALLBACK)
    def submit_edit(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        form = read_form(view)
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
            return
        ack()
        meta = json.loads(view.get("private_metadata") or "{}")
        user_id = body["user"]["id"]

        def answer() -> None:
            who = asker(client, user_id, meta.get("channel_id"))
            try:
                with deps.session_factory() as session:
                    reply = apply_form(_context(deps, session, who), int(meta.get("task_id", 0)), form)
            except Exception:
                log.exception("edit form failed", extra={"user_id": user_id, "task_id": meta.get("task_id")})
                reply = failure_reply()
            _notify(reply, client=client, user_id=user_id, channel_id=meta.get("channel_id"), today=today())

        later(answer, "edit form", body)
