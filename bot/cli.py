"""The `planbot` command line: one typer app, each area of commands registered from its own module.

A command imports only the module that registers it: `planbot tasks` should not pay for the demo, the
scheduler and Slack, half a second of imports before any work. COMMAND_MODULES says which module registers
which commands and command groups; `planbot --help`, no command or an unknown one imports them all, so the
help lists everything. To add a command, register it in its module and name it here.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer

COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "bot.commands.extract": ("extract",),
    "bot.commands.ledger": (
        "ingest",
        "tasks",
        "depts",
        "calendar",
        "progress",
        "export",
        "apply",
        "alias",
        "dept",
        "db",
    ),
    "bot.commands.task": ("task",),
    "bot.commands.plans": ("plan",),
    "bot.commands.serve": ("serve", "chat"),
    "bot.commands.remind": ("remind",),
    "bot.commands.holidays": ("holidays",),
    "bot.commands.demo": ("demo",),
    "bot.commands.report": ("report",),
    "bot.commands.indicators": ("indicators",),
    "bot.commands.review_pack": ("review-pack",),
}


def planbot() -> None:
    """planbot：规划任务台账与提醒。 Plan task ledger and reminders."""


def build_cli(args: list[str] | None = None) -> typer.Typer:
    """The typer app for `args` (the command line after `planbot`); None builds every command."""
    cli = typer.Typer(
        name="planbot",
        help="planbot：把规划文件里的任务分工变成各部门的任务台账，并按期提醒。"
        " Reads Chinese development plans into a per-department task ledger and reminds departments.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    cli.callback()(planbot)
    for module in modules_for(args):
        importlib.import_module(module).register(cli)
    return cli


def modules_for(args: list[str] | None) -> list[str]:
    """The module that registers the command named in `args`, or all of them."""
    command = next((arg for arg in args if not arg.startswith("-")), None) if args is not None else None
    owners = [module for module, commands in COMMAND_MODULES.items() if command in commands]
    return owners or list(COMMAND_MODULES)


def __getattr__(name: str) -> Any:
    # `from bot.cli import app` (tests, CliRunner) gets every command, built on first use
    if name == "app":
        globals()["app"] = built = build_cli()
        return built
    raise AttributeError(name)


def main() -> None:
    build_cli(sys.argv[1:])()
