"""Who is responsible in a sentence: clause subjects, bracketed roles, labelled lines and table columns.

Written by hand because assignment in Chinese plans follows house conventions rather than free grammar: the
responsible unit opens a clause (区发展改革局要…, 由区政府提出…), roles are marked by 牵头/负责 (lead) and
会同/配合/参与 (co), and division plans add labelled lines (牵头单位：A；责任单位：B) and tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.units import UnitMention, generic_name, plausible_name, units_in_series

CLAUSE_BREAK = "，,；;："
OPENERS = "（(《“‘【[「"
CLOSERS = "）)》”’】]」"
CLAUSE_LEAD = re.compile(
    r"^(?:同时|并且|并|另外|此外|其中|为此|对此|然后|最后|首先|其次|再次|今后|目前|当前|还要|也要|都要|均要|要|请)?"
)
# "3." "（3）" "三、" "三是" before an item's text: numbering, not words (a decimal such as 3.5 is not one)
LIST_MARKER = re.compile(
    r"^\s*(?:\d{1,3}[.．、](?!\d)|\d{1,2}[.．](?=20\d\d年|\d{1,2}月)|[（(]\d{1,3}[）)]|[一二三四五六七八九十]+[、是要]|[（(][一二三四五六七八九十]+[）)]"
    r"|第[一二三四五六七八九十百零〇]{1,5}条)\s*"  # 第二十二条 before a regulation's article
)
CO_WORDS = re.compile(
    r"^(?:积极|密切|主动|全力|做好)?(?:配合|协助|参与|协同配合|按职责分工负责|按照职责分工负责|按职责负责|按照职责负责|根据职责分工负责)"
)
CO_COLLECTIVES = frozenset(("配合单位", "配合部门", "参与部门", "协办单位"))
# one time phrase or several in a row: "明年上半年", "2025年第三季度前"
TIME_LEAD = re.compile(
    r"(?:(?:20\d\d\s*年(?:\s*\d{1,2}\s*月)?(?:底|末)?(?:前|以前|之前|起)?|今年|明年|每年|年内|年底前|上半年|下半年"
    r"|第?[一二三四]季度|每月(?:\d{1,2}日)?|每季度(?:末)?|\d{1,2}月(?:\d{1,2}日|底|末)?"
    r"|(?:自|从)(?:今年|明年|20\d\d年(?:\d{1,2}月)?)(?:起|开始))(?:内|末|前)?)+"
)
WITH_WORDS = re.compile(r"^(?:会同|联合|协同|同|商|牵头会同)")
ROLE_PREFIX = re.compile(
    r"^(?:要|应|须|必须|需要)?(?:牵头负责|牵头|负责|按职责分工负责|按职责分工|按职责|配合)?"
)
ROLE_ONLY = re.compile(
    r"^(?:积极|密切|主动|全力|做好)?(?:配合|协助|参与|牵头|负责|按职责分工负责|分别负责)(?:做好)?(?:相关|有关)?(?:工作)?[，,；;。）)]*$"
)
# a comma-less lead-in before the subject: "按照要求区发改局要…", "为加快数字化转型区工信局要牵头…"
PREAMBLE = re.compile(r"^(?:按照|根据|依据|对照|围绕|结合|针对|为了|为)")
# characters of lead-in searched for the subject; longer lead-ins take a comma in practice
PREAMBLE_REACH = 24
MODAL = re.compile(r"^(?:要|应|须|必须|需要|应当|还要|也要|进一步|主动|积极|切实)")
MODAL_OR_ROLE = re.compile(
    r"^(?:要|应|须|需|必须|负责|牵头|会同|联合|配合|协助|参与|按职责|统筹|分别|共同|将|把|对|是|作为|为|进一步|切实|及时)"
)
LABEL = re.compile(
    r"(牵头责任单位|牵头单位|牵头部门|主办单位|责任单位|责任部门|责任主体|实施主体|实施单位|承办单位|主责单位|主责部门"
    r"|配合责任单位|配合单位|配合部门|协办单位|参与单位|参与部门|协同单位|协同部门"
    r"|责任站所|责任科室|责任处室|牵头科室|牵头处室|牵头站所"
    r"|责任领导|牵头领导|分管领导|联系领导|牵头区领导|责任区领导"
    r"|完成时限|完成时间|时间节点|办结时限|办理时限|时限)\s*[:：]\s*"
)
LEAD_LABELS = ("牵头责任单位", "牵头单位", "牵头部门", "主办单位", "主责单位", "主责部门", "牵头科室", "牵头处室", "牵头站所")
CO_LABELS = (
    "配合责任单位",
    "配合单位",
    "配合部门",
    "协办单位",
    "参与单位",
    "参与部门",
    "协同单位",
    "协同部门",
)
TIME_LABELS = ("完成时限", "完成时间", "时间节点", "办结时限", "办理时限", "时限")
# a label naming the leader who oversees the item: a person, never the unit that does the work
LEADER_LABELS = ("责任领导", "牵头领导", "分管领导", "联系领导", "牵头区领导", "责任区领导")
PAREN = re.compile(r"[（(]((?:[^（()）]|[（(][^（()）]{0,12}[）)]){2,80})[）)]")

TABLE_TASK = re.compile(r"任务|内容|事项|措施|工作|项目|名称")
TABLE_LEAD = re.compile(r"牵头")
TABLE_RESPONSIBLE = re.compile(r"责任|主办|承办")
TABLE_CO = re.compile(r"配合|协办|参与|协同")
TABLE_DUE = re.compile(r"时限|时间|节点|进度")
# what has been done so far (上半年进展, 办理情况, 推进情况): a report, never the task
TABLE_PROGRESS = re.compile(r"进展|情况|备注|说明|是否")


@dataclass(frozen=True, slots=True)
class Assignment:
    mention: UnitMention
    role: str
    segment_start: int  # offsets (in the sentence) of the part of the sentence this unit is responsible for
    segment_end: int


def clause_starts(sentence: str) -> list[int]:
    """Offsets where clauses begin, ignoring commas inside brackets and quotes."""
    starts = [0]
    depth = 0
    for index, char in enumerate(sentence):
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth = max(0, depth - 1)
        elif char in CLAUSE_BREAK and depth == 0 and index + 1 < len(sentence):
            starts.append(index + 1)
    return starts


def subject_assignments(sentence: str) -> list[Assignment]:
    """Units that open a clause, with their roles, each responsible for the text up to the next such clause."""
    found: list[tuple[int, list[tuple[UnitMention, str]]]] = []
    for clause_start in clause_starts(sentence):
        # "3.区商务局会同…": an item's number comes before its subject
        numbering = LIST_MARKER.match(sentence) if clause_start == 0 else None
        subject_start = numbering.end() if numbering else clause_start
        # on a slice: "^" in a compiled pattern matches only at the real start of the string, never at `pos`
        lead = CLAUSE_LEAD.match(sentence[subject_start : subject_start + 8])
        position = subject_start + (lead.end() if lead else 0)
        by_means = sentence.startswith("由", position)
        if by_means:
            position += 1
        # after 由 only a unit can stand: a name by function (由发展规划行政主管部门组织…) needs no level marker
        mentions, after = _by_means_units(sentence, position) if by_means else units_in_series(sentence, position)
        if not mentions:
            time_lead = TIME_LEAD.match(
                sentence, position
            )  # "2025年底前区发改局要…": a date before the subject
            if time_lead and time_lead.end() > position:
                mentions, after = units_in_series(sentence, time_lead.end())
        if not mentions and PREAMBLE.match(sentence[position : position + 4]):
            mentions, after = _subject_after_preamble(sentence, position)
        with_clause = WITH_WORDS.match(sentence[position:]) if not mentions and found else None
        if with_clause:
            # "…负责综合协调，会同区直有关部门分解任务": the partners join the clause's subject as co
            partners, _ = units_in_series(sentence, position + with_clause.end(), lenient=True)
            found[-1][1].extend((partner, "co") for partner in partners)
            continue
        if not mentions:
            by_means_inside, inside_after = _by_means_within(sentence, position)
            if by_means_inside:
                inside_roles = [(mention, "lead") for mention in by_means_inside]
                found.append((clause_start, _with_partners(sentence, inside_after, inside_roles), False))
            continue
        rest = sentence[after:]
        if not by_means and not rest.strip("，,；;。 "):
            continue  # a bare list of units is an object or a heading, not a subject
        if not by_means and RELATIVE_CLAUSE.match(rest):
            continue  # "各镇人民政府编制的专项规划，参照执行": the units qualify a noun, they are given nothing
        etc = re.match(r"等(?:部门|单位|有关部门|相关部门)?", rest)
        if etc:
            rest = rest[etc.end() :]
            after += etc.end()
        modal = MODAL.match(rest)
        if modal:
            rest = rest[modal.end() :]
            after += modal.end()
        roles: list[tuple[UnitMention, str]] = []
        subject_role = "co" if CO_WORDS.match(rest) or mentions[0].name in CO_COLLECTIVES else "lead"
        roles.extend((mention, subject_role) for mention in mentions)
        roles = _with_partners(sentence, after, roles)
        # "区财政局配合" alone shares the lead's task: its segment is the whole sentence
        clause_end = next(
            (index for index in range(after, len(sentence)) if sentence[index] in CLAUSE_BREAK + "。"),
            len(sentence),
        )
        role_only = bool(ROLE_ONLY.match(sentence[after:clause_end]))
        found.append((clause_start, roles, role_only))
    assignments: list[Assignment] = []
    task_clauses = [(clause_start, roles) for clause_start, roles, role_only in found if not role_only]
    for position, (clause_start, roles) in enumerate(task_clauses):
        end = task_clauses[position + 1][0] if position + 1 < len(task_clauses) else len(sentence)
        segment_start = 0 if position == 0 else clause_start
        assignments.extend(Assignment(mention, role, segment_start, end) for mention, role in roles)
    for _, roles, role_only in found:
        if role_only:
            assignments.extend(Assignment(mention, role, 0, len(sentence)) for mention, role in roles)
    return assignments


# a unit followed by a verb and 的 describes something it does or did: 编制的规划, 牵头的项目
RELATIVE_CLAUSE = re.compile(r"^(?:编制|制定|起草|牵头|负责|承担|组织|实施|建设|提出|开展|申报|承办|报送)的")
BY_DUTIES = re.compile(r"按(?:照)?职责(?:分工)?负责|根据职责(?:分工)?负责")
HELPING = re.compile(r"配合|协助|参与|协办")


def duty_bearers_lead(text: str, assignments: list[Assignment]) -> list[Assignment]:
    """ "（A、B按职责分工负责）" with nobody leading: A and B carry the work, so they lead.

    For a task's note only: in a note, 按职责分工负责 alone is how a plan gives several units one task; as a
    clause ("财政部等部门按职责分工负责相关保障工作") it describes support, and stays co."""
    if not assignments or any(a.role == "lead" for a in assignments):
        return assignments
    if not BY_DUTIES.search(text) or HELPING.search(text):
        return assignments
    return [Assignment(a.mention, "lead", a.segment_start, a.segment_end) for a in assignments]


def _subject_after_preamble(sentence: str, position: int) -> tuple[list[UnitMention], int]:
    """The first unit inside the lead-in's reach that is followed by what a subject is followed by (要, 负责…).

    Written by hand because the lead-in has no marked end: only the modal or role word after the unit tells
    "为加快数字化转型区工信局要牵头" (a subject) from "按照区发改局的要求" (an object of the lead-in).
    """
    limit = min(len(sentence), position + PREAMBLE_REACH)
    for start in range(position + 1, limit):
        if sentence[start] in CLAUSE_BREAK + "。":
            break
        mentions, after = units_in_series(sentence, start)
        if mentions and MODAL_OR_ROLE.match(sentence[after : after + 4]):
            # "数字化转型区工信局": the name starts at its level word, not where the lead-in's words run into it
            for level_start in range(start + 1, mentions[0].end - 2):
                if sentence[level_start] in "省市区县乡镇":
                    tighter, tighter_after = units_in_series(sentence, level_start)
                    if tighter and tighter_after == after:
                        return tighter, tighter_after
            return mentions, after
    return [], position


def _by_means_within(sentence: str, clause_start: int) -> tuple[list[UnitMention], int]:
    """专项规划由市直有关部门负责编制: 由 inside a clause names who does it; returns the units and their end."""
    clause_end = len(sentence)
    for index in range(clause_start + 1, len(sentence)):
        if sentence[index] in CLAUSE_BREAK or sentence[index] in "。！？":
            clause_end = index
            break
    position = sentence.find("由", clause_start, clause_end)
    while position != -1:
        mentions, after = _by_means_units(sentence, position + 1)
        if mentions:
            return mentions, after
        position = sentence.find("由", position + 1, clause_end)
    return [], clause_start


# what a body's name ends with when it is read leniently after 由 ("由全面建成小康社会…" names no body)
BODY_ENDING = re.compile(r"(?:部门|机关|单位|主体|局|委|办|政府|中心|公司|集团|办公室|督查室|领导小组|中队|大队|支队|所|站)$")


def _by_means_units(sentence: str, position: int) -> tuple[list[UnitMention], int]:
    """The units after 由: as a subject is read, or any body name, since after 由 only the doer can stand."""
    mentions, after = units_in_series(sentence, position)
    if mentions:
        return mentions, after
    mentions, after = units_in_series(sentence, position, lenient=True)
    if mentions and all(BODY_ENDING.search(mention.name) for mention in mentions):
        return mentions, after
    # "由区纪委监委依规依纪问责": a named body followed by any verb; the longest plausible name wins
    for end in range(min(len(sentence), position + 20), position + 2, -1):
        candidate = sentence[position:end]
        if BODY_ENDING.search(candidate) and plausible_name(candidate) and not generic_name(candidate):
            return [UnitMention(candidate, position, end)], end
    return [], position


# "由A牵头、B配合", "A会同B", "由A配合B完成": the partners named inside the subject's own clause
LEAD_THEN_PARTNERS = re.compile(r"^(?:牵头|负责|牵头负责)[、，,]?")
ASSISTS = re.compile(r"^(?:配合|协助)")


def _with_partners(
    sentence: str, after: int, roles: list[tuple[UnitMention, str]]
) -> list[tuple[UnitMention, str]]:
    rest = sentence[after:]
    modal = MODAL.match(rest)
    position = after + (modal.end() if modal else 0)
    rest = sentence[position:]
    with_words = WITH_WORDS.match(rest)
    if with_words:
        partners, _ = units_in_series(sentence, position + with_words.end(), lenient=True)
        return roles + [(partner, "co") for partner in partners]
    assists = ASSISTS.match(rest)
    if assists:
        # "由县统计局配合县发展改革局完成": the unit assisted leads, the subject helps
        led, _ = units_in_series(sentence, position + assists.end(), lenient=True)
        if led:
            return [(mention, "co") for mention, _ in roles] + [(mention, "lead") for mention in led]
    lead_words = LEAD_THEN_PARTNERS.match(rest)
    if lead_words and sentence[position + lead_words.end() - 1 : position + lead_words.end()] == "、":
        partners, partners_end = units_in_series(sentence, position + lead_words.end(), lenient=True)
        if partners and CO_WORDS.match(sentence[partners_end:]):
            return roles + [(partner, "co") for partner in partners]
    return roles


def parenthetical_assignments(sentence: str) -> list[Assignment]:
    """（区发改局牵头，区财政局配合） or （责任单位：区商务局） after a task."""
    assignments: list[Assignment] = []
    for match in PAREN.finditer(sentence):
        inner = match.group(1)
        if not re.search(r"牵头|配合|负责|责任|参与|协办|主办", inner):
            continue
        base = match.start(1)
        # （责任单位；住建局、畜牧局）: a semicolon typed for the colon right after the label
        inner = re.sub(r"^(\s*(?:牵头|责任|配合|协办|主办|参与)(?:单位|部门))\s*[；;]", r"\1：", inner)
        labelled = label_assignments(inner)
        if labelled:
            assignments.extend(
                Assignment(
                    UnitMention(a.mention.name, a.mention.start + base, a.mention.end + base),
                    a.role,
                    0,
                    len(sentence),
                )
                for a in labelled
            )
            continue
        for clause_start in clause_starts(inner):
            mentions, after = units_in_series(inner, clause_start)
            if not mentions:
                continue
            role = "co" if CO_WORDS.match(inner[after:]) else "lead"
            assignments.extend(
                Assignment(UnitMention(m.name, m.start + base, m.end + base), role, 0, len(sentence))
                for m in mentions
            )
    return assignments


def label_assignments(text: str) -> list[Assignment]:
    """牵头单位：A；责任单位：B、C — on one line or in brackets."""
    return list(_label_assignments(text))


@lru_cache(maxsize=4096)
def _label_assignments(text: str) -> tuple[Assignment, ...]:
    # division plans repeat the same label lines item after item: each distinct block is read once
    labels = list(LABEL.finditer(text))
    if not labels:
        return []
    has_lead_label = any(label.group(1) in LEAD_LABELS for label in labels)
    assignments: list[Assignment] = []
    for index, label in enumerate(labels):
        name = label.group(1)
        if name in TIME_LABELS or name in LEADER_LABELS:
            continue
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        role = "co" if name in CO_LABELS or (has_lead_label and name not in LEAD_LABELS) else "lead"
        mentions = units_in_list(text, label.end(), end)
        marked_lead = [m for m in mentions if re.match(r"[（(]牵头[）)]", text[m.end : m.end + 4])]
        for mention in mentions:
            mention_role = role if not marked_lead else ("lead" if mention in marked_lead else "co")
            assignments.append(Assignment(mention, mention_role, 0, len(text)))
    return tuple(assignments)


def units_in_list(text: str, start: int, end: int) -> list[UnitMention]:
    """Units listed in a cell or after a label, separated by 、，,；/ or spaces."""
    mentions: list[UnitMention] = []
    # "（责任单位：区财政局（牵头）、区发改局）": the bracket that closes the note is not part of the last unit
    while end > start and text[end - 1] in "）)" and _closers_exceed_openers(text[start:end]):
        end -= 1
    cell = text[:end]
    position = start
    while position < end:
        while position < end and cell[position] in "、，,；;/ \u3000\t和及":
            position += 1
        if position >= end:
            break
        series, after = units_in_series(cell + "。", position, lenient=True)  # only units stand in a list
        if series:
            mentions.extend(series)
            position = max(after, series[-1].end)
            continue
        next_break = min(
            (cell.find(sep, position) for sep in "、，,；;/ " if cell.find(sep, position) != -1), default=end
        )
        fallback = cell[position:next_break].strip()
        if 2 <= len(fallback) <= 16 and re.search(r"[局委办部院会司厅署府区镇街道心位门关组处队站所联团]$", fallback):
            mentions.append(UnitMention(fallback, position, next_break))
        position = next_break + 1
    return mentions


def _closers_exceed_openers(text: str) -> bool:
    return sum(text.count(c) for c in "）)") > sum(text.count(c) for c in "（(")


@dataclass(slots=True)
class TableLayout:
    task: int | None
    lead: int | None
    responsible: int | None
    co: int | None
    due: int | None


def table_layout(cells: list[str]) -> TableLayout | None:
    def column(pattern: re.Pattern[str], exclude: tuple[int | None, ...] = ()) -> int | None:
        for index, cell in enumerate(cells):
            if "领导" in cell:
                continue  # 牵头区领导 names a person, not a unit
            if index not in exclude and pattern.search(cell) and len(cell) <= 12:
                return index
        return None

    lead = column(TABLE_LEAD)
    responsible = column(TABLE_RESPONSIBLE, (lead,))
    co = column(TABLE_CO, (lead, responsible))
    due = column(TABLE_DUE, (lead, responsible, co))
    progress = tuple(index for index, cell in enumerate(cells) if TABLE_PROGRESS.search(cell))
    task = column(TABLE_TASK, (lead, responsible, co, due, *progress))
    if lead is None and responsible is None:
        return None
    return TableLayout(task, lead, responsible, co, due)
