"""The Slack app factory (bot.http_server serves it over HTTP).

No App exists at import: `build_app(settings, deps=...)` builds one, so tests and benchmarks build as many as
they need, each pointed at its own fake Web API through `SLACK_API_URL` or an injected `WebClient`.
"""

from __future__ import annotations

import gc
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.after_ack import AfterAck
from bot.deps import Deps
from bot.event_dedup import register_event_dedup
from bot.replay_guard import register_replay_guard
from bot.settings import Settings, reveal

log = logging.getLogger(__name__)


class MissingSlackSetting(RuntimeError):
    pass


def web_client(settings: Settings) -> WebClient:
    """The one seam to the Slack Web API: SLACK_API_URL points it at a proxy or at the tests' fake server."""
    if settings.slack_api_url:
        return WebClient(token=reveal(settings.slack_bot_token), base_url=_with_slash(settings.slack_api_url))
    return WebClient(token=reveal(settings.slack_bot_token))


def require_slack_settings(settings: Settings, *, client: WebClient | None = None) -> None:
    """The signing secret is required in HTTP mode, the bot token unless a client is given."""
    if not reveal(settings.slack_signing_secret) and not reveal(settings.slack_app_token):
        raise MissingSlackSetting(
            "缺少 SLACK_SIGNING_SECRET（HTTP 模式）或 SLACK_APP_TOKEN（Socket Mode）。请在 .env 中设置。\n"
            "Set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) in .env."
        )
    if not reveal(settings.slack_bot_token) and client is None:
        raise MissingSlackSetting(
            "缺少 SLACK_BOT_TOKEN（xoxb-…）。请在 .env 中设置。 Set SLACK_BOT_TOKEN (xoxb-…) in .env."
        )


def build_app(
    settings: Settings, *, client: WebClient | None = None, deps: Deps, after_ack: AfterAck | None = None
) -> App:
    """A Bolt app with every planbot listener registered (see require_slack_settings).

    `after_ack` runs each listener's work after its ack (bot.after_ack); by default a small thread pool.
    """
    require_slack_settings(settings, client=client)
    client = client or web_client(settings)
    if deps.slack_client is None:
        deps.slack_client = client
    # Listeners run on the request's thread and only parse, ack and queue work (handlers.slack_listeners), so
    # the answer leaves when they return: no hop to Bolt's five-thread pool and its 10 ms ack polling.
    listeners = ThreadPoolExecutor(max_workers=4, thread_name_prefix="planbot-listener")
    app = App(
        client=client,
        listener_executor=listeners,
        signing_secret=reveal(settings.slack_signing_secret) or "",
        # Socket Mode connections are authenticated by the app token; signatures only exist over HTTP.
        request_verification_enabled=not reveal(settings.slack_app_token),
        token_verification_enabled=False,  # auth.test at start-up would make the factory reach the network
        process_before_response=True,
        logger=logging.getLogger("planbot.slack"),
    )
    from handlers import register

    register_replay_guard(app)  # a signed command or click sent again within five minutes runs once
    register_event_dedup(app)  # before the listeners: a retried event must not reach them
    work = register(app, deps, after_ack=after_ack)
    app.planbot_executors = (listeners, work)  # type: ignore[attr-defined]  (close_app waits for them)
    return app


def close_app(app: App) -> None:
    """Let the work already acknowledged finish, then stop the app's threads."""
    executors: tuple[Any, ...] = getattr(app, "planbot_executors", ())
    for executor in executors:
        executor.shutdown(wait=True)


def freeze_startup_heap() -> None:
    """Keep the objects built at start-up out of every later garbage collection; call once, before serving.

    Modules, ORM metadata and the app are some 100,000 objects that live as long as the process. A full
    collection walked them all, and every request in flight waited: 110 ms in one pause, measured by
    bench/slash.py on a busy two-core machine, enough to take the ack p99 past 100 ms on its own.
    """
    gc.collect()
    gc.freeze()


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
