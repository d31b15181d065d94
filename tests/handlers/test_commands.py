"""The subcommand table drives parsing and help: every entry parses by both names and documents itself."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.commands import CHANNEL, PERCENT, TABLE, TASK_ID, USER, ParsedCommand, find, help_reply, parse
from handlers.periods import Period
from handlers.replies import Reply

TODAY = date(2025, 6, 15)
SAMPLE_VALUE = {TASK_ID: "12", CHANNEL: "<#C0FGJ|fgj>", USER: "<@U0ZHANG|zhang>", PERCENT: "60%"}


def example_text(entry) -> str:  # type: ignore[no-untyped-def]
    words = []
    for param in entry.params:
        if param.required or param.kind == PERCENT:
            words.append(
                SAMPLE_VALUE.get(param.kind, "区发改局" if param.kind == "department" else "营商环境")
            )
    return " ".join(words)


@pytest.mark.parametrize("entry", TABLE, ids=[entry.en for entry in TABLE])
def test_every_subcommand_parses_by_chinese_and_english_name(entry):
    for name in (entry.zh, entry.en):
        parsed = parse(f"{name} {example_text(entry)}", TODAY)
        assert isinstance(parsed, ParsedCommand), getattr(parsed, "headline", "")
        assert parsed.subcommand is entry


@pytest.mark.parametrize("entry", TABLE, ids=[entry.en for entry in TABLE])
def test_every_subcommand_has_bilingual_help(entry):
    assert entry.summary, f"{entry.en} needs a docstring"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.summary)
    assert any("a" <= ch.lower() <= "z" for ch in entry.summary)
    assert entry.usage in help_reply(None).lines[TABLE.index(entry)]
    assert entry.usage in help_reply(entry.zh).headline


@pytest.mark.parametrize("entry", [e for e in TABLE if any(p.required for p in e.params)], ids=lambda e: e.en)
def test_missing_required_arguments_show_usage(entry):
    problem = parse(entry.zh, TODAY)
    assert isinstance(problem, Reply) and not problem.ok
    assert entry.usage in problem.headline


def test_typed_arguments():
    parsed = parse("进展 #12 完成项目招标 工作 60%", TODAY)
    assert isinstance(parsed, ParsedCommand)
    assert parsed.args == {"task_id": 12, "note": "完成项目招标 工作", "percent": 60}
    due = parse("到期 本季度", TODAY)
    assert isinstance(due, ParsedCommand)
    assert due.args["period"] == Period(date(2025, 4, 1), date(2025, 6, 30), due.args["period"].label)
    bind = parse("绑定 莱芜区 发改局 <#C0FGJ|fgj>", TODAY)
    assert isinstance(bind, ParsedCommand) and bind.args == {
        "department": "莱芜区 发改局",
        "channel": "C0FGJ",
    }
    member = parse("member <@U0ZHANG|zhang> 区财政局", TODAY)
    assert isinstance(member, ParsedCommand) and member.args == {"user": "U0ZHANG", "department": "区财政局"}
    ingest = parse("导入 <https://example.gov.cn/plan.docx|plan.docx>", TODAY)
    assert isinstance(ingest, ParsedCommand) and ingest.args == {"source": "https://example.gov.cn/plan.docx"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("详情 abc", "任务编号应为数字"),
        ("进展 12 好 120%", "进度应在 0% 到 100% 之间"),
        ("到期 明后天", "看不懂时间“明后天”"),
        ("绑定 区发改局 #fgj", "请输入 # 后从弹出列表中选择频道"),
        ("成员 zhang 区发改局", "请输入 @ 后从弹出列表中选择"),
        ("逾期 全部", "多余的内容：全部"),
        ("吃饭", "没有“吃饭”这个命令"),
    ],
)
def test_malformed_input_gets_a_helpful_answer(text, message):
    problem = parse(text, TODAY)
    assert isinstance(problem, Reply) and message in problem.headline


def test_post_word_and_empty_text():
    parsed = parse("逾期 公开", TODAY)
    assert isinstance(parsed, ParsedCommand) and parsed.post and parsed.text == "逾期"
    empty = parse("  ", TODAY)
    assert isinstance(empty, ParsedCommand) and empty.subcommand is find("help")


def test_full_width_spaces_separate_words():
    parsed = parse("进展\u300012\u3000已开工", TODAY)
    assert isinstance(parsed, ParsedCommand) and parsed.args["task_id"] == 12


def test_names_are_unique():
    names = [name.lower() for entry in TABLE for name in entry.names]
    assert len(names) == len(set(names))
