"""Slack listeners for indicators: the 报送数值 button opens the modal, and its submission records the value.

Registered by handlers.slack_listeners.register, whose helpers (the ack-then-work queue, who is asking,
answering an action) they share. Like every listener they only parse and ack before handing over the work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.deps import Deps
from handlers.indicator_commands import may_report, report_value
from handlers.indicator_modal import (
    ACTION_REPORT,
    REPORT_CALLBACK,
    form_metadata,
    indicator_id_of,
    read_form,
    report_modal,
)
from handlers.replies import Reply
from handlers.router import Asker, failure_reply
from storage.indicators import indicator_rows

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

    @app.action(ACTION_REPORT)
    def open_report_form(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: Any
    ) -> None:
        ack()
        indicator_id = indicator_id_of(str(action.get("value", "")))

        def answer() -> None:
            who = asker(client, body["user"]["id"], _channel_of(body))
            with deps.session_factory() as session:
                ctx = _context(deps, session, who)
                refused = may_report(ctx, indicator_id) if indicator_id is not None else failure_reply()
                rows = indicator_rows(
                    session=session, indicator_ids=[indicator_id or 0], include_archived=True
                )
            if refused is not None or not rows:
                _reply_to_action(
                    refused or failure_reply(), body=body, respond=respond, client=client, today=today()
                )
                return
            view = report_modal(rows[0], year=today().year - 1, channel_id=_channel_of(body))
            client.views_open(trigger_id=body["trigger_id"], view=view)

        later(answer, "indicator report button", body)

    @app.view(REPORT_CALLBACK)
    def submit_report(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        meta = form_metadata(view.get("private_metadata"))
        form = read_form(view)
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
            return
        ack()
        user_id = body["user"]["id"]
        if meta is None:
            log.warning("indicator form with unreadable metadata", extra={"user_id": user_id})
        indicator_id, channel_id = meta if meta is not None else (0, None)

        def answer() -> None:
            who = asker(client, user_id, channel_id)
            try:
                with deps.session_factory() as session:
                    ctx = _context(deps, session, who)
                    reply: Reply | None = may_report(ctx, indicator_id)
                    if reply is None:
                        reply = report_value(
                            ctx, indicator_id=indicator_id, year=form.year, value=form.value, note=form.note
                        )
            except Exception:
                log.exception(
                    "indicator form failed", extra={"user_id": user_id, "indicator_id": indicator_id}
                )
                reply = failure_reply()
            _notify(reply, client=client, user_id=user_id, channel_id=channel_id, today=today())

        later(answer, "indicator form", body)
