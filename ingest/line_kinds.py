"""Lines that are not sentences: routing lines, addressees, and headings or labels that name a unit.

Written by hand because notices and division plans lay these out by house convention (主送 lines ending in ：,
"一、区发展改革局" headings, "区财政局：" label lines).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.assignments import Assignment
from ingest.records import Section
from ingest.structure import heading_of
from ingest.units import units_in_series

ROUTING_LINE = re.compile(
    r"^(?:(?:抄送|抄报|主送|分送|发送|联系人|联系电话|电话|附件)\s*[:：]|附件\s*\d*$)|.*\d{1,2}日印发$"
)


def units_of_headings(section: Section | None) -> list[Assignment]:
    """The nearest enclosing heading that names a unit (一、区发展改革局) assigns the tasks beneath it."""
    if not section:
        return []
    for title in reversed(section.path):
        units = units_named_by_heading(title)
        if units:
            return units
    return []


@lru_cache(maxsize=512)
def units_named_by_heading(title: str) -> list[Assignment]:
    """A heading such as 一、区发展改革局 or （三）区财政局： names the unit for the tasks beneath it."""
    found = heading_of(title)
    body = title
    if found:
        marker = re.match(
            r"^(?:第[^章节篇]{1,4}[章节篇]|[一二三四五六七八九十]+、|[（(][^）)]{1,3}[）)]|\d{1,2}[.．、]|专栏\s*\d+)\s*",
            title,
        )
        body = title[marker.end() :] if marker else title
    body = body.strip().rstrip("：:")
    if not body:
        return []
    mentions, after = units_in_series(body + "。", 0)
    if mentions and after >= len(body):
        return [Assignment(mention, "lead", 0, 0) for mention in mentions]
    return []


def is_addressee_line(line: str) -> bool:
    """各省、自治区、直辖市人民政府，国务院各部委、各直属机构：— the list a notice is sent to."""
    stripped = line.strip()
    if not stripped.endswith(("：", ":")) or not re.search(r"[，,、]", stripped) or len(stripped) > 150:
        return False
    parts = [part for part in re.split(r"[，,、]", stripped.rstrip("：:")) if part]
    bodies = sum(
        1
        for part in parts
        if re.search(r"(?:政府|部门|单位|机构|部委|管委会|办事处|委员会|局|委|办)(?:（[^）]*）)?$", part)
    )
    return len(parts) >= 2 and bodies * 2 >= len(parts) and not re.search(r"要|负责|牵头|完成", stripped)


def label_line_units(line: str) -> list[Assignment]:
    """A short line that is only a unit and a colon (区发改局：) heads the tasks below it."""
    stripped = line.strip()
    if not stripped.endswith(("：", ":")) or len(stripped) > 30:
        return []
    return units_named_by_heading(stripped)
