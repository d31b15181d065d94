"""Platform-neutral command logic (parse -> query -> Reply), and `register(app, deps)` for the Slack adapter."""

from __future__ import annotations

from typing import Any


def register(app: Any, deps: Any) -> None:
    """Add planbot's listeners to a Bolt app (imported here so that the console never loads Slack code)."""
    from handlers.slack_listeners import register as register_slack

    register_slack(app, deps)
