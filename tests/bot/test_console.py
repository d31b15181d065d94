"""Whole conversations through the console chat: the same handlers as Slack, in plain text."""

from __future__ import annotations

import io

import pytest
from typer.testing import CliRunner

from bot.console import ConsoleChat
from tests.handlers.ledger import CZJ_MEMBER, FGJ_MEMBER


@pytest.fixture
def chat(deps, ledger):  # type: ignore[no-untyped-def]
    return ConsoleChat(deps)


def test_a_coordinators_conversation(chat, ledger):
    assert "/plan 任务|tasks [部门]" in chat.say("/plan 帮助")
    listing = chat.say("/plan 任务 莱芜区发改局")
    assert "#1 推进重点项目建设" in listing
    assert "牵头：区发展改革局　配合：区财政局" in listing
    assert (
        "出处：《莱芜区国民经济和社会发展第十四个五年规划纲要》 第十五章 规划实施保障 > 第二节 强化责任落实"
        in listing
    )
    assert "第 1/3 页" in listing
    second = chat.say("下一页")
    assert "第 2/3 页" in second and "#1 推进重点项目建设" not in second
    assert "第 1/3 页" in chat.say("上一页")
    assert "已经是第一页了" in chat.say("上一页")
    assert "第 2/3 页" in chat.say("下一页")
    assert "*" not in listing and "`" not in chat.say("/plan 帮助")  # no Slack markup in a terminal
    assert "已记录任务 #1 的进展：已开工" in chat.say("/plan 进展 1 已开工 40%")
    assert "进行中 40%" in chat.say("详情 1")
    assert "2025-12-31（还剩 199 天）" in chat.say("总结评估什么时候？")
    assert "已标记完成" in chat.say("完成 1")


def test_a_members_conversation_with_refusals(deps, ledger):
    chat = ConsoleChat(deps, user_id=FGJ_MEMBER, coordinator=False)
    assert "编制年度重点项目计划" in chat.say("逾期")
    assert "只能由 区财政局 的成员或协调员" in chat.say(f"完成 {ledger.finance_task}")
    assert "只有协调员可以使用“绑定”" in chat.say("/plan 绑定 莱芜区发改局 <#C1>")
    assert "没有可以翻页的列表" in ConsoleChat(deps, user_id=CZJ_MEMBER, coordinator=False).say("下一页")


def test_bad_input_gets_help_not_a_traceback(chat):
    assert "任务编号应为数字" in chat.say("/plan 详情 第一个")
    assert "没有“吃饭”这个命令" in chat.say("/plan 吃饭")
    assert "看不懂时间" in chat.say("/plan 到期 很久以后")
    assert "Traceback" not in chat.say("/plan 进展 99999 好 10%")


def test_run_reads_lines_until_exit(chat):
    stdin = io.StringIO("逾期\n中期评估什么时候？\n退出\n/plan 帮助\n")
    stdout = io.StringIO()
    chat.run(stdin, stdout)
    out = stdout.getvalue()
    assert out.count("planbot> ") == 2
    assert "编制年度重点项目计划" in out and "中期评估" in out
    assert "planbot 命令" not in out  # nothing after 退出


def test_planbot_chat_command(database_url, monkeypatch):
    from bot.cli import app

    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["chat"], input="部门\n/plan 帮助\n")
    assert result.exit_code == 0, result.output
    assert "台账中还没有部门" in result.output
    assert "/plan 导出|export" in result.output


def test_console_may_import_a_local_file(chat, samples_dir):
    document = sorted(samples_dir.glob("*.txt"))[0]
    assert "已导入《" in chat.say(f"/plan 导入 {document}")


def test_huge_ids_and_missing_keywords_get_help(chat):
    answer = chat.say("/plan 详情 99999999999999999999999")
    assert "没有编号为" in answer and "Traceback" not in answer
    assert "The keyword is missing." in chat.say("/plan 搜索")


@pytest.mark.parametrize(
    ("command", "suffix", "magic"), [("/plan 导出", ".xlsx", b"PK"), ("/plan 报告", ".png", b"\x89P")]
)
def test_a_file_made_in_a_terminal_goes_to_the_data_folder_and_the_answer_says_where(
    deps, ledger, tmp_path, monkeypatch, command, suffix, magic
):  # type: ignore[no-untyped-def]
    terminal = tmp_path / "where-the-terminal-is"
    terminal.mkdir()
    monkeypatch.chdir(terminal)
    chat = ConsoleChat(deps, files_dir=tmp_path / "data")
    answer = chat.say(command)
    [saved] = list((tmp_path / "data").glob(f"*{suffix}"))
    assert f"已保存到 / saved to: {saved}" in answer
    assert saved.read_bytes()[:2] == magic
    assert list(terminal.iterdir()) == []


def test_the_data_folder_is_the_folder_of_a_sqlite_ledger(tmp_path):
    from bot.console import data_folder

    assert data_folder(f"sqlite:///{tmp_path / 'ledger' / 'planbot.sqlite3'}") == tmp_path / "ledger"
    elsewhere = data_folder("postgresql+psycopg://planbot@db.example/planbot")
    assert elsewhere.name == "planbot" and elsewhere.is_absolute()


def test_a_request_in_chat_words_finds_the_unit_it_names(chat):
    # the unit recogniser reads "帮我看看…局" up to 局 as one name; the request words are not part of it
    answer = chat.say("帮我看看发展和改革局")  # a spelling no alias list holds
    assert "找不到部门“发展和改革局”" in answer and "莱芜区发展改革局、潍城区发展改革局" in answer
