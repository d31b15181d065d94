"""Document structure: heading tree, document kind, jurisdiction, plan period, year, mechanism sections.

Written by hand because no library knows Chinese official-document conventions: headings are numbered
第X章 / 第X节 / 一、 / （一） / 1. / 专栏N and enumerated in running text as 一是…二是…, and the parts that assign
work (规划实施保障, 保障措施, 职责分工…) are recognised by their titles.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from ingest.records import Section

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}

# rank of each heading style: a heading closes every open heading of the same or a lower rank
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(r"^第[一二三四五六七八九十百零〇\d]+(?:篇|部分)")),
    (1, re.compile(r"^第[一二三四五六七八九十百零〇\d]+章")),
    (2, re.compile(r"^第[一二三四五六七八九十百零〇\d]+节")),
    (3, re.compile(r"^[一二三四五六七八九十]+、")),
    (4, re.compile(r"^[（(][一二三四五六七八九十]+[）)]")),
    (5, re.compile(r"^\d{1,2}[.．、](?!\d)|^\d{1,2}[.．](?=20\d\d年|\d{1,2}月)")),  # 1.6月30日前… is item 1
    (6, re.compile(r"^[（(]\d{1,2}[）)]")),
    (5, re.compile(r"^专栏\s*\d+")),
    (7, re.compile(r"^[一二三四五六七八九十]+(?:是|要|方面)(?=[^，。；]{2,40}[。；：])")),
)

MECHANISM_TITLE = re.compile(
    r"实施保障|保障措施|保障机制|实施机制|规划实施|职责分工|责任分工|任务分工|分工落实|监督考评|监督考核|考核评估|督查考核|督促检查"
    r"|推进落实|抓好落实|狠抓落实|强化措施|组织实施|组织领导|组织保障|工作机制|监测评估|评估机制|工作要求|落实机制|推进机制"
    r"|实施管理|动态调整|强化监督|加强监督|健全.{0,4}机制|明确.{0,4}责任|进度安排|时间安排|工作步骤|实施步骤|阶段安排"
)
ANNUAL_MEASURES_TITLE = re.compile(r"主要措施|重点工作|主要任务|重点任务|工作措施|工作安排|重点和|任务和措施")

KIND_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mechanism_opinion", re.compile(r"解读")),
    # a plan-drafting work plan names the next plan (十五五规划编制工作方案) but implements no plan
    (
        "drafting_work_plan",
        re.compile(
            r"编制工作(?:方案|计划|安排|时间安排|进度安排)|规划编制.{0,10}(?:方案|安排|计划)|编制.{0,6}进度安排"
            r"|做好.{0,12}规划编制工作"
        ),
    ),
    ("regulation", re.compile(r"条例|(?:管理|实施|暂行)办法|管理规定|若干规定")),
    ("supervision_notice", re.compile(r"督查|督办|通报|落实情况|议定事项|整改")),
    (
        "division_plan",
        re.compile(
            r"分工方案|任务分工|责任分工|分解方案|任务清单|分工的通知|责任清单|任务分解|分解表|推进表|任务表|责任表|台账"
            r"|落实分工|分工$"
        ),
    ),
    (
        "annual_plan",
        re.compile(
            r"\d{4}年(?:度|上半年|下半年)?国民经济和社会发展计划|年度计划(?:的通知|草案)|\d{4}年.{0,6}计划(?:草案)?的通知"
        ),
    ),
    ("mechanism_opinion", re.compile(r"实施机制|实施意见|落实.{0,10}意见|的意见|若干措施|实施措施")),
    ("speech", re.compile(r"讲话|致辞|发言|工作报告|在.{2,30}会议上")),
    # one year's list of key projects or tasks (2023年重点民生实事项目推进表): that year's work, due by its end
    (
        "annual_breakdown",
        re.compile(r"20\d\d年(?!\s*[—\-－–~至到]).{0,14}(?:重点|民生|实事|目标任务|工作要点|工作任务|任务清单)"),
    ),
    ("five_year_plan", re.compile(r"五年规划|规划纲要|十[一二三四五六]五.{0,12}规划|规划(?:（|\()?\d{4}")),
)

JURISDICTION = re.compile(
    r"(?:(?:(?![省市区县在全我本各该年])[\u4e00-\u9fff]){2,6}?(?:省|自治区))?"
    r"(?:(?:(?![省市区县在全我本各该年])[\u4e00-\u9fff]){2,5}?市)?"
    r"((?:(?![省市区县在全我本各该年月日度])[\u4e00-\u9fff]){1,5}?(?:区|县|市|旗))"
    r"(?=人民政府|政府|国民经济|“十|\"十|十[一二三四五六]五|第十|20\d\d年|发展和改革|发展改革|发改)"
)
FIVE_YEAR_NAME = re.compile(r"十([一二三四五六])五|第十([一二三四五六])个五年")
EXPLICIT_PERIOD = re.compile(r"[（(]?(20\d\d)\s*[—\-－–~至到]+\s*(20\d\d)\s*年")
FULL_DATE = re.compile(r"(20\d\d|19\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
TITLE_YEAR = re.compile(r"(20\d\d)年(?:度)?(?:国民经济|.{0,8}计划|.{0,8}工作要点|.{0,4}政府工作报告)")
# a year the title is about (2024年重点工作); not a period's end, and not the date line under it (2021年11月)
ANNUAL_TITLE_YEAR = re.compile(r"(?<![—\-－–~至到])20\d\d年(?!\s*[—\-－–~至到]|\s*\d{1,2}\s*月)")
ANNUAL_TITLE_WORDS = re.compile(r"政府工作报告|年度工作要点|年度重点")
# any year in the title that is not one end of a period (2021—2025年) and not the 2035 of 远景目标
TITLE_ANY_YEAR = re.compile(r"(?<![—\-－–~至到\d])(20\d\d)年(?!\s*[—\-－–~至到]|远景)")
# 成文日期 | 2023年07月12日: the date a government website's header gives the document
ISSUE_DATE_LABEL = re.compile(r"(?:成文日期|发文日期|发布日期|印发日期|签发日期)\s*[|:：\s]\s*(20\d\d)\s*[年\-/.]")
WHOLLY_ASSIGNING_KINDS = (
    "division_plan",
    "annual_breakdown",
    "mechanism_opinion",
    "drafting_work_plan",
    "supervision_notice",
    "regulation",
)
THIS_YEAR_TO = re.compile(r"今年(?:底|年底|下半年)?[至到](20\d\d)年")
DATED_DEADLINE = re.compile(
    r"(20\d\d)\s*年\s*(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末)?|年?底|年?末)\s*(?:前|以前|之前)"
)
YEAR_AND_MONTH = re.compile(r"(20\d\d)\s*年\s*\d{1,2}\s*月")
DATE_LINE = re.compile(r"^[（(]?(20\d\d)\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?[）)]?$")
ISSUED_ON = re.compile(r"于\s*(20\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^。]{0,12}(?:印发|发布|通过)")


def five_year_period(ordinal: int) -> tuple[int, int]:
    """The n-th five-year plan: the 3rd began in 1966 and they have run back to back since."""
    start = 1966 + 5 * (ordinal - 3)
    return start, start + 4


@dataclass(slots=True)
class Heading:
    rank: int
    title: str
    start: int  # offset of the heading line in the normalized text
    body_start: int


@dataclass(slots=True)
class Outline:
    title: str
    kind: str
    jurisdiction: str | None
    period: tuple[int, int] | None
    year: int | None
    sections: list[Section] = field(default_factory=list)
    _section_starts: list[int] = field(default_factory=list)

    @property
    def year_bound(self) -> bool:
        """An annual plan or a 政府工作报告 division: its undated tasks fall due at the end of its year, and it
        has no review calendar of its own (the five-year period is kept only to date 中期/期末 it mentions)."""
        return self.kind in ("annual_plan", "annual_breakdown")

    @property
    def has_review_calendar(self) -> bool:
        """Only a five-year plan and the documents that implement it have 年度监测/中期评估/总结评估."""
        return self.kind in ("five_year_plan", "mechanism_opinion", "division_plan", "speech")

    def section_at(self, offset: int) -> Section | None:
        index = bisect_right(self._section_starts, offset) - 1
        return self.sections[index] if index >= 0 else None


def analyse(text: str, *, year_override: int | None = None) -> Outline:
    header = _header(text)
    kind = classify(header, text)
    year = year_override or find_year(header, text, kind)
    period = find_period(header, text, year if kind in ("annual_plan", "division_plan", "annual_breakdown") else None)
    if period is None and kind == "annual_plan" and year:
        period = _period_around(year)
    outline = Outline(
        title=_title(header),
        kind=kind,
        jurisdiction=find_jurisdiction(header, text),
        period=period,
        year=year,
    )
    outline.sections = build_sections(text, kind)
    outline._section_starts = [section.start for section in outline.sections]
    return outline


def _header(text: str) -> str:
    """The opening lines that carry the title: issuing body, 发文字号, the title split over several lines."""
    lines = text.split("\n", 14)[:14]
    return "\n".join(line for line in lines if len(line) <= 90)


GARBLED = re.compile(r"\?[。、，!！A-Za-z^)\]]")
DOC_NUMBER = re.compile(r"〔\d{4}〕|\[\d{4}\]|\d{4}〕\d+号|第\s*\d+\s*号$")
ISSUER_LINE = re.compile(r"(?:人民政府|办公室|委员会|办公厅|政府|局|委)$")
# a government site's header: 索引号：…　发布机构：…, 成文日期：… — about the document, not its title
METADATA_LINE = re.compile(r"^\s*(?:索引号|主题分类|发布机构|发文机关|成文日期|发布日期|公开方式|发文字号|文号|有效性|时效性)\s*[:：|]")
TITLE_FIELD = re.compile(r"^\s*\|?\s*(?:文件名称|标\s*题|名\s*称)\s*[|:：]\s*([^|\n]{4,120}?)\s*(?:\||$)", re.M)
TITLE_KEYWORD = re.compile(
    r"(?:讲话|规划|纲要|计划|意见|方案|通知|报告|决定|办法|解读|说明|要点|清单|通报|条例|规定|细则|纪要|[分解推进安排情况任务]表"
    r"|任务分解|责任分工|任务分工)"
)


def _title(header: str) -> str:
    """The document's title: the opening short lines joined, without 发文字号 and issuer lines."""
    field = TITLE_FIELD.search(header)
    if field:
        return re.sub(r"\s+", "", field.group(1))[:120]  # 文件名称 | … | from a government site's header table
    parts: list[str] = []
    for line in header.split("\n")[:10]:
        line = line.strip()
        if not line or DOC_NUMBER.search(line) or FULL_DATE.fullmatch(line) or METADATA_LINE.match(line):
            continue
        if GARBLED.search(line) and not parts:
            continue  # "(山东?。H坊市…": a garbled copy of the title; the clean one follows
        if line.endswith(("。", "：", ":")) or len(line) > 130 or "\t" in line or "|" in line[1:]:
            break  # a sentence, the addressees or a table row: the title is above
        if parts and heading_of(line):
            break  # 一、重点任务: the body's first heading
        if (
            (ISSUER_LINE.search(line) or line.endswith("文件"))
            and len(line) <= 24
            and not TITLE_KEYWORD.search(line)
        ):
            continue  # the issuing body or the red-head 文件 line above the title
        parts.append(re.sub(r"\s+", "", line))
        joined = "".join(parts)
        if TITLE_KEYWORD.search(re.sub(r"[（(][^（()）]*[）)]$", "", joined)[-6:]) and not re.search(
            r"[《“]$", joined
        ):
            break
    title = "".join(parts)
    handed_over = re.search(r"关于(?:印发|转发|下达)(.{4,100}?)的通知$", title)
    if handed_over and not re.fullmatch(r"《[^》]+》", handed_over.group(1)):
        # 关于印发2023年《政府工作报告》重点工作任务分解表的通知: the whole object, not the report it quotes
        return handed_over.group(1).replace("《", "").replace("》", "")[:120]
    quoted = re.search(r"《([^》]{4,80})》", title)
    if quoted and re.search(r"印发|解读|转发", title):
        return quoted.group(1)
    title = re.sub(r"^关于(?:印发|转发)?", "", title)
    return re.sub(r"的通知$", "", title)[:120]


def _annual_title(title: str) -> bool:
    """A division of one year's work: a year in the title, or 政府工作报告/年度 words without a five-year plan."""
    return bool(ANNUAL_TITLE_YEAR.search(title)) or (
        bool(ANNUAL_TITLE_WORDS.search(title)) and not FIVE_YEAR_NAME.search(title)
    )


def classify(header: str, text: str) -> str:
    title = _title(header)
    title_text = title + ("解读" if "解读" in header.split("\n", 1)[0] else "")
    for kind, pattern in KIND_RULES:
        if pattern.search(title_text):
            if kind == "division_plan" and _annual_title(title):
                return "annual_breakdown"  # 2024年《政府工作报告》重点任务分解: one year's work, not the plan's
            return kind
    body = text[:3000]
    for kind, pattern in KIND_RULES:
        if kind != "mechanism_opinion" and pattern.search(body):
            return kind
    return "other"


def find_jurisdiction(header: str, text: str) -> str | None:
    for candidate in (
        _title(header),
        "".join(line for line in header.split("\n")[:8] if ISSUER_LINE.search(line)),
    ):
        match = JURISDICTION.search(candidate)
        if match:
            return match.group(1)
    # in the body only the strongest contexts count: 莱芜区人民政府, 莱芜区国民经济…
    counts = Counter(
        match.group(1)
        for match in JURISDICTION.finditer(text[:20000])
        if re.match(r"人民政府|国民经济|发展和改革", text[match.end() : match.end() + 5])
    )
    return counts.most_common(1)[0][0] if counts else None


def find_period(header: str, text: str, year: int | None = None) -> tuple[int, int] | None:
    """The plan period. An annual document's period is the one that contains its year, when it is mentioned."""
    for source in (header.replace("\n", ""), None):
        if source is not None:
            explicit = EXPLICIT_PERIOD.search(source)
            if explicit and int(explicit.group(2)) - int(explicit.group(1)) == 4:
                return int(explicit.group(1)), int(explicit.group(2))
            named = FIVE_YEAR_NAME.search(source)
            if named:
                return five_year_period(10 + CN_DIGITS[named.group(1) or named.group(2)])
    counts: Counter[tuple[int, int]] = Counter()
    for named in FIVE_YEAR_NAME.finditer(text):
        counts[five_year_period(10 + CN_DIGITS[named.group(1) or named.group(2)])] += 1
    for explicit in EXPLICIT_PERIOD.finditer(text):
        start, end = int(explicit.group(1)), int(explicit.group(2))
        if end - start == 4:
            counts[(start, end)] += 1
    if not counts:
        return None
    containing = [period for period in counts if year and period[0] <= year <= period[1]]
    if containing:
        return containing[0]
    best = max(counts.values())
    return max(period for period, count in counts.items() if count == best)


def _period_around(year: int) -> tuple[int, int]:
    start = 1966 + ((year - 1966) // 5) * 5
    return start, start + 4


def find_year(header: str, text: str, kind: str) -> int | None:
    flat = header.replace("\n", "")
    # "2024年…计划执行情况与2025年…计划草案的报告": the document is the plan of the year it proposes
    title_years = [m for m in TITLE_YEAR.finditer(flat) if not flat[m.end() : m.end() + 4].startswith("执行情况")]
    if title_years:
        return int(title_years[-1].group(1)) if "草案" in flat else int(title_years[0].group(1))
    labelled = ISSUE_DATE_LABEL.search(header)
    if labelled:
        return int(labelled.group(1))
    issued = ISSUED_ON.search(text[:3000])
    if issued:
        return int(issued.group(1))
    if kind not in ("five_year_plan", "mechanism_opinion"):
        in_title = TITLE_ANY_YEAR.search(_title(header))
        if in_title:
            return int(in_title.group(1))
    # the date line under a title: （2021年11月）
    for line in header.split("\n")[:6]:
        dated = DATE_LINE.match(line.strip())
        if dated:
            return int(dated.group(1))
    # a signature date stands alone on its line, near the top (notices) or the bottom (reports); a table's date
    # cell (2023年6月30日 |) stands alone too, and is no signature
    lines = text.split("\n")
    for line in lines[:40] + lines[-20:]:
        stripped = line.strip()
        date = FULL_DATE.search(stripped)
        if date and len(stripped) <= len(date.group()) + 16 and "|" not in stripped:
            return int(date.group(1))
    # "今年至2025年" dates the document only when nothing states its date: it is checked after the signature
    relative = THIS_YEAR_TO.search(text)
    if relative:
        return int(relative.group(1)) - 1
    if kind == "drafting_work_plan":
        # a drafting plan is issued when its timetable opens: the earliest year its stages name
        years = [int(match.group(1)) for match in YEAR_AND_MONTH.finditer(text)]
        if years:
            return min(years)
    # a five-year plan and what implements it (its division plan) run over the period: their deadlines spread
    # over it and say nothing of the year they were issued
    if kind not in ("five_year_plan", "mechanism_opinion", "division_plan"):
        return _year_of_dated_deadlines(text)
    return None


def _year_of_dated_deadlines(text: str) -> int | None:
    """An undated year's plan ("落实《政府工作报告》重点任务分工方案") is of the year most of its dated deadlines
    fall in ("2026年9月底前"), the earliest on a tie: later years are the few tasks that run on."""
    years = Counter(int(match.group(1)) for match in DATED_DEADLINE.finditer(text))
    if not years:
        return None
    most = max(years.values())
    return min(year for year, count in years.items() if count == most)


def heading_of(line: str) -> tuple[int, str] | None:
    """(rank, title) when `line` opens with a heading marker."""
    for rank, pattern in HEADING_PATTERNS:
        match = pattern.match(line)
        if not match:
            continue
        rest = line[match.end() :]
        if rank == 5 and len(line) > 60 and not re.match(r"[^。]{2,40}[。：]", rest):
            return None  # a numbered sentence inside a table or a list, not a heading
        # "（四）加强基层医疗能力。完成…，区卫健局负责。": the heading ends at its first stop, however short the line
        title = line[: _first_stop(line)]
        return rank, title.strip()
    return None


def _first_stop(line: str) -> int:
    for index, char in enumerate(line):
        if char in "。：:；;" and index > 1:
            return index
    return min(len(line), 40)


def build_sections(text: str, kind: str) -> list[Section]:
    # documents that do nothing but assign work: every sentence of theirs may be a task
    whole_is_mechanism = kind in WHOLLY_ASSIGNING_KINDS and not _is_commentary(text)
    open_headings: list[tuple[int, str, bool]] = []  # (rank, title, mechanism)
    sections: list[Section] = [Section(path=(), start=0, end=len(text), is_mechanism=whole_is_mechanism)]
    position = 0
    for line in text.split("\n"):
        start = position
        position += len(line) + 1
        found = heading_of(line)
        if not found:
            continue
        rank, title = found
        while open_headings and open_headings[-1][0] >= rank:
            open_headings.pop()
        inherited = any(mechanism for _, _, mechanism in open_headings)
        mechanism = (
            whole_is_mechanism
            or inherited
            or bool(MECHANISM_TITLE.search(title))
            or (kind == "annual_plan" and bool(ANNUAL_MEASURES_TITLE.search(title)))
        )
        open_headings.append((rank, title, mechanism))
        sections[-1] = _closed(sections[-1], start)
        sections.append(
            Section(
                path=tuple(heading for _, heading, _ in open_headings),
                start=start,
                end=len(text),
                is_mechanism=mechanism,
            )
        )
    return sections


def _closed(section: Section, end: int) -> Section:
    return Section(path=section.path, start=section.start, end=end, is_mechanism=section.is_mechanism)


def _is_commentary(text: str) -> bool:
    """A 解读 explains a whole plan: only its mechanism parts assign work, not the background it retells."""
    return "解读" in text[:200]
