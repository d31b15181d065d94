"""The Slack adapter's listeners: small named functions that ack at once, then queue the real work.

`register(app, deps)` adds them to a Bolt app built by bot.app.build_app, which runs listeners on the request's
own thread (process_before_response=True): a listener parses, acks and hands its work to `after_ack`
(bot.after_ack: threads, or worker processes that rebuild the work from the request payload), so the HTTP
answer leaves as soon as the listener returns. Replies then go to the response_url, a modal, App Home or the
channel.

In a worker process the same listeners run again on the payload: everything a listener does before handing
over its work must therefore be free of side effects (parse, validate, ack).
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import timedelta
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.after_ack import AfterAck, Job, ThreadedWork
from bot.deps import Deps
from bot.settings import reveal
from handlers import home, progress
from handlers.commands import parse
from handlers.context import CommandContext, local_today
from handlers.once_per_event import once_per_event
from handlers.permissions import resolve_actor
from handlers.progress_modal import (
    MODAL_CALLBACK,
    expired_form_view,
    modal_metadata,
    modal_values,
    progress_modal,
)
from handlers.rendering import (
    ACTION_DONE,
    ACTION_HOME_HELP,
    ACTION_HOME_TASKS,
    ACTION_SHOW,
    ACTION_UPDATE,
    STALE_BUTTON,
    message,
    page_value,
    task_id_of,
)
from handlers.replies import Reply
from handlers.router import Asker, actor_for, answer_message, execute, failure_reply, run_text
from handlers.slack_text import unescape

log = logging.getLogger(__name__)
MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
GROUP_CACHE = timedelta(minutes=5)


class CoordinatorGroup:
    """Members of the coordinators' Slack user group, looked up at most every five minutes."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._lock = threading.Lock()
        self._members: frozenset[str] = frozenset()
        self._fetched_at = None

    def members(self, client: Any) -> frozenset[str]:
        usergroup = self._deps.settings.coordinator_usergroup
        if not usergroup:
            return frozenset()
        now = self._deps.clock()
        with self._lock:
            if self._fetched_at is not None and now - self._fetched_at < GROUP_CACHE:
                return self._members
        try:
            users = client.usergroups_users_list(usergroup=usergroup)["users"]
        except SlackApiError as error:
            log.warning(
                "could not read the coordinators' user group %s: %s", usergroup, error.response.get("error")
            )
            return self._members
        with self._lock:
            self._members, self._fetched_at = frozenset(users), now
        return self._members


def register(app: App, deps: Deps, *, after_ack: AfterAck | None = None) -> AfterAck:
    """Add the listeners; returns what runs the work after each ack (the caller shuts it down)."""
    group = CoordinatorGroup(deps)
    # Work after the ack runs there, not on Bolt's listener threads: a slow query or reply then never delays
    # the ack of the next request.
    work = after_ack or ThreadedWork()

    def later(job: Job, what: str, payload: dict[str, Any]) -> None:
        # an event's receipt is written in its work, not before its ack (handlers.once_per_event)
        guarded = once_per_event(job, payload=payload, session_factory=deps.session_factory, clock=deps.clock)
        work.run(guarded, what=what, payload=payload)

    def asker(client: Any, user_id: str, channel_id: str | None) -> Asker:
        return Asker(user_id=user_id, channel_id=channel_id, group_coordinators=group.members(client))

    def today():  # type: ignore[no-untyped-def]
        return local_today(deps)

    def refresh_home(client: Any, user_id: str) -> None:
        try:
            with deps.session_factory() as session:
                reply = home.home_reply(_context(deps, session, asker(client, user_id, None)))
        except Exception:
            log.exception("App Home failed", extra={"user_id": user_id})
            reply = failure_reply()
        client.views_publish(user_id=user_id, view=home.home_view(reply, today()))

    @app.command("/plan")
    def plan_command(
        ack: Any, body: dict[str, Any], command: dict[str, Any], respond: Any, client: Any
    ) -> None:
        # Slack escapes & < > in what people type; the core reads plain text and escapes on the way out
        parsed = parse(unescape(command.get("text", "")), today())
        if isinstance(parsed, Reply):
            ack(**_ack_body(message(parsed, today())))
            return
        if parsed.subcommand.slow:
            ack(
                text=f"⏳ 正在处理“{parsed.subcommand.zh}”，完成后回复你。 Working on it; I will report back.",
                response_type="ephemeral",
            )
        else:
            ack()

        def answer() -> None:
            who = asker(client, command["user_id"], command.get("channel_id"))
            reply = execute(deps, who, parsed)
            channel_id = command.get("channel_id")
            _deliver(
                reply,
                respond=respond,
                client=client,
                channel_id=channel_id,
                user_id=who.user_id,
                today=today(),
            )

        later(answer, f"/plan {parsed.subcommand.en}", body)

    @app.action(re.compile(r"^plan_page_(previous|next)$"))
    def turn_page(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: Any) -> None:
        ack()
        target = page_value(action.get("value", ""))
        if target is None:
            respond(
                text="这个翻页按钮已失效，请重新输入命令。 This button has expired; run the command again.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        command, number = target

        def answer() -> None:
            text = command if isinstance(command, str) else _stored_query(deps, command)
            if text is None:  # a stored query a week old, or an id nobody stored
                respond(text=STALE_BUTTON, response_type="ephemeral", replace_original=False)
                return
            reply = run_text(deps, asker(client, body["user"]["id"], _channel_of(body)), text, page=number)
            respond(**message(reply, today()), replace_original=True)

        later(answer, "page", body)

    def button_running(verb: str, label: str):  # type: ignore[no-untyped-def]
        """A task-card button that runs `/plan <verb> <task id>` for whoever pressed it."""

        def listener(
            ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: Any
        ) -> None:
            ack()
            task_id = task_id_of(action.get("value", ""))

            def answer() -> None:
                if task_id is None:
                    reply = Reply(headline=STALE_BUTTON, ok=False)
                else:
                    reply = run_text(
                        deps, asker(client, body["user"]["id"], _channel_of(body)), f"{verb} {task_id}"
                    )
                _reply_to_action(reply, body=body, respond=respond, client=client, today=today())

            later(answer, label, body)

        return listener

    app.action(ACTION_SHOW)(button_running("详情", "show button"))
    app.action(ACTION_DONE)(button_running("完成", "done button"))

    from handlers import task_edit_listeners  # the 修改 modal and command buttons, with this module's helpers

    task_edit_listeners.register(app, deps, later=later, asker=asker, today=today)

    from handlers import indicator_listeners  # the 报送数值 button and modal

    indicator_listeners.register(app, deps, later=later, asker=asker, today=today)

    @app.action(ACTION_UPDATE)
    def open_progress_form(
        ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any, client: Any
    ) -> None:
        ack()
        task_id = task_id_of(action.get("value", ""))

        def answer() -> None:
            if task_id is None:
                stale = Reply(headline=STALE_BUTTON, ok=False)
                _reply_to_action(stale, body=body, respond=respond, client=client, today=today())
                return
            who = asker(client, body["user"]["id"], _channel_of(body))
            with deps.session_factory() as session:
                ctx = _context(deps, session, who)
                found = progress.task_for_update(ctx, task_id)
            if isinstance(found, Reply):
                _reply_to_action(found, body=body, respond=respond, client=client, today=today())
                return
            view = progress_modal(found, channel_id=_channel_of(body))
            client.views_open(trigger_id=body["trigger_id"], view=view)

        later(answer, "update button", body)

    @app.view(MODAL_CALLBACK)
    def submit_progress(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        meta = modal_metadata(view.get("private_metadata"))
        if meta is None:
            # the modal itself says so: a reply elsewhere would be missed, and silence looks like success
            log.warning("progress form with unreadable metadata", extra={"user_id": body["user"]["id"]})
            ack(response_action="update", view=expired_form_view())
            return
        status, percent_text, note = modal_values(view)
        form = progress.validate_form(status, percent_text, note)
        if isinstance(form, dict):
            ack(response_action="errors", errors=form)
            return
        ack()
        user_id = body["user"]["id"]

        def answer() -> None:
            who = asker(client, user_id, meta.channel_id)
            reply = _apply_form(deps, who, meta.task_id, form, meta.version)
            _notify(reply, client=client, user_id=user_id, channel_id=meta.channel_id, today=today())
            if meta.channel_id is None:  # the form came from App Home: show the new state there
                refresh_home(client, user_id)

        later(answer, "progress form", body)

    @app.action(ACTION_HOME_TASKS)
    def home_tasks(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        user_id = body["user"]["id"]

        def answer() -> None:
            text = "任务" if _has_department(deps, user_id) else "逾期"
            reply = run_text(deps, asker(client, user_id, None), text)
            _notify(reply, client=client, user_id=user_id, channel_id=None, today=today())

        later(answer, "home tasks button", body)

    @app.action(ACTION_HOME_HELP)
    def home_help(ack: Any, body: dict[str, Any], client: Any) -> None:
        ack()
        user_id = body["user"]["id"]

        def answer() -> None:
            reply = run_text(deps, asker(client, user_id, None), "帮助")
            _notify(reply, client=client, user_id=user_id, channel_id=None, today=today())

        later(answer, "home help button", body)

    # Events are acknowledged by Bolt when the listener returns, so each listener only queues its work.

    @app.event("app_home_opened")
    def publish_home(body: dict[str, Any], event: dict[str, Any], client: Any) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]

        later(lambda: refresh_home(client, user_id), "App Home", body)

    @app.event("app_mention")
    def on_mention(body: dict[str, Any], event: dict[str, Any], client: Any) -> None:
        text = unescape(MENTION.sub(" ", event.get("text", ""))).strip()
        channel = event["channel"]

        def answer() -> None:
            who = asker(client, event["user"], channel)
            reply = answer_message(deps, who, text or "帮助")
            body = message(reply, today())
            body.pop("response_type", None)
            thread = event.get("thread_ts") or event.get("ts")
            if actor_for(deps, who).is_coordinator:
                client.chat_postMessage(channel=channel, thread_ts=thread, **body)
            else:
                # only the asker sees the answer: anyone can mention the bot, and its answer (a refusal naming
                # the coordinators, a long list) must not ping or flood the channel for them
                client.chat_postEphemeral(channel=channel, user=who.user_id, thread_ts=thread, **body)

        later(answer, "mention", body)

    @app.event("message")
    def on_direct_message(body: dict[str, Any], event: dict[str, Any], client: Any) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("user") in (None, ""):
            return
        shared = event.get("subtype") == "file_share" and event.get("files")
        if event.get("subtype") and not shared:
            return

        def answer() -> None:
            who = asker(client, event["user"], event["channel"])
            if shared:
                from handlers.shared_files import ingest_shared_files

                reply = ingest_shared_files(
                    deps, who, event["files"], token=reveal(deps.settings.slack_bot_token) or ""
                )
            else:
                reply = answer_message(deps, who, unescape(event.get("text", "")))
            body = message(reply, today())
            body.pop("response_type", None)
            client.chat_postMessage(channel=event["channel"], **body)

        later(answer, "direct message", body)

    return work


def _ack_body(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in ("text", "blocks", "response_type")}


def _deliver(
    reply: Reply, *, respond: Any, client: Any, channel_id: str | None, user_id: str, today: Any
) -> None:
    """Answer a slash command after its ack: upload a file, or respond to the response_url.

    A file is seen by everyone in a channel, so only public replies (a coordinator's) go there; others
    arrive in the person's DM with the bot.
    """
    if reply.upload is not None and channel_id:
        try:
            target = channel_id if reply.public else client.conversations_open(users=user_id)["channel"]["id"]
            client.files_upload_v2(
                channel=target,
                content=reply.upload.content,
                filename=reply.upload.filename,
                title=reply.upload.title,
                initial_comment=reply.headline,
            )
            return
        except SlackApiError as error:
            code = error.response.get("error")
            log.warning("file upload failed: %s", code, extra={"channel_id": channel_id})
            reply = Reply(
                headline=f"❌ 文件上传失败（{code}）。请先把 planbot 邀请进这个频道（/invite @planbot），或在私信中导出。\n"
                f"Upload failed ({code}); invite planbot to this channel or export in a DM.",
                ok=False,
            )
    try:
        respond(**message(reply, today))
    except Exception:
        log.exception("respond failed", extra={"channel_id": channel_id})


def _reply_to_action(reply: Reply, *, body: dict[str, Any], respond: Any, client: Any, today: Any) -> None:
    """Buttons in messages carry a response_url; buttons in App Home do not, so those answers go by DM."""
    if body.get("response_url"):
        respond(**message(reply, today), replace_original=False)
    else:
        _notify(reply, client=client, user_id=body["user"]["id"], channel_id=None, today=today)


def _notify(reply: Reply, *, client: Any, user_id: str, channel_id: str | None, today: Any) -> None:
    body = message(reply, today)
    body.pop("response_type", None)
    try:
        if channel_id:
            client.chat_postEphemeral(channel=channel_id, user=user_id, **body)
        else:
            client.chat_postMessage(channel=user_id, **body)
    except SlackApiError as error:
        log.warning("could not tell %s: %s", user_id, error.response.get("error"))


def _apply_form(deps: Deps, who: Asker, task_id: int, form: progress.ProgressForm, version: Any) -> Reply:
    try:
        with deps.session_factory() as session:
            ctx = _context(deps, session, who)
            found = progress.task_for_update(ctx, task_id)
            if isinstance(found, Reply):
                return found
            return progress.apply(
                ctx, found, form, expected_version=int(version) if version is not None else None
            )
    except Exception:
        log.exception("progress form failed", extra={"user_id": who.user_id, "task_id": task_id})
        return failure_reply()


def _context(deps: Deps, session: Any, who: Asker) -> CommandContext:
    actor = resolve_actor(
        session=session,
        settings=deps.settings,
        user_id=who.user_id,
        group_coordinators=who.group_coordinators,
    )
    return CommandContext(
        deps=deps,
        session=session,
        actor=actor,
        today=local_today(deps),
        channel_id=who.channel_id,
        group_coordinators=who.group_coordinators,
    )


def _stored_query(deps: Deps, query_id: int) -> str | None:
    from storage.page_queries import recalled_query

    with deps.session_factory() as session:
        return recalled_query(session=session, query_id=query_id)


def _has_department(deps: Deps, user_id: str) -> bool:
    from storage import bot_queries

    with deps.session_factory() as session:
        found = bot_queries.member(session=session, slack_user_id=user_id)
        return found is not None and found.department_id is not None


def _channel_of(body: dict[str, Any]) -> str | None:
    channel = body.get("channel") or (body.get("container") or {}).get("channel_id")
    if isinstance(channel, dict):
        return channel.get("id")
    return channel
