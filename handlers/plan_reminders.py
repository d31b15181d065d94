"""`/plan 提醒`: the planning office sees each plan's reminder settings and changes them from Slack.

`/plan 提醒` lists the plans; `/plan 提醒 2 暂停`, `/plan 提醒 2 恢复`, `/plan 提醒 2 默认`, and
`/plan 提醒 2 到期 30,14,7,1,0 逾期 14` change one plan. The words are read here rather than in the
command table because they come in pairs of any number and order. The CLI (`planbot plan`) shares `describe`.
"""

from __future__ import annotations

import re
import unicodedata

from handlers.context import CommandContext
from handlers.replies import Reply, usage_error
from handlers.slack_text import escape
from storage.plan_settings import (
    PlanNotFound,
    PlanOverview,
    PlanSettingsError,
    ReminderOverrides,
    overrides_from_words,
    plan_overviews,
    update_plan_reminders,
)
from storage.reminder_rows import ReminderConventions

# the word before a list of days -> overrides_from_words' keyword
DAY_WORDS = {
    "到期": "deadline_days",
    "截止": "deadline_days",
    "deadline": "deadline_days",
    "评估": "review_days",
    "review": "review_days",
    "年度": "annual_monitoring_days",
    "监测": "annual_monitoring_days",
    "年度监测": "annual_monitoring_days",
    "annual": "annual_monitoring_days",
    "逾期": "overdue_every_days",
    "overdue": "overdue_every_days",
}
SWITCH_WORDS = {
    "暂停": "pause",
    "pause": "pause",
    "恢复": "resume",
    "resume": "resume",
    "默认": "reset",
    "reset": "reset",
}
EXAMPLES = ("/plan 提醒", "/plan 提醒 2 暂停", "/plan 提醒 2 到期 30,14,7,1,0 逾期 14")


def describe(overview: PlanOverview, defaults: ReminderConventions) -> str:
    """One line a planning office can check: what this plan sends, and which values are its own."""
    conventions = overview.overrides.applied_to(defaults)
    own = overview.overrides

    def days(values: tuple[int, ...], override: object) -> str:
        return ",".join(str(day) for day in values) + (" 天（本规划）" if override is not None else " 天")

    state = "已暂停" if overview.paused else "提醒中"
    every = f"{conventions.overdue_every_days} 天" + (
        "（本规划）" if own.overdue_every_days is not None else ""
    )
    return (
        f"{state}；到期前 {days(conventions.deadline_days, own.deadline_days)}；"
        f"中期/总结评估前 {days(conventions.review_days, own.review_days)}；"
        f"年度监测前 {days(conventions.annual_monitoring_days, own.annual_monitoring_days)}；"
        f"逾期每 {every}，最多 {conventions.overdue_reminder_limit} 次后转协调员督办"
    )


def _defaults(ctx: CommandContext) -> ReminderConventions:
    return ReminderConventions.from_settings(ctx.deps.settings)


def _line(overview: PlanOverview, defaults: ReminderConventions) -> str:
    period = f"（{overview.period}）" if overview.period else ""
    title = f"{escape(overview.jurisdiction)}《{escape(overview.title)}》"
    return f"*{overview.id}* {title}{period}\n{describe(overview, defaults)}"


# one change: a switch word, or a day word with its list ("到期 30, 14, 7", "到期30，7"); what no token
# covers is reported back word for word
_DAY_LIST = r"[0-9][0-9\s,，、;；]*"
_TOKEN = re.compile(
    r"\s*(?:(?P<switch>"
    + "|".join(sorted(SWITCH_WORDS, key=len, reverse=True))
    + r")|(?P<word>"
    + "|".join(sorted(DAY_WORDS, key=len, reverse=True))
    + rf")\s*(?P<days>{_DAY_LIST})?)",
    re.IGNORECASE,
)


def reminders(ctx: CommandContext, text: str | None) -> Reply:
    words = unicodedata.normalize("NFKC", text or "").strip()
    if not words:
        overviews = plan_overviews(session=ctx.session)
        if not overviews:
            return usage_error(
                "台账中还没有规划。请先用 `/plan 导入 网址` 导入规划文件。",
                "No plans yet: import one with `/plan ingest URL`.",
            )
        defaults = _defaults(ctx)
        return Reply(
            headline="各规划的提醒设置（写编号可修改）：\nEach plan's reminder settings (give its number to change them):",
            lines=[_line(overview, defaults) for overview in overviews],
            suggestions=list(EXAMPLES[1:]),
            task_buttons=False,
        )
    plan_word = re.match(r"#?(\d{1,9})(?!\d)", words)
    if not plan_word:
        first = words.split()[0]
        return usage_error(
            f"“{first}”不是规划编号。先用 `/plan 提醒` 查看各规划的编号。",
            f'"{first}" is not a plan number; `/plan reminders` lists them.',
            *EXAMPLES,
        )
    parsed = _changes(words[plan_word.end() :])
    if isinstance(parsed, Reply):
        return parsed
    overrides, switch = parsed
    try:
        overview = update_plan_reminders(
            session=ctx.session,
            plan_id=int(plan_word.group(1)),
            overrides=overrides,
            paused={"pause": True, "resume": False}.get(switch or ""),
            reset=switch == "reset",
        )
    except PlanNotFound as missing:
        return usage_error(
            f"没有编号为 {missing.plan_id} 的规划。用 `/plan 提醒` 查看各规划的编号。",
            f"No plan {missing.plan_id}; `/plan reminders` lists the plans.",
            "/plan 提醒",
        )
    except PlanSettingsError as error:
        return usage_error(error.zh, error.en, "/plan 提醒")
    return Reply(
        headline=f"✅ 已更新 / updated: {_line(overview, _defaults(ctx))}",
        task_buttons=False,
    )


def _not_understood(word: str) -> Reply:
    word = escape(word)
    return usage_error(
        f"看不懂“{word}”。可写：暂停、恢复、默认，或 到期/评估/年度/逾期 后跟天数。",
        f'"{word}" is not understood: use 暂停, 恢复, 默认, or 到期/评估/年度/逾期 followed by days.',
        *EXAMPLES,
    )


def _changes(text: str) -> tuple[ReminderOverrides, str | None] | Reply:
    """Day words with their lists, and at most one of 暂停 / 恢复 / 默认."""
    given: dict[str, str] = {}
    switch: str | None = None
    position = 0
    while position < len(text.rstrip()):
        token = _TOKEN.match(text, position)
        if token is None or token.end() == position:
            return _not_understood(text[position:].split()[0])
        position = token.end()
        if token.group("switch"):
            if switch is not None:
                return usage_error(
                    "暂停、恢复、默认一次只能写一个。",
                    "Give one of 暂停 (pause), 恢复 (resume), 默认 (reset).",
                    *EXAMPLES,
                )
            switch = SWITCH_WORDS[token.group("switch").lower()]
            continue
        word = token.group("word")
        if not token.group("days"):
            following = text[position:].split()
            got = escape(following[0]) if following and not _TOKEN.match(following[0]) else None
            return usage_error(
                f"“{word}”后面要写天数，例如 `{word} 30,7,1`" + (f"（收到“{got}”）。" if got else "。"),
                f'Give the days after "{word}", e.g. 30,7,1' + (f' (got "{got}").' if got else "."),
                *EXAMPLES,
            )
        given[DAY_WORDS[word.lower()]] = token.group("days").strip(" ,，、;；")
    if not given and switch is None:
        return usage_error(
            "请写要做的修改：暂停、恢复、默认，或 到期/评估/年度/逾期 后跟天数。",
            "Say what to change: 暂停, 恢复, 默认, or 到期/评估/年度/逾期 followed by days.",
            *EXAMPLES,
        )
    every = given.pop("overdue_every_days", None)
    if every is not None and not re.fullmatch(r"[0-9]{1,4}", every):
        return usage_error(
            f"逾期提醒间隔是一个天数，例如 `逾期 7`（收到“{every}”）。",
            f'The overdue interval is one number of days, e.g. 7 (got "{every}").',
        )
    try:
        overrides = overrides_from_words(**given, overdue_every_days=int(every) if every else None)
    except PlanSettingsError as error:
        return usage_error(error.zh, error.en, *EXAMPLES)
    return overrides, switch
