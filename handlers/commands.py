"""The one table of /plan subcommands, and the parser that turns text into typed arguments or a usage error.

Each subcommand is declared once with its Chinese and English names and its parameters; its docstring is its
help. `/plan 帮助`, the parser, the Slack and console adapters and the tests all read this table, so a new
subcommand is a new entry here and nothing else (the shapes it is made of live in handlers.command_spec).
Matching is kept apart from doing: `parse()` never touches the database, and `handlers.router` only runs what
parsed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from handlers.command_spec import (
    CHANNEL,
    DEPARTMENT,
    MENTIONS,
    PARAM_WORDS,
    PERCENT,
    PERIOD,
    POST_WORDS,
    REST_KINDS,
    SOURCE,
    TABLE,
    TASK_ID,
    TEXT,
    TOPIC,
    USER,
    Param,
    ParsedCommand,
    Subcommand,
    find,
    subcommand,
)
from handlers.periods import Period, parse_period
from handlers.replies import Reply, usage_error
from handlers.slack_text import escape


def split_words(text: str) -> list[str]:
    """Split on ASCII and full-width spaces; Slack sends a non-breaking space now and then."""
    return [word for word in re.split(r"[\s\u3000\u00a0]+", text.strip()) if word]


def parse(text: str, today: date) -> ParsedCommand | Reply:
    """`/plan` text -> a parsed command, or a Reply that says what was wrong and how to write it."""
    words = split_words(text)
    post = False
    if words and words[-1].lower() in POST_WORDS:
        post = True
        words = words[:-1]
    if not words:
        return ParsedCommand(find("help") or TABLE[0], {"topic": None}, post, "帮助")
    entry = find(words[0])
    if entry is None:
        return usage_error(
            f"没有“{escape(words[0])}”这个命令。输入 `/plan 帮助` 查看全部命令；也可以直接用中文提问，例如“区发改局今年有哪些任务？”",
            f'There is no "{escape(words[0])}" command. Type `/plan help` for the list, or ask a question in Chinese.',
            "/plan 帮助",
        )
    args: dict[str, Any] = {}
    rest = words[1:]
    if entry.params and entry.params[-1].kind == PERCENT:
        args["percent"] = None
        if rest and (percent := _percent(rest[-1])) is not None:
            if isinstance(percent, Reply):
                return percent
            args["percent"] = percent
            rest = rest[:-1]
    for index, param in enumerate(entry.params):
        if param.kind == PERCENT:
            continue
        # a free-text parameter leaves one word for each single-word parameter declared after it
        after = sum(1 for later in entry.params[index + 1 :] if later.kind not in (*REST_KINDS, PERCENT))
        if param.kind in REST_KINDS and after:
            taken, rest = rest[: max(0, len(rest) - after)], rest[max(0, len(rest) - after) :]
            value, _, problem = _take(param, taken, today)
        else:
            value, rest, problem = _take(param, rest, today)
        if problem is not None:
            return _with_usage(problem, entry)
        if value is None and param.required:
            return _with_usage(
                usage_error(
                    f"缺少{param.zh}。", f"The {PARAM_WORDS.get(param.name, param.name)} is missing."
                ),
                entry,
            )
        args[param.name] = value
    if rest:
        return _with_usage(
            usage_error(
                f"多余的内容：{escape(' '.join(rest))}", f"Unexpected words: {escape(' '.join(rest))}"
            ),
            entry,
        )
    return ParsedCommand(entry, args, post, " ".join(words))


def _take(param: Param, words: list[str], today: date) -> tuple[Any, list[str], Reply | None]:
    if param.kind in REST_KINDS:
        joined = " ".join(words).strip()
        return (joined or None), [], None
    if not words:
        return None, words, None
    word, rest = words[0], words[1:]
    if param.kind == TASK_ID:
        digits = word.lstrip("#＃")
        if not digits.isdigit():
            return (
                None,
                rest,
                usage_error(
                    f"任务编号应为数字，而不是“{escape(word)}”。编号见任务卡片上的 #号。",
                    f'A task id is a number, not "{escape(word)}". It is shown as #N on each task card.',
                ),
            )
        if int(digits) >= 2**62:
            return (
                None,
                rest,
                usage_error(
                    f"没有编号为 {digits} 的任务。编号见任务卡片上的 #号。",
                    f"No task has the id {digits}. It is shown as #N on each task card.",
                ),
            )
        return int(digits), rest, None
    if param.kind == PERIOD:
        # English periods are several words ("this month", "next 30 days"): the longest that reads wins
        for length in range(min(3, len(words)), 0, -1):
            period: Period | None = parse_period("".join(words[:length]), today)
            if period is not None:
                return period, words[length:], None
        return (
            None,
            rest,
            usage_error(
                f"看不懂时间“{escape(word)}”。可以写：30天、本月、下个月、本季度、下半年、今年、2025年；"
                "也可以写英文：30、this month、next month。",
                f'Unknown period "{escape(word)}". Use 30, this month, next month, this quarter, this year, '
                "2025, or 30天, 本月, 下个月, 下半年.",
            ),
        )
    if param.kind in MENTIONS:
        pattern, zh, en = MENTIONS[param.kind]
        found = re.fullmatch(pattern, word)
        if found is None:
            return None, rest, usage_error(zh.format(word=escape(word)), en.format(word=escape(word)))
        return found.group(1), rest, None
    if param.kind == SOURCE:
        # Slack wraps links as <https://…> or <https://…|label>
        return word.strip("<>").split("|")[0], rest, None
    raise ValueError(f"unknown parameter kind {param.kind}")


def _percent(word: str) -> int | Reply | None:
    found = re.fullmatch(r"(\d{1,3})\s*[%％]", word)
    if found is None:
        return None
    value = int(found.group(1))
    if value > 100:
        return usage_error(
            f"进度应在 0% 到 100% 之间，而不是 {value}%。", f"Progress is 0%–100%, not {value}%."
        )
    return value


def _with_usage(problem: Reply, entry: Subcommand) -> Reply:
    problem.headline += f"\n用法 / Usage: `{entry.usage}`"
    problem.suggestions = problem.suggestions or [f"/plan 帮助 {entry.zh}"]
    return problem


def help_reply(topic: str | None) -> Reply:
    if topic:
        entry = find(topic)
        if entry is None:
            return usage_error(f"没有“{topic}”这个命令。", f'No command "{topic}".', "/plan 帮助")
        who = "（仅协调员 / coordinators only）" if entry.coordinators_only else ""
        return Reply(headline=f"`{entry.usage}`{who}\n{entry.help}", task_buttons=False)
    lines = [
        f"• `{entry.usage}` — {entry.summary}" + ("（协调员）" if entry.coordinators_only else "")
        for entry in TABLE
    ]
    lines.append("")
    lines.append(
        "也可以 @planbot 或私信用中文提问：“区发改局今年有哪些任务？”“下个月到期的任务”“中期评估什么时候？”"
    )
    lines.append(
        "在命令末尾加“公开”可由协调员把结果发到频道。 Coordinators add 公开/post to share an answer in the channel."
    )
    return Reply(headline="*planbot 命令 / commands*", lines=lines, task_buttons=False)


# -- the table -------------------------------------------------------------------------------------------
# Order here is the order of `/plan 帮助`. Each docstring's first line is the summary; the rest is the help.

from handlers import (  # noqa: E402  (the table needs the parser types above)
    admin,
    indicator_commands,
    ledger_views,
    plan_reminders,
    progress,
    review,
)


@subcommand("帮助", "help", Param("topic", TOPIC, False, "命令"), aliases=("?", "？"))
def show_help(ctx: Any, topic: str | None) -> Reply:
    """查看命令说明。 Show the commands, or one command's help.

    例 / e.g. `/plan 帮助 进展`
    """
    return help_reply(topic)


@subcommand("任务", "tasks", Param("department", DEPARTMENT, False, "部门"))
def tasks(ctx: Any, department: str | None) -> Reply:
    """查看部门的未完成任务（不写部门则为本部门，含“各部门”等共同任务）。 A department's open tasks.

    部门可写任何简称，同名时加辖区：`/plan 任务 区发改局`、`/plan 任务 莱芜区发改局`。
    Any alias works; add the jurisdiction when a name is shared.
    """
    return ledger_views.tasks(ctx, department)


@subcommand("到期", "due", Param("period", PERIOD, False, "时间"))
def due(ctx: Any, period: Period | None) -> Reply:
    """查看某段时间内到期的任务（默认今后30天）。 Tasks due within a period (default 30 days).

    时间可写：30天、本月、下个月、本季度、下半年、今年、2025年、2025年6月；英文 30、this month、next month。
    """
    return ledger_views.due(ctx, period)


@subcommand("逾期", "overdue")
def overdue(ctx: Any) -> Reply:
    """查看已逾期未完成的任务。 Open tasks past their deadline."""
    return ledger_views.overdue(ctx)


@subcommand("搜索", "search", Param("text", TEXT, True, "关键词"))
def search(ctx: Any, text: str) -> Reply:
    """按关键词搜索任务和原文。 Find tasks by words in the task or its source sentence.

    例 / e.g. `/plan 搜索 营商环境`
    """
    return ledger_views.search(ctx, text)


@subcommand("详情", "show", Param("task_id", TASK_ID, True, "编号"))
def show(ctx: Any, task_id: int) -> Reply:
    """查看一项任务的详情和原文出处。 One task with its source sentence and citation."""
    return ledger_views.show(ctx, task_id)


@subcommand("日程", "calendar")
def calendar(ctx: Any) -> Reply:
    """查看年度监测、中期评估、总结评估日程和近期截止任务。 Review calendar and the next deadlines."""
    return ledger_views.calendar(ctx)


@subcommand("部门", "depts", aliases=("departments",))
def depts(ctx: Any) -> Reply:
    """查看全部部门及其未完成、逾期任务数。 Every department with open and overdue counts."""
    return ledger_views.depts(ctx)


@subcommand(
    "进展",
    "update",
    Param("task_id", TASK_ID, True, "编号"),
    Param("note", TEXT, False, "说明"),
    Param("percent", PERCENT, False, "60%"),
)
def update(ctx: Any, task_id: int, note: str | None, percent: int | None) -> Reply:
    """报告任务进展（本部门成员或协调员）。 Report progress on a task (its department's members, coordinators).

    例 / e.g. `/plan 进展 12 已完成项目招标 60%`；写 100% 即为完成。
    """
    return progress.update(ctx, task_id, note, percent)


@subcommand("完成", "done", Param("task_id", TASK_ID, True, "编号"))
def done(ctx: Any, task_id: int) -> Reply:
    """把任务标记为已完成。 Mark a task done."""
    return progress.done(ctx, task_id)


@subcommand("指标", "indicators", Param("text", TEXT, False, "部门 | 编号 年份 数值 [说明]"))
def indicators(ctx: Any, text: str | None) -> Reply:
    """查看主要指标及其状态，或报送某年的数值（本部门成员或协调员）。 Indicators with status, or report a value.

    例 / e.g. `/plan 指标`、`/plan 指标 区统计局`、`/plan 指标 3 2026 90.8 统计公报`
    """
    return indicator_commands.indicators(ctx, text)


@subcommand(
    "评估材料",
    "review-pack",
    Param("text", TEXT, True, "规划编号 [年份]"),
    coordinators_only=True,
    slow=True,
)
def review_pack(ctx: Any, text: str) -> Reply:
    """（协调员）生成评估材料（xlsx）：全部任务及进展、指标及状态、落后单位。 A plan's review pack as xlsx.

    例 / e.g. `/plan 评估材料 2 2028`（规划编号见 planbot plan list；年份默认今年）
    """
    from handlers.review_pack import review_pack_reply

    return review_pack_reply(ctx, text)


@subcommand(
    "绑定",
    "bind",
    Param("department", DEPARTMENT, True, "部门"),
    Param("channel", CHANNEL, True, "#频道"),
    coordinators_only=True,
)
def bind(ctx: Any, department: str, channel: str) -> Reply:
    """把部门绑定到频道，提醒发到该频道。 Send a department's reminders to a channel.

    例 / e.g. `/plan 绑定 区发改局 #fgj-tasks`
    """
    return admin.bind(ctx, department, channel)


@subcommand(
    "成员",
    "member",
    Param("user", USER, True, "@用户"),
    Param("department", DEPARTMENT, True, "部门"),
    coordinators_only=True,
)
def member(ctx: Any, user: str, department: str) -> Reply:
    """登记某人为部门成员（可更新本部门任务）。 Register a person as a member of a department.

    例 / e.g. `/plan 成员 @张三 区发改局`
    """
    return admin.member(ctx, user, department)


@subcommand("导入", "ingest", Param("source", SOURCE, True, "网址"), coordinators_only=True, slow=True)
def ingest(ctx: Any, source: str) -> Reply:
    """导入规划文件（网址；也可以把文件私信发给 planbot）。 Import a plan document from a URL or a DM'd file."""
    return admin.ingest(ctx, source)


@subcommand("报告", "report", Param("department", DEPARTMENT, False, "部门"), slow=True)
def report(ctx: Any, department: str | None) -> Reply:
    """生成任务进展图（各部门按状态；写部门则为该部门各规划）。 A progress chart as a PNG.

    协调员的图发到当前频道，其他人的图私信发送。 Coordinators' charts go to the channel, others' by DM.
    """
    return admin.report(ctx, department)


@subcommand("提醒", "reminders", Param("text", TEXT, False, "规划编号 修改"), coordinators_only=True)
def reminders(ctx: Any, text: str | None) -> Reply:
    """查看或修改各规划的提醒设置：暂停、恢复、默认，或另设天数。 See or change each plan's reminders.

    例 / e.g. `/plan 提醒`、`/plan 提醒 2 暂停`、`/plan 提醒 2 到期 30,14,7,1,0 逾期 14`
    """
    return plan_reminders.reminders(ctx, text)


@subcommand("导出", "export", coordinators_only=True, slow=True)
def export(ctx: Any) -> Reply:
    """导出任务台账（xlsx）。 Export the ledger as an xlsx 台账."""
    return admin.export(ctx)


@subcommand("核对", "review", Param("text", TEXT, False, "[确认|舍弃] 规划编号"), coordinators_only=True)
def review_tasks(ctx: Any, text: str | None) -> Reply:
    """（协调员）核对导入的任务：确认后才提醒各部门，或舍弃。 Review imported tasks before anyone is reminded.

    例 / e.g. `/plan 核对`、`/plan 核对 确认 3`、`/plan 核对 舍弃 3`
    """
    return review.review(ctx, text)


@subcommand("未分配", "unassigned", coordinators_only=True)
def unassigned(ctx: Any) -> Reply:
    """（协调员）查看未指明责任单位的任务。 Tasks that name no unit."""
    return review.unassigned(ctx)


@subcommand(
    "分配",
    "assign",
    Param("task_id", TASK_ID, True, "编号"),
    Param("department", DEPARTMENT, True, "部门"),
    coordinators_only=True,
)
def assign(ctx: Any, task_id: int, department: str) -> Reply:
    """（协调员）为任务指定牵头单位。 Make a unit lead a task.

    例 / e.g. `/plan 分配 12 区发改局`
    """
    return review.assign(ctx, task_id, department)
