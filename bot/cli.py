"""The `planbot` command line: one typer app, each area of commands registered from its own module."""

from __future__ import annotations

import typer

from bot.commands import demo, extract, ledger, plans, remind, report, serve, task

app = typer.Typer(
    name="planbot",
    help="planbot：把规划文件里的任务分工变成各部门的任务台账，并按期提醒。"
    " Reads Chinese development plans into a per-department task ledger and reminds departments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def planbot() -> None:
    """planbot：规划任务台账与提醒。 Plan task ledger and reminders."""


for module in (extract, ledger, task, plans, serve, remind, demo, report):
    module.register(app)


def main() -> None:
    app()
