"""Platform-neutral command logic (parse -> query -> Reply), and `register(app, deps)` for the Slack adapter."""

from __future__ import annotations

from typing import Any


def register(app: Any, deps: Any, *, after_ack: Any = None) -> Any:
    """Add planbot's listeners to a Bolt app (imported here so that the console never loads Slack code).

    Returns what runs the work after each ack (bot.after_ack); bot.app.close_app shuts it down.
    """
    from handlers.slack_listeners import register as register_slack

    return register_slack(app, deps, after_ack=after_ack)
