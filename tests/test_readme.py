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


def test_the_example_conversation_is_what_the_demo_ledger_answers(tmp_path, monkeypatch) -> None:
    """Each question the README shows is asked again on the demo's ledger; the answers must read the same."""
    from tests import readme_conversation

    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme_conversation.example_block(readme)
    said = readme_conversation.questions(block)
    assert len(said) >= 4
    readme_conversation.build_demo(tmp_path / "demo")
    replayed = readme_conversation.replayed_block(said, tmp_path / "demo")
    assert block == replayed, (
        "The README's example conversation is not what the demo ledger answers. If the new answers are "
        "right, rewrite the example with: python -m tests.readme_conversation"
    )
