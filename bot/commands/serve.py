"""`planbot serve` (the Slack bot, HTTP or Socket Mode, with the reminder scheduler) and `planbot chat` (console)."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Annotated

import typer

from bot.deps import Deps
from bot.settings import Settings, load_settings, reveal


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("chat")(chat_command)


def serve_command(
    port: Annotated[
        int | None, typer.Option(help="HTTP 端口（默认 PLANBOT_PORT 或 3000）/ HTTP port")
    ] = None,
    host: Annotated[str, typer.Option(help="监听地址 / address to listen on")] = "0.0.0.0",
    scheduler: Annotated[
        bool, typer.Option(help="同时运行提醒任务 / also run the reminder scheduler")
    ] = True,
    reply_processes: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=32,
            help="在几个子进程中查询并回复（默认 PLANBOT_REPLY_PROCESSES 或 2；0 = 在本进程的线程中）"
            " / worker processes that build replies (0: threads)",
        ),
    ] = None,
) -> None:
    """运行 Slack 机器人：设置了 SLACK_APP_TOKEN 时用 Socket Mode，否则在 /slack/events 提供 HTTP 服务。
    Run the Slack bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on /slack/events."""
    from bot.after_ack import work_for_serving
    from bot.app import (
        MissingSlackSetting,
        build_app,
        close_app,
        freeze_startup_heap,
        require_slack_settings,
        web_client,
    )
    from bot.http_server import SlackHttpServer
    from bot.log_setup import configure_logging

    configure_logging(logging.INFO)  # httpx quiet, secrets masked in every line
    settings = load_settings()
    engine, deps = _deps(settings)
    try:
        client = web_client(settings)
        deps.slack_client = client
        deps.notifier = _notifier(settings, client, deps)
        require_slack_settings(settings, client=client)  # before any reply process starts
        processes = settings.reply_processes if reply_processes is None else reply_processes
        after_ack = work_for_serving(settings, clock=deps.clock, processes=processes)
        app = build_app(settings, client=client, deps=deps, after_ack=after_ack)
    except MissingSlackSetting as missing:
        typer.echo(str(missing), err=True)
        raise typer.Exit(code=2) from None
    leader = _start_scheduler(deps, engine) if scheduler else None
    freeze_startup_heap()
    # SIGTERM from systemd or docker stops like Ctrl-C, so the scheduler lock is released cleanly
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if reveal(settings.slack_app_token):
            handler = socket_mode_handler(app, settings)
            handler.connect()
            typer.echo("planbot：Socket Mode 已连接，无需公网地址。 Connected in Socket Mode.")
            try:
                threading.Event().wait()  # the handler's own threads receive and answer
            except KeyboardInterrupt:
                pass
            finally:
                handler.close()
        else:
            from bot.database_probe import DatabaseProbe

            probe = DatabaseProbe(deps.session_factory)
            server = SlackHttpServer(app, host=host, port=port or settings.port, database_health=probe.health)
            typer.echo(f"planbot：在 http://{host}:{server.port}/slack/events 等待 Slack 请求。 Listening.")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
            finally:
                server.stop()
    finally:
        close_app(app)  # replies already acknowledged are still sent
        if leader is not None:
            leader.close()
        engine.dispose()


def socket_mode_handler(app, settings: Settings):  # type: ignore[no-untyped-def]
    """Socket Mode through slack_sdk's built-in client (no websocket library needed). It asks
    apps.connections.open for its URL through the app's WebClient, so SLACK_API_URL reaches a proxy or a fake."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, reveal(settings.slack_app_token))


def chat_command(
    user: Annotated[
        str, typer.Option(help="以哪个 Slack 用户 ID 的身份对话 / whose Slack user id to act as")
    ] = "console",
    coordinator: Annotated[bool, typer.Option(help="以协调员身份 / act as a coordinator")] = True,
) -> None:
    """在终端里与 planbot 对话（与 Slack 中相同的命令和提问）。 Talk to planbot in the terminal."""
    from bot.console import ConsoleChat

    settings = load_settings()
    engine, deps = _deps(settings)
    try:
        ConsoleChat(deps, user_id=user, coordinator=coordinator).run(sys.stdin, sys.stdout)
    finally:
        engine.dispose()


def _deps(settings: Settings):  # type: ignore[no-untyped-def]
    from storage.db import open_database, session_factory

    engine = open_database(settings.database_url)
    return engine, Deps(settings=settings, session_factory=session_factory(engine))


def _notifier(settings: Settings, client, deps: Deps):  # type: ignore[no-untyped-def]
    try:
        from bot.notifiers.digest_chart import digest_chart_attachment
        from bot.notifiers.setup import build_notifier
    except ImportError:  # reminders not installed in this build
        return None
    charts = digest_chart_attachment(deps.session_factory, clock=deps.clock, timezone=settings.timezone)
    return build_notifier(settings, slack_client=client, attachment_for=charts)


def _start_scheduler(deps: Deps, engine):  # type: ignore[no-untyped-def]
    try:
        from bot.scheduler import run_scheduler
    except ImportError:
        return None
    return run_scheduler(deps, engine)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
