"""The README keeps its promises: the two commands on top, and a settings table that matches .env.example."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CI_TEST_BLOCK = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -q -e '.[dev]' && "
    "python -m pytest -q -p no:cacheprovider"
)


def _fenced_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def test_the_top_is_the_demo_then_the_tests() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = _fenced_blocks(readme)
    assert readme.startswith("# planbot\n\n```bash\n")
    assert blocks[0].strip().endswith("pip install -q -e . && planbot demo")
    # .ci/run runs the second block verbatim
    assert blocks[1].strip() == CI_TEST_BLOCK
    before_third = readme.split("```", 4)[4]
    assert "```" not in before_third.split("\n## ", 1)[0]  # nothing else fenced before the first section


def test_every_setting_of_env_example_is_in_the_readme_table() -> None:
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    settings = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## 全部设置", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert settings, "no settings found in .env.example"
    assert settings - documented == set(), "settings missing from the README table"
    assert documented - settings == set(), "README documents settings .env.example does not have"


def _example_conversation(readme: str) -> list[tuple[str, list[str]]]:
    """The README's example: (what the user types, the answer's lines as shown, "…" marking a cut)."""
    section = readme.split("## 对话示例", 1)[1].split("\n## ", 1)[0]
    [block] = _fenced_blocks(section)
    turns: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("你> "):
            turns.append((line[len("你> ") :], []))
        elif line.strip():
            turns[-1][1].append(line.rstrip())
    return turns


def _shown_in_order(expected: list[str], answer: str) -> bool:
    """Every expected line is a line of the answer, in the same order; "…" stands for any lines."""
    lines = iter(line.rstrip() for line in answer.splitlines())
    return all(any(line == wanted for line in lines) for wanted in expected if wanted != "…")


def test_the_example_conversation_is_what_the_demo_ledger_answers(tmp_path, monkeypatch) -> None:
    """Each line the README shows is replayed on the demo's ledger, on the demo's day, through the console."""
    from datetime import date

    from typer.testing import CliRunner

    from bot.cli import app
    from bot.commands.demo import FrozenClock
    from bot.console import ConsoleChat
    from bot.deps import Deps
    from bot.settings import load_settings
    from storage.db import open_database, session_factory

    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    folder = tmp_path / "demo"
    built = CliRunner().invoke(app, ["demo", "--dir", str(folder)], catch_exceptions=False)
    assert built.exit_code == 0, built.output[-2000:]
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    engine = open_database(url)
    try:
        deps = Deps(
            settings=load_settings(DATABASE_URL=url),
            session_factory=session_factory(engine),
            clock=FrozenClock(date(2025, 6, 16)),  # the samples' "today", as the demo uses
        )
        chat = ConsoleChat(deps, files_dir=tmp_path / "files")
        turns = _example_conversation((REPO_ROOT / "README.md").read_text(encoding="utf-8"))
        assert len(turns) >= 4
        for said, shown in turns:
            answer = chat.say(said)
            assert _shown_in_order(shown, answer), (
                f"README shows for {said!r}:\n"
                + "\n".join(shown)
                + (f"\n\nthe demo ledger answers:\n{answer}")
            )
    finally:
        engine.dispose()
