"""The README's example conversation, replayed on the demo ledger: what tests/test_readme.py compares.

The README shows what a user types (`你> …`) and the head and first part of each answer, then "…" where
the rest is cut and the page line of a list. Everything shown is the product's own answer on the
demo's ledger and day, so the example cannot drift from the product. When the product's answers change
(a new extraction rule finds more tasks, say), rewrite the example with

    python -m tests.readme_conversation

which replays the same questions and writes the new answers into the README.
"""

from __future__ import annotations

import re
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
README = REPO_ROOT / "README.md"
DEMO_DAY = date(2025, 6, 16)  # the samples' "today", as `planbot demo` plays it
PROMPT = "你> "
BLOCK = re.compile(r"(## 对话示例[^\n]*\n.*?^```text\n)(.*?)(^```)", re.MULTILINE | re.DOTALL)


def example_block(readme: str) -> str:
    found = BLOCK.search(readme)
    assert found is not None, "the README has no ```text block under ## 对话示例"
    return found.group(2)


def questions(block: str) -> list[str]:
    return [line[len(PROMPT) :] for line in block.splitlines() if line.startswith(PROMPT)]


def shown(answer: str) -> list[str]:
    """The head of an answer and its first part (a task card, the dates asked for), then "…" for the rest
    and a list's page line. Parts are separated by blank lines."""
    parts = [part.splitlines() for part in re.split(r"\n\s*\n", answer.strip()) if part.strip()]
    lines = [line.rstrip() for part in parts[:2] for line in part]
    rest = [line.rstrip() for part in parts[2:] for line in part]
    if not rest:
        return lines
    pages = [line for line in rest if line.startswith("第 ") and "页" in line]
    return [*lines, "…", *pages]


def replayed_block(said: list[str], demo_folder: Path) -> str:
    """Each question answered by the console chat on the demo ledger in `demo_folder`, as the README shows it."""
    from bot.commands.demo import FrozenClock
    from bot.console import ConsoleChat
    from bot.deps import Deps
    from bot.settings import load_settings
    from storage.db import open_database, session_factory

    url = f"sqlite:///{demo_folder / 'demo.sqlite3'}"
    engine = open_database(url)
    try:
        deps = Deps(
            settings=load_settings(DATABASE_URL=url),
            session_factory=session_factory(engine),
            clock=FrozenClock(DEMO_DAY),
        )
        chat = ConsoleChat(deps, files_dir=demo_folder / "files")
        turns = ["\n".join([PROMPT + line, *shown(chat.say(line))]) for line in said]
    finally:
        engine.dispose()
    return "\n\n".join(turns) + "\n"


def build_demo(folder: Path) -> None:
    """The demo's ledger, built as `planbot demo` builds it (its chat is skipped: stdin is no terminal)."""
    from typer.testing import CliRunner

    from bot.cli import app

    built = CliRunner().invoke(
        app, ["demo", "--dir", str(folder), "--today", DEMO_DAY.isoformat()], catch_exceptions=False
    )
    assert built.exit_code == 0, built.output[-2000:]


def main() -> None:
    readme = README.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="planbot-readme-") as directory:
        folder = Path(directory) / "demo"
        build_demo(folder)
        block = replayed_block(questions(example_block(readme)), folder)
    updated = BLOCK.sub(lambda found: found.group(1) + block + found.group(3), readme, count=1)
    README.write_text(updated, encoding="utf-8")
    sys.stdout.write(block)


if __name__ == "__main__":
    main()
