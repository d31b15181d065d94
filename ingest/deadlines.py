"""Chinese deadline, recurrence and review expressions -> dates, by the conventions in DESIGN.md.

Written by hand because date parsers know calendars, not plan language: 年底前 means 12-31 of the year it names (or
of the document's year when it names none), 上半年 means 06-30, 中期评估 means the middle year of the plan period,
期末/总结评估 its last year, and 按年度/每年 make a task repeat rather than fall due once.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

CN_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}

_BEFORE = r"(?:前|以前|之前|止|为止)"
EXACT_DAY = re.compile(rf"(20\d\d)\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日\s*{_BEFORE}")
YEAR_MONTH = re.compile(
    rf"(20\d\d)\s*年\s*(\d{{1,2}})\s*月(?!\s*\d)\s*(?:(?:底|末|份)?\s*{_BEFORE}|底|末|(?=\S{{0,3}}(?:完成|建成|实现|投用|投入使用|交付|投产|启动|开工|竣工|通车|开通|上线|挂牌|出台|印发)))"
)
# the labels a division table or note puts before a deadline (完成时限：…)
TIME_LABEL = r"(?:完成时限|完成时间|时间节点|时限|办理时限|办结时限|时间要求)\s*[:：]\s*"
# "完成时限：2025年6月30日", "2025年6月30日完成", a table's 2025-06-30: a full date that is plainly a deadline
LABELED_EXACT_DAY = re.compile(
    TIME_LABEL + r"(20\d\d)\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])"
    r"\s*(\d{1,2})\s*日?"
)
EXACT_DAY_DONE = re.compile(
    r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?=\S{0,3}(?:完成|建成|实现|投用|交付|投产|竣工|通车|开通|上线|办结))"
)
MONTH_RANGE = re.compile(
    r"(20\d\d)\s*年\s*(\d{1,2})\s*月?\s*[—\-－–~至到]+\s*(?:(20\d\d)\s*年)?\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)"
)
# "2021—2025年，每年3.6万亩": a duty over years, due when they end (and starting when they begin)
YEAR_RANGE = re.compile(r"(20\d\d)\s*年?\s*[—\-－–~至到]+\s*(20\d\d)\s*年")
MONTH_IN = re.compile(r"(?<![\d年])(?:于|在)\s*(\d{1,2})\s*月(?:底|末|份|中旬|下旬)?(?!\s*\d{1,2}\s*日)")
LABELED_MONTH = re.compile(
    TIME_LABEL + r"(\d{1,2})\s*月(?:底|末|份|中旬|下旬)?(?!\s*\d)"
)
# "完成时限：2026年9月" in a division table or a bracketed note: under a time label a bare month is the deadline
LABELED_YEAR_MONTH = re.compile(
    TIME_LABEL + r"(20\d\d)\s*(?:年|[.．/\-])\s*(\d{1,2})\s*月?(?![\d.．/\-])"
)
YEAR_PART = re.compile(
    rf"(20\d\d)\s*年\s*(上半年|下半年|第?[一二三四1-4]\s*季度(?:末)?|年底|年末|底|末)\s*{_BEFORE}?"
)
YEAR_TARGET = re.compile(
    rf"(?:到|至|在|于|截至|截止到?|力争|确保)\s*(20\d\d)\s*年(?!度|起|以来|开始|以后|后|同期|\d)|(20\d\d)\s*年\s*{_BEFORE}"
)
BARE_YEAR = re.compile(
    r"(?<![\d至到—\-－~])(20\d\d)\s*年(?![度起\d]|以来|开始|以后|后|同期|为基|比|相比|[上下]半年|\s*\d"
    r"|\s*(?:秋季开学|春季开学|主汛期|汛期|汛前|国庆|年中|第?[一二三四]季度))"  # 2025年秋季开学前: one date, not two
)
MONTH_ONLY = re.compile(rf"(?<!\d年)(?<!\d)(\d{{1,2}})\s*月(?:底|末|份|中旬|下旬)?\s*{_BEFORE}")
# "上半年出台" is a deadline; "报送上半年工作进展" names what the report is about
HALF_OR_QUARTER = re.compile(
    r"(?<!\d年)(?<![\d])(上半年|下半年|第?[一二三四]季度(?:末)?)(?!工作|进展|情况|总结|经济|运行|数据|执行|目标任务)"
)
DAY_ONLY = re.compile(rf"(?<!\d年)(?<!\d)(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日\s*{_BEFORE}")
# 今年/明年 followed by a month, a half or a quarter: the part of that year, not its end
RELATIVE_YEAR_PART = re.compile(
    rf"(今年|明年|本年|次年)\s*(?:(\d{{1,2}})\s*月\s*(?:(\d{{1,2}})\s*日)?\s*(?:底|末)?\s*{_BEFORE}?|(上半年|下半年|第?[一二三四]\s*季度(?:末)?))"
)
# "全年额度" and "全年目标" name the year's quota, not a time
THIS_YEAR = re.compile(r"年底前|年内|(?<![自从])今年(?!是|以来|开始|起)|全年(?!额度|目标|任务|计划|指标)|年底|年末|本年度|当年")
# Days of the school and flood calendar that plans date work by, in the document's year. By hand: no library
# knows them. Term starts on 1 September and about 1 March; the main flood season starts in June.
SEASON_BEFORE = re.compile(
    rf"(秋季开学|春季开学|主汛期|汛期|汛|国庆)节?\s*{_BEFORE}|(?<![今明全])年中(?=[和、及与]年底|\s*{_BEFORE})"
)
SEASON_END = {
    "秋季开学": (8, 31),
    "春季开学": (2, 28),
    "主汛期": (5, 31),
    "汛期": (5, 31),
    "汛": (5, 31),
    "国庆": (9, 30),
}
NEXT_YEAR = re.compile(r"(?<![自从])(?:明年|次年)(?!开始|起)")
STARTS = re.compile(
    r"(?:自|从)\s*(20\d\d)\s*年\s*(?:(\d{1,2})\s*月\s*)?(?:起|开始)|(20\d\d)\s*年\s*(?:(\d{1,2})\s*月\s*)?起"
)

YEARLY = re.compile(
    r"每年|每一年|逐年|按年度|分年度|每年度|年度滚动|年度监测|(?<![\d上本该下])年度(?:计划|重点|目标|任务|工作|考核|评估|总结|报告|预算|监测|调度|督查)"
    r"|(?<![\d上本该下])年度[\u4e00-\u9fff]{1,3}(?:计划|方案|清单)"
)
QUARTERLY = re.compile(r"每季度|按季度|每个季度|逐季|季度调度|季度通报|季度报送")
MONTHLY = re.compile(r"每月|按月|逐月|每个月|月度调度|月度通报|月报|一月一(?:督办|调度|通报|报告|报送)")
EARLY_EACH_YEAR = re.compile(r"每年年初|每年初|年初报送")

MID_TERM = re.compile(r"中期评估(?!结果)|中期(?:和|、|及|与)期末|中期评价|中期检查|中期总结")
FINAL = re.compile(
    r"总结评估|终期评估|期末评估|期末总结|末期评估|(?<=中期和)期末|(?<=中期、)期末|(?<=中期及)期末|(?<=中期与)期末"
)
ANNUAL_MONITORING = re.compile(r"年度监测|年度评估|年度总结|年度(?:实施)?情况报告|年度监测分析")


@dataclass(frozen=True, slots=True)
class TimeContext:
    """What relative expressions are relative to."""

    year: int | None  # the document's year: 今年, 年内, 6月底前 without a year
    period: tuple[int, int] | None  # the plan period: 中期 and 期末
    annual_plan: bool = False  # an annual plan's tasks without a date fall due at the end of its year
    annual_report: tuple[int, int] = (1, 31)
    mid_term_review: tuple[int, int] = (6, 30)
    final_review: tuple[int, int] = (12, 31)


@dataclass(frozen=True, slots=True)
class Timing:
    due: date | None = None
    recurrence: str | None = None
    starts: date | None = None
    review: str | None = None  # annual_monitoring, mid_term_review, final_review

    @property
    def is_signal(self) -> bool:
        return bool(self.due or self.recurrence or self.starts or self.review)


def month_end(year: int, month: int) -> date | None:
    if not 1 <= month <= 12:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _part_end(year: int, part: str) -> date | None:
    if part == "上半年":
        return date(year, 6, 30)
    if part in ("下半年", "年底", "年末", "底", "末"):
        return date(year, 12, 31)
    quarter = re.search(r"[一二三四1-4]", part)
    if quarter:
        month, day = QUARTER_END[CN_NUMBER[quarter.group()]]
        return date(year, month, day)
    return None


BOOK_TITLE = re.compile(r"《[^》]*》")


def explicit_dues(text: str, context: TimeContext) -> list[date]:
    """Every deadline the text fixes, in reading order, past dates (before the document's year) dropped."""
    # years inside a title (《…2035年远景目标纲要》) name the document, not a deadline
    text = BOOK_TITLE.sub(lambda match: "　" * len(match.group()), text)
    found: list[tuple[int, date]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, value: date | None) -> None:
        if value is None or any(start < b and a < end for a, b in taken):
            return
        taken.append((start, end))
        found.append((start, value))

    for pattern in (LABELED_EXACT_DAY, EXACT_DAY_DONE):
        for match in pattern.finditer(text):
            day = _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            add(match.start(1), match.end(), day)
    for match in EXACT_DAY.finditer(text):
        add(
            match.start(),
            match.end(),
            _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3))),
        )
    for match in YEAR_RANGE.finditer(text):
        if int(match.group(2)) > int(match.group(1)):
            add(match.start(), match.end(), date(int(match.group(2)), 12, 31))
    for match in MONTH_RANGE.finditer(text):
        # "2024年4月—6月", "2025年9月—2026年1月": a stage is due when it ends
        add(match.start(), match.end(), month_end(int(match.group(3) or match.group(1)), int(match.group(4))))
    for match in YEAR_PART.finditer(text):
        add(match.start(), match.end(), _part_end(int(match.group(1)), match.group(2)))
    for match in LABELED_YEAR_MONTH.finditer(text):
        add(match.start(1), match.end(), month_end(int(match.group(1)), int(match.group(2))))
    for match in YEAR_MONTH.finditer(text):
        if re.match(r"\s*\d{1,2}\s*日", text[match.end() :]):
            continue  # an event's date (印发于…日), not a deadline
        add(match.start(), match.end(), month_end(int(match.group(1)), int(match.group(2))))
    for match in YEAR_TARGET.finditer(text):
        add(match.start(), match.end(), date(int(match.group(1) or match.group(2)), 12, 31))
    # without a document year, "每年…" still starts with the plan period
    relative_year = context.year or (context.period[0] if context.period and "每年" in text else None)
    if relative_year:
        # "每年1月15日前报送上年度…": a yearly report on last year falls in the year after the document
        report_year = relative_year + 1 if re.search(r"每年.{0,12}上年", text) else relative_year
        for match in RELATIVE_YEAR_PART.finditer(text):
            year = relative_year + (match.group(1) in ("明年", "次年"))
            if match.group(4):
                value = _part_end(year, match.group(4))
            elif match.group(3):
                value = _safe_date(year, int(match.group(2)), int(match.group(3)))
            else:
                value = month_end(year, int(match.group(2)))
            add(match.start(), match.end(), value)
        for match in DAY_ONLY.finditer(text):
            add(match.start(), match.end(), _safe_date(report_year, int(match.group(1)), int(match.group(2))))
        for match in MONTH_ONLY.finditer(text):
            add(match.start(), match.end(), month_end(report_year, int(match.group(1))))
        for pattern in (MONTH_IN, LABELED_MONTH):
            # "于11月发布", "完成时限：9月": in that month of the document's year
            for match in pattern.finditer(text):
                add(match.start(1), match.end(), month_end(report_year, int(match.group(1))))
        for match in HALF_OR_QUARTER.finditer(text):
            add(match.start(), match.end(), _part_end(report_year, match.group(1)))
        for match in SEASON_BEFORE.finditer(text):
            month, day = SEASON_END[match.group(1)] if match.group(1) else (6, 30)  # 年中: mid-year
            written = re.search(r"(20\d\d)\s*年\s*$", text[max(0, match.start() - 6) : match.start()])
            add(match.start(), match.end(), date(int(written.group(1)) if written else relative_year, month, day))
        for match in THIS_YEAR.finditer(text):
            add(match.start(), match.end(), date(relative_year, 12, 31))
        for match in NEXT_YEAR.finditer(text):
            add(match.start(), match.end(), date(relative_year + 1, 12, 31))
    floor = context.year or (context.period[0] if context.period else None)
    for match in BARE_YEAR.finditer(text):
        year = int(match.group(1))
        if (floor and year > floor) or (context.annual_plan and year == floor):
            add(match.start(), match.end(), date(year, 12, 31))
    found.sort()
    dues: list[date] = []
    for _, value in found:
        if floor and value.year < floor:
            continue
        if value not in dues:
            dues.append(value)
    return dues


# 每年一季度, 每年第三季度前: a yearly duty due in a quarter, not a quarterly one
QUARTER_OF_EACH_YEAR = re.compile(r"每年(?:度)?[^。，；]{0,3}第?[一二三四]季度")
EXPLICIT_RHYTHMS = (
    ("yearly", re.compile(r"每年|每一年|逐年|按年度|分年度|每年度")),
    ("quarterly", QUARTERLY),
    ("monthly", MONTHLY),
)


CHINESE_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0", "O": "0"}
CHINESE_YEAR = re.compile(r"([〇○零O一二三四五六七八九]{4})(?=\s*年)")
CHINESE_MONTH = re.compile(r"(?<=年)(十[一二]?|[一二三四五六七八九])(?=\s*月)")
CHINESE_DAY = re.compile(r"(?<=月)([一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])(?=\s*日)")


def _chinese_number(written: str) -> str:
    """十二 -> 12, 二十五 -> 25, 三 -> 3 (months and days only go that far)."""
    if "十" not in written:
        return "".join(CHINESE_DIGITS[c] for c in written)
    tens, _, units = written.partition("十")
    return str((int(CHINESE_DIGITS[tens]) if tens else 1) * 10 + (int(CHINESE_DIGITS[units]) if units else 0))


def arabic_dates(text: str) -> str:
    """二〇二五年四月底前 -> 2025年4月底前: formal documents write dates in Chinese numerals."""
    text = text.replace("年年底", "年底").replace("年年末", "年末")  # 2021年年底前
    if not re.search(r"[〇○零一二三四五六七八九十](?:\s*[年月日])", text):
        return text
    text = CHINESE_YEAR.sub(lambda m: "".join(CHINESE_DIGITS[c] for c in m.group(1)), text)
    text = CHINESE_MONTH.sub(lambda m: _chinese_number(m.group(1)), text)
    return CHINESE_DAY.sub(lambda m: _chinese_number(m.group(1)), text)


# the day of the period a quarterly or monthly duty falls due: 每季度末月25日前, 每季度首月10日前, 每月5日前
QUARTER_DAY = re.compile(r"每(?:个)?季度(?:的)?(末月|最后一个月|首月|第一个月)\s*(\d{1,2})\s*日")
MONTH_DAY = re.compile(r"每(?:个)?月\s*(\d{1,2})\s*日")


def _first_period_day(text: str, recurrence: str, opens: date) -> date | None:
    """The first deadline of a quarterly or monthly duty: its day in the period in which it opens."""
    if recurrence == "quarterly":
        quarter_start = (opens.month - 1) // 3 * 3 + 1
        found = QUARTER_DAY.search(text)
        if found:
            last_month = found.group(1) in ("末月", "最后一个月")
            return _safe_date(opens.year, quarter_start + (2 if last_month else 0), int(found.group(2)))
        if re.search(r"每(?:个)?季度末|季度终了", text):
            return month_end(opens.year, quarter_start + 2)
        return None
    found = MONTH_DAY.search(text)
    return _safe_date(opens.year, opens.month, int(found.group(1))) if found else None


def recurrence_of(text: str) -> str | None:
    """The rhythm of a duty. A stated rhythm (每季度, 每月, 每年) beats one implied by a yearly document it
    works on ("每季度对年度计划执行情况进行分析" is quarterly); of several stated, the first one read wins."""
    if QUARTER_OF_EACH_YEAR.search(text):
        return "yearly"
    stated = [(match.start(), rhythm) for rhythm, pattern in EXPLICIT_RHYTHMS if (match := pattern.search(text))]
    if stated:
        return min(stated)[1]
    if YEARLY.search(text) or EARLY_EACH_YEAR.search(text):
        return "yearly"
    return None


FIVE_YEAR_PLAN_NAMED = re.compile(r"十([一二三四五六])五")
CHINESE_ORDINALS = "一二三四五六"
MONTH_START = re.compile(r"(?:自|从)\s*(\d{1,2})\s*月份?\s*(?:起|开始)")
RELATIVE_START = re.compile(r"(?:自|从)\s*(今年|明年)\s*(?:起|开始)")


def start_of(text: str, context: TimeContext | None = None) -> date | None:
    match = STARTS.search(text)
    years = YEAR_RANGE.search(text)
    if not match and years and recurrence_of(text):
        return date(int(years.group(1)), 1, 1)  # 2021—2025年，每年…: from the range's first year
    month_from = MONTH_START.search(text)
    if not match and month_from and context and context.year:
        return _safe_date(context.year, int(month_from.group(1)), 1)  # 自10月起每月…
    if not match:
        relative = RELATIVE_START.search(text)
        if relative and context and context.year:
            return date(context.year + (relative.group(1) == "明年"), 1, 1)
        return None
    year = int(match.group(1) or match.group(3))
    month = match.group(2) or match.group(4)
    return _safe_date(year, int(month), 1) if month else date(year, 1, 1)


def reviews_in(text: str, context: TimeContext) -> list[Timing]:
    timings: list[Timing] = []
    if ANNUAL_MONITORING.search(text):
        timings.append(
            Timing(recurrence="yearly", starts=start_of(text, context), review="annual_monitoring")
        )
    named = FIVE_YEAR_PLAN_NAMED.search(text)
    if named:
        # "完成“十四五”规划实施总结评估" in a 十五五 drafting plan: the review of the plan it names
        first = 1966 + 5 * (CHINESE_ORDINALS.index(named.group(1)) + 11 - 3)
        context = TimeContext(context.year, (first, first + 4), context.annual_plan, context.annual_report,
                              context.mid_term_review, context.final_review)
    if MID_TERM.search(text):
        due = None
        if context.period:
            start, end = context.period
            due = _safe_date(start + (end - start) // 2, *context.mid_term_review)
        timings.append(Timing(due=due, review="mid_term_review"))
    if FINAL.search(text):
        due = _safe_date(context.period[1], *context.final_review) if context.period else None
        timings.append(Timing(due=due, review="final_review"))
    return timings


def with_prefix(timings: list[Timing], prefix: str, context: TimeContext) -> list[Timing]:
    """A clause before the subject ("自2022年起，区发改局要每年…") sets the start and the rhythm of what follows."""
    if not prefix:
        return timings
    starts = start_of(prefix, context)
    recurrence = recurrence_of(prefix)
    if not starts and not recurrence:
        return timings
    merged = []
    for timing in timings:
        if timing.review in ("mid_term_review", "final_review"):
            merged.append(timing)
            continue
        merged.append(
            Timing(
                due=timing.due,
                recurrence=timing.recurrence or recurrence,
                starts=timing.starts or starts,
                review=timing.review,
            )
        )
    return merged


def timings_in(text: str, context: TimeContext) -> list[Timing]:
    """One Timing per deadline the text sets (at least one, possibly empty of any date)."""
    text = arabic_dates(text)
    recurrence = recurrence_of(text)
    starts = start_of(text, context)
    reviews = reviews_in(text, context)
    dues = explicit_dues(text, context)[:3]
    if recurrence and EARLY_EACH_YEAR.search(text) and not dues:
        base = starts.year if starts else (context.year or 0) + 1
        if base > 1:
            dues = [d for d in [_safe_date(base, *context.annual_report)] if d]
    if reviews and dues:
        # "2023年…开展中期评估": the text's own date for the review replaces the conventional one
        dated_reviews = []
        for review in reviews:
            same_year = next((due for due in dues if review.due and due.year == review.due.year), None)
            if same_year:
                dues.remove(same_year)
                review = Timing(
                    due=same_year, recurrence=review.recurrence, starts=review.starts, review=review.review
                )
            dated_reviews.append(review)
        reviews = dated_reviews
    if not dues and recurrence in ("quarterly", "monthly") and (starts or context.year):
        first = _first_period_day(text, recurrence, starts or date(context.year or 1, 1, 1))
        dues = [first] if first else []
    timings = [Timing(due=due, recurrence=recurrence, starts=starts) for due in dues]
    if reviews:
        if (
            not timings
            and not any(review.review == "annual_monitoring" for review in reviews)
            and (recurrence or starts)
        ):
            timings.append(Timing(recurrence=recurrence, starts=starts))
        return timings + reviews
    if timings:
        return timings
    if recurrence or starts:
        return [Timing(recurrence=recurrence, starts=starts)]
    if context.annual_plan and context.year:
        return [Timing(due=date(context.year, 12, 31))]
    return [Timing()]
