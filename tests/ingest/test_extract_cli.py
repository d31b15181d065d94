"""`planbot extract` as users run it: a real process, real files, its exit code and its words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def planbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from bot.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def test_jsonl_follows_the_contract(samples_dir: Path):
    result = planbot("extract", str(samples_dir / "division_plan.txt"), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) > 30
    assert set(records[0]) == {
        "department",
        "role",
        "task",
        "evidence",
        "section",
        "due",
        "recurrence",
        "starts",
    }
    assert any(r["department"] == "区住建局" and r["due"] == "2025-11-30" for r in records)


def test_table_for_people(samples_dir: Path):
    result = planbot("extract", str(samples_dir / "district_plan_implementation.txt"))
    assert result.returncode == 0, result.stderr
    assert "区发展改革局" in result.stdout and "牵头" in result.stdout


def test_several_inputs_in_one_run(samples_dir: Path, seeds_dir: Path):
    paths = [str(path) for path in sorted(seeds_dir.glob("*.txt"))]
    result = planbot("extract", *paths, "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    evidence = {json.loads(line)["evidence"] for line in result.stdout.splitlines()}
    assert len(evidence) > 50


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.txt", b"", "空"),
        ("blank.txt", b"\n\n   \n", "空"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "格式"),
        ("binary.txt", bytes(range(256)) * 40, ""),
    ],
)
def test_bad_documents_are_refused_in_chinese_first(tmp_path: Path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    result = planbot("extract", str(path), "--format", "jsonl")
    assert result.returncode != 0
    assert result.stdout == ""
    first_line = result.stderr.strip().splitlines()[1].strip()
    assert any("\u4e00" <= char <= "\u9fff" for char in first_line), result.stderr
    assert words in result.stderr


def test_too_large_is_refused_with_the_limit_named(tmp_path: Path):
    path = tmp_path / "big.txt"
    path.write_bytes("区发改局负责。\n".encode() * 200_000)
    import os

    env = dict(os.environ, PLANBOT_MAX_DOCUMENT_MB="1")
    result = planbot("extract", str(path), env=env)
    assert result.returncode != 0
    assert "MB" in result.stderr


def test_missing_file_says_what_to_do(tmp_path: Path):
    result = planbot("extract", str(tmp_path / "nowhere.txt"))
    assert result.returncode != 0
    assert "找不到" in result.stderr or "不存在" in result.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.md", "# 说明\n区发改局负责统筹推进规划实施。"), ("make.py", "print('区发改局')")],
)
def test_files_that_are_not_documents_are_refused(tmp_path: Path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = planbot("extract", str(path))
    assert result.returncode != 0
    assert "不支持的文件格式" in result.stderr


def test_text_without_chinese_is_not_a_plan(tmp_path: Path):
    path = tmp_path / "english.txt"
    path.write_text("hello world, this is not a development plan at all.\n", encoding="utf-8")
    result = planbot("extract", str(path))
    assert result.returncode != 0
    assert "中文" in result.stderr


def test_explain_adds_the_rule_and_confidence(samples_dir: Path):
    result = planbot("extract", str(samples_dir / "division_plan.txt"), "--format", "jsonl", "--explain")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert all({"rule", "confidence", "canonical_department"} <= set(record) for record in records)
    assert all(0 < record["confidence"] <= 1 for record in records)
    assert any(r["department"] == "区住建局" and r["canonical_department"] == "区住房城乡建设局" for r in records)


def test_table_lists_the_plans_indicators_under_its_tasks():
    document = Path(__file__).parent / "indicator_docs" / "linhe_tab_rows.txt"
    result = planbot("extract", str(document), env={**os.environ, "COLUMNS": "160"})
    assert result.returncode == 0, result.stderr
    listing = result.stdout[result.stdout.index("主要指标（11 项）") :]
    assert "常住人口城镇化率" in listing and "2020 61.5" in listing and "2025 66" in listing
    assert "区住房城乡建设局" in listing
