"""Units a sentence names by reference rather than by name, and notes that speak for the items below them.

Written by hand because these are house conventions of the genre: 以上单位 / 上述牵头单位 / 该局 point back to units
named before; "本条例所称…是指…" and "（以下简称…）" define a unit's other name; a lead-in line
("以下指标均需各镇（街道）落实：") gives every item below it the same units and date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.assignments import Assignment
from ingest.deadlines import TimeContext, timings_in
from ingest.sentences import Sentence
from ingest.units import UnitMention, units_in_series

# "请以上单位…", "上述责任单位要…": the units named just before are meant
ANAPHORA = re.compile(r"(?:以上|上述)[^，。；]{0,10}?(?:责任|牵头|相关|承办)?(?:单位|部门)|该(?:局|单位|部门|委|办)")


# "由区交通运输局牵头的第12项、区水利局牵头的第27项…": units named as the owners of items, for 上述单位 to follow
OWNERS_REACH = 2000  # characters back that 上述单位 may reach for the owners of items


OWNERS_OF_ITEMS = re.compile(r"(?:负责|牵头|承担|承办)的第")


@dataclass(slots=True)
class LeadIn:
    """A line that introduces the items below it and says for all of them who and by when:
    "到2025年，全区主要指标如下（以下指标均需各镇（街道）落实，不再逐一列出）：". It holds for its section."""

    section_start: int
    units: list[UnitMention]
    timing: str

    def applied(
        self, sentence: Sentence, assignments: list[Assignment], timing_text: str | None, context: TimeContext
    ) -> tuple[list[Assignment], str | None]:
        present = {a.mention.name for a in assignments}
        role = "co" if any(a.role == "lead" for a in assignments) else "lead"
        added = [Assignment(m, role, 0, len(sentence.text)) for m in self.units if m.name not in present]
        own = timings_in(timing_text or sentence.text, replace(context, annual_plan=False))
        if not any(t.due or t.recurrence for t in own):
            timing_text = (timing_text or sentence.text) + " " + self.timing
        return assignments + added, timing_text


LEAD_IN_WORDS = re.compile(r"如下|以下|下列")


BLANKET_NOTE = re.compile(r"以下(?:各项)?(?:指标|任务|事项)?(?:均需|均由|均须|均要)(.{2,30}?)(?:落实|负责|完成|承担)")


# "（以下指标均需各镇（街道）落实）", "均由区发改局负责": who the lead-in gives every item below to
LEAD_IN_UNITS = re.compile(r"(?:均需|均由|均须|均要|由)(.{2,40}?)(?:落实|负责|牵头|完成|承担)")


def lead_in_of(line: str, section_start: int) -> LeadIn | None:
    stripped = line.strip()
    if not stripped.endswith(("：", ":")) or not LEAD_IN_WORDS.search(stripped) or len(stripped) > 120:
        return None
    who = LEAD_IN_UNITS.search(stripped)
    units = units_named_in(who.group(1)) if who else []
    when = re.search(r"(?:到|至)?20\d\d年[^，,：:（(]{0,8}", stripped)
    if not units and not when:
        return None
    return LeadIn(section_start, units, when.group() if when else "")


# "本条例所称发展规划行政主管部门，是指市发展改革委", "市发展改革委（以下简称发展规划主管部门）"
DEFINED_AS = re.compile(r"所称([\u4e00-\u9fff]{2,20}?)[，,]?(?:是指|指)([\u4e00-\u9fff]{2,20}?)[。；;，,]")


SHORT_NAME = re.compile(r"([\u4e00-\u9fff]{3,20}?)[（(]以下(?:简)?称([\u4e00-\u9fff]{2,16}?)[）)]")


def unit_definitions(text: str) -> dict[str, str]:
    """Units the document names by function or short name, mapped to the body it says they are."""
    definitions: dict[str, str] = {}
    for match in DEFINED_AS.finditer(text):
        bodies = units_in_series(match.group(2) + "。", 0)[0]
        if bodies:
            definitions[match.group(1)] = bodies[0].name
    for match in SHORT_NAME.finditer(text):
        start = match.start(1)
        for offset in range(len(match.group(1)) - 2):
            bodies = units_in_series(text, start + offset)[0]
            if bodies and bodies[-1].end == match.end(1):
                definitions[match.group(2)] = bodies[-1].name
                break
    return definitions


def units_named_in(text: str) -> list[UnitMention]:
    """Every unit named in `text` where a unit can start (after 由, a separator or at the start), in order."""
    found: list[UnitMention] = []
    names: set[str] = set()
    for position in range(len(text)):
        if position and text[position - 1] not in "由、，,；;：:。（(":
            continue
        for mention in units_in_series(text, position)[0]:
            if mention.name not in names:
                names.add(mention.name)
                found.append(mention)
    return found
