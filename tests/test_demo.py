"""The newcomer path: `planbot demo` on the shipped samples and on a user's own folder, and `planbot report`.

The demo runs on its own fresh SQLite file: whatever DATABASE_URL says is never touched.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.commands import demo
from bot.commands.demo_timelapse import demo_snapshot, gist, month_line, months
from handlers.reminders import DepartmentRow, LedgerSnapshot, Reminder

REPO_ROOT = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def untouched_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DATABASE_URL pointing at a file the demo must never create."""
    path = tmp_path / "users-own.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout
    return path


@pytest.fixture(scope="module")
def sample_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`planbot demo` run as the README runs it: a separate process, stdin not a terminal."""
    folder = tmp_path_factory.mktemp("demo") / "run"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{folder.parent / 'users-own.sqlite3'}"}
    completed = subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "demo", "--dir", str(folder)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=folder.parent,
        timeout=300,
        check=False,
    )
    return completed, folder


def test_demo_on_the_samples_prints_ledger_calendar_and_time_lapse(
    sample_demo: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    completed, folder = sample_demo
    assert completed.returncode == 0, completed.stderr[-3000:]
    out = completed.stdout
    for file in ("annual_plan_2025.gbk.txt", "mechanism_opinion.docx", "district_plan_implementation.txt"):
        assert f"✓ {file}" in out
    assert "gb18030" in out or "gbk" in out.lower()  # the GBK sample was decoded as such
    # the ledger, per department, with the sample's lead bureau and its traffic lights
    assert "任务台账" in out and "区发展改革局" in out and "牵头" in out and "红灯" in out
    # the review calendar
    for name in ("年度监测", "中期评估", "总结评估"):
        assert name in out
    # the time-lapse covers the plan period month by month, with the reminders' recipients
    assert "提醒推演" in out
    for month in ("2021-01", "2023-06", "2025-12"):
        assert f"\n{month}  " in out
    assert "→ 临河区发展改革局" in out
    assert "跳过对话" in out and "stdin is not a terminal" in out
    assert (folder / "demo.sqlite3").is_file()
    for chart in ("report.png", "calendar.png"):
        assert (folder / chart).read_bytes()[:8] == PNG_MAGIC
    assert not (folder.parent / "users-own.sqlite3").exists()


def test_demo_on_your_own_folder(tmp_path: Path, untouched_database: Path) -> None:
    docs = tmp_path / "mine"
    docs.mkdir()
    (docs / "notes.md").write_text("不是规划文件", encoding="utf-8")  # skipped: not a document format
    (docs / "实施方案.txt").write_text(
        "临河区推进城市更新三年行动实施方案\n\n一、重点任务\n\n"
        "1.2025年底前完成老旧小区改造120个。（区住房城乡建设局牵头，区财政局配合）\n\n"
        "2.2025年6月底前完成城区雨污分流改造。（区水务局牵头）\n",
        encoding="gbk",
    )
    result = CliRunner().invoke(
        app, ["demo", "--docs", str(docs), "--dir", str(tmp_path / "run"), "--today", "2025-06-01"]
    )
    assert result.exit_code == 0, result.output
    assert "✓ 实施方案.txt" in result.output and "notes.md" not in result.output
    assert "区住房城乡建设局" in result.output and "区水务局" in result.output
    # 30 days before 06-30 is in the 端午 holiday (fires 06-03), 7 days on 06-23, and the 1-day one falls on a
    # Sunday, so it goes out on 06-30 merged with the on-the-day one: three, all to 区水务局
    assert "\n2025-06  3 条：到期 3 → " in result.output and "区水务局" in result.output.split("\n2025-06  ")[1]
    assert "黄灯" not in result.output  # on 06-01 nothing is within a week yet
    assert not untouched_database.exists()


def test_demo_refuses_a_folder_without_documents(tmp_path: Path, untouched_database: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(
        app, ["demo", "--docs", str(tmp_path / "empty"), "--dir", str(tmp_path / "run")]
    )
    assert result.exit_code == 2
    assert "没有可读取的文件" in result.output


def test_demo_will_not_reuse_a_folder_holding_a_demo(tmp_path: Path, untouched_database: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "demo.sqlite3").write_bytes(b"")
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "run")])
    assert result.exit_code == 2 and "已有演示数据库" in result.output


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_in_a_terminal_the_demo_opens_the_console_chat(
    sample_demo: tuple[subprocess.CompletedProcess[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rich.console import Console

    from storage.db import open_database, session_factory

    _, folder = sample_demo
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    monkeypatch.setattr(sys, "stdin", _Terminal("/plan 逾期\n退出\n"))
    engine = open_database(url)
    try:
        settings = demo.load_settings(DATABASE_URL=url)
        demo._chat_or_finish(settings, session_factory(engine), demo.SAMPLES_TODAY, folder, Console())
    finally:
        engine.dispose()
    said = capsys.readouterr().out
    assert "planbot 控制台" in said  # the console chat's welcome
    assert "planbot>" in said and "逾期" in said
    assert "再见" in said


# -- the time-lapse's pieces ----------------------------------------------------------------------------------


def test_every_department_gets_a_console_target_in_the_demo_snapshot() -> None:
    snapshot = LedgerSnapshot(
        plans={}, departments={1: DepartmentRow(1, "区财政局", "临河区")}, tasks=[], reviews=[]
    )
    shown = demo_snapshot(snapshot)
    assert shown.departments[1].audience.channels == ("console:临河区财政局",)
    assert shown.coordinators == ("console:规划办（协调员）",)


def test_months_run_across_the_year_end() -> None:
    assert months(date(2025, 11, 20), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_a_month_line_counts_kinds_and_names_recipients() -> None:
    def reminder(kind: str, target: str) -> Reminder:
        return Reminder(
            rule=kind,
            kind=kind,
            subject_key=f"{kind}:{target}",
            occurrence_on=date(2023, 6, 30),
            fire_on=date(2023, 6, 1),
            target=target,
            text="【中期评估】…。请…\nMid-term review",
        )

    line = month_line(
        date(2023, 6, 1),
        [
            reminder("mid_term_review", "console:临河区财政局"),
            reminder("deadline", "console:临河区财政局"),
            reminder("overdue", "console:临河区水务局"),
        ],
    )
    assert line == "2023-06  3 条：中期评估 1、到期 1、逾期 1 → 临河区财政局、临河区水务局"
    assert month_line(date(2023, 7, 1), []).startswith("2023-07  ")
    assert (
        gist("🔴红灯 【任务逾期】区财政局：任务 #3 已逾期 2 天。请抓紧推进\nOverdue")
        == "【任务逾期】区财政局：任务 #3 已逾期 2 天"
    )


# -- planbot report -------------------------------------------------------------------------------------------


def test_report_writes_the_two_charts(
    sample_demo: tuple[subprocess.CompletedProcess[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, folder = sample_demo
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{folder / 'demo.sqlite3'}")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--png",
            "out/status.png",
            "--calendar-png",
            "out/calendar.png",
            "--region",
            "青川市",
            "--today",
            "2025-06-16",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "status.png").read_bytes()[:8] == PNG_MAGIC
    assert (tmp_path / "out" / "calendar.png").read_bytes()[:8] == PNG_MAGIC
    assert "1200×" in result.output
    one = CliRunner().invoke(
        app, ["report", "--dept", "市发展改革委", "--png", "fgw.png", "--today", "2025-06-16"]
    )
    assert one.exit_code == 0, one.output


def test_report_explains_what_it_needs(
    sample_demo: tuple[subprocess.CompletedProcess[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, folder = sample_demo
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{folder / 'demo.sqlite3'}")
    monkeypatch.chdir(tmp_path)
    missing = CliRunner().invoke(app, ["report"])
    assert missing.exit_code == 2 and "--png" in missing.output
    unknown = CliRunner().invoke(app, ["report", "--dept", "市海洋渔业局", "--png", "x.png"])
    assert unknown.exit_code == 1 and "市海洋渔业局" in unknown.output
    assert not (tmp_path / "x.png").exists()


def test_report_says_when_the_database_does_not_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://planbot@127.0.0.1:1/planbot")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["report", "--png", "x.png"])
    assert result.exit_code == 1
    assert "无法连接数据库" in result.output and "DATABASE_URL" in result.output
