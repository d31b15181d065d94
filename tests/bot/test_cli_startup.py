"""A quick command line: a query imports what it needs and no more, and a table shows a page, not the ledger.

bench/ledger.py prints the start-up times themselves (against `python -c "import sqlalchemy.orm"`); these
tests keep the reasons for them from coming back: the demo, the scheduler, Slack and Alembic imported by
every command, and a table of every matching row.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot import cli
from bot.commands import ledger
from storage.db import head_revision, newest_revision_on_disk, open_database
from tests.storage.test_cli_ledger import ledger_url, run  # noqa: F401  (fixtures)

REPO_ROOT = Path(__file__).resolve().parents[2]
NOT_FOR_A_QUERY = (
    "bot.commands.demo",
    "bot.scheduler",
    "slack_bolt",
    "alembic",
    "matplotlib",
    "ingest.pipeline",
)


def modules_after(args: list[str], database_url: str, tmp_path: Path) -> set[str]:
    """The modules `planbot ARGS` imported, from a fresh interpreter."""
    script = (
        "import sys, json\n"
        f"sys.argv = ['planbot', *{args!r}]\n"
        "from bot.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(json.loads(finished.stderr.rpartition("MODULES ")[2]))


def test_a_ledger_query_imports_neither_the_demo_nor_slack_nor_alembic(ledger_url, tmp_path):  # noqa: F811
    loaded = modules_after(["tasks", "--dept", "莱芜区科技局"], ledger_url, tmp_path)
    assert "bot.commands.ledger" in loaded and "storage.queries" in loaded
    assert [name for name in NOT_FOR_A_QUERY if name in loaded] == []


def test_help_still_lists_every_command(ledger_url, tmp_path):  # noqa: F811
    result = CliRunner().invoke(cli.build_cli(["--help"]), ["--help"])
    for commands in cli.COMMAND_MODULES.values():
        for command in commands:
            assert command in result.output


@pytest.mark.parametrize("module", sorted(cli.COMMAND_MODULES))
def test_the_table_of_command_modules_names_what_each_module_registers(module):
    app = typer.Typer()
    importlib.import_module(module).register(app)
    registered = {command.name or command.callback.__name__ for command in app.registered_commands}
    registered |= {group.name for group in app.registered_groups}
    assert registered == set(cli.COMMAND_MODULES[module])


def test_a_migrated_sqlite_file_is_opened_without_alembic(database_url, monkeypatch):
    assert newest_revision_on_disk() == head_revision()
    monkeypatch.setattr("storage.db.upgrade", lambda *_: pytest.fail("no migration is due"))
    open_database(database_url).dispose()


def test_a_new_sqlite_file_is_still_migrated_on_open(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    try:
        from storage.db import at_newest_revision

        assert at_newest_revision(engine)
    finally:
        engine.dispose()


def test_a_table_shows_a_page_and_says_there_is_more(run, monkeypatch):  # noqa: F811
    everything = run("tasks", "--format", "jsonl").stdout.splitlines()
    tasks = {json.loads(line)["id"] for line in everything}
    assert len(tasks) > 3
    monkeypatch.setattr(ledger, "TABLE_PAGE", 3)
    page = run("tasks")
    assert "任务 / tasks（3 项）" in page.stdout
    assert "只显示了前 3 项任务，还有更多。加 --limit 12 看更多，--limit 0 看全部" in page.stderr
    whole = run("tasks", "--limit", "0")
    assert f"任务 / tasks（{len(tasks)} 项）" in whole.stdout and "还有更多" not in whole.stderr
    # jsonl is for programs: every row, whatever the page
    assert run("tasks", "--format", "jsonl").stdout.splitlines() == everything


def test_the_departments_table_shows_a_page_too(run, monkeypatch):  # noqa: F811
    every = run("depts", "--format", "jsonl").stdout.splitlines()
    assert len(every) > 2
    monkeypatch.setattr(ledger, "TABLE_PAGE", 2)
    page = run("depts")
    assert f"只显示了前 2 个单位（共 {len(every)} 个）。加 --limit 0 看全部" in page.stderr
    assert (
        "还有" not in run("depts", "--limit", "0").stderr
        and "只显示" not in run("depts", "--limit", "0").stderr
    )
