"""An indicator's name, unit and target as plans write them: 常住人口城镇化率（%）, >5.5, 80左右, 〔5〕, 完成市下达任务.

Values are kept as written; what can be read as a number is read with the comparison the words give it, so that a
target of "不低于90" and one of "90" are judged differently.
"""

from __future__ import annotations

import re

ROW_NUMBER_PREFIX = re.compile(r"^\s*(?:[（(]\d{1,3}[）)]|\d{1,3}[.．、](?!\d)|[①-⑳]|[★☆▲△※*])\s*")
# the unit is the last bracket of the name: 每千人口拥有执业（助理）医师数（人） keeps （助理） in its name
TRAILING_UNIT = re.compile(r"[（(]([^（()）]{1,8})[）)]\s*$")
FOOTNOTE_MARKS = re.compile(r"(?:\[\d+\]|\*+|[★☆▲△※]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)+$")
NOT_A_UNIT = re.compile(r"性|牵头|责任|单位|[：:，,]|\d{4}")
DASH = re.compile(r"^[-—－–―/／~～\s]*$|^无$")

AT_LEAST = re.compile(r"^(?:[>＞≥]|>=|大于|超过|高于|不低于|不少于)|(?:以上|及以上)$")
AT_MOST = re.compile(r"^(?:[<＜≤]|<=|小于|低于|不高于|不超过|控制在)|(?:以内|以下)$")
ABOUT = re.compile(r"^(?:约|大约)|(?:左右|上下)$")
NUMBER = re.compile(r"(?<![\d.])[-+]?\d+(?:\.\d+)?")
# 6-7, 6～7, 6至7: a range is a floor
RANGE = re.compile(r"\d(?:\.\d+)?\s*[%％]?\s*[-—～~至到]\s*\d")
UNIT_SUFFIX = re.compile(r"[%％‰]$|个百分点$")


def split_name(cell: str) -> tuple[str, str | None]:
    """（2）常住人口城镇化率（%） -> ("常住人口城镇化率", "%")."""
    name = ROW_NUMBER_PREFIX.sub("", cell.strip())
    name = FOOTNOTE_MARKS.sub("", name).strip()
    unit = None
    match = TRAILING_UNIT.search(name)
    if match and not NOT_A_UNIT.search(match.group(1)):
        unit = match.group(1).strip().replace("％", "%")
        name = name[: match.start()].strip()
    return FOOTNOTE_MARKS.sub("", name).strip(), unit


def written(cell: str | None) -> str | None:
    """A value as written, or None for an empty cell."""
    if cell is None:
        return None
    cell = cell.strip()
    return cell or None


def parse_target(value: str | None) -> tuple[float | None, str | None]:
    """(number, comparison) of a written value: ">5.5" -> (5.5, ">="), "80左右" -> (80, "≈"), "-" -> (None, None).

    〔5〕 is a five-year cumulative figure and reads as 5; 完成市下达任务 holds no number."""
    if value is None or DASH.match(value):
        return None, None
    text = value.strip().strip("〔〕[]【】").strip()
    text = UNIT_SUFFIX.sub("", re.sub(r"[%％‰](?=\s*(?:左右|以上|以内|以下|上下)$)", "", text)).strip()
    match = NUMBER.search(text)
    if match is None:
        return None, None
    number = float(match.group())
    if AT_LEAST.search(text) or RANGE.search(text):
        return number, ">="
    if AT_MOST.search(text):
        return number, "<="
    if ABOUT.search(text):
        return number, "≈"
    return number, None


def attribute_of(text: str) -> str | None:
    if "约束" in text:
        return "约束性"
    if "预期" in text:
        return "预期性"
    return None
