"""Spellings of a unit: the alias table, places in names, and field abbreviations.

Written by hand because no library knows how Chinese government bodies are spelled: 莱芜区发展和改革局, 区发改局 and
区发展改革局 are one bureau, stored once per jurisdiction; its place is stored beside it, not in its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

UNIT_SUFFIXES = (
    "人民政府", "办事处", "管委会", "专班", "工作组", "报社", "电视台", "管理委员会", "工作委员会", "委员会", "领导小组", "指挥部", "办公室", "总工会",
    "检察院", "法院", "人武部", "常委会", "人大", "政协", "纪委", "政府", "部门", "机关", "单位", "中心", "分局", "支队", "大队", "公司", "集团",
    "银行", "妇联", "残联", "科协", "社科联", "文联", "侨联", "团委", "工商联", "联社", "监委", "党委", "党组", "工委", "督查室", "室", "局", "委", "办", "厅", "署",
    "院", "所", "站", "社", "部", "镇", "乡", "街道", "苏木", "经开区", "高新区", "开发区", "园区", "新区",
)  # fmt: skip

SUFFIX_LAST_CHARS = frozenset(suffix[-1] for suffix in UNIT_SUFFIXES)

def ends_with_suffix(text: str) -> bool:
    return bool(text) and text[-1] in SUFFIX_LAST_CHARS and text.endswith(UNIT_SUFFIXES)

ZONE_PLACE = re.compile(r"(?:开发区|高新区|农高区|园区|新区|试验区|示范区|保税区|合作区)$")

PLACE_PREFIX = re.compile(r"^(?:(?![省市区县在全我本各该和与及对由])[\u4e00-\u9fff]){2,5}?(?:省|市|区|县)")

# field abbreviations as bureaus write them, expanded to the form the alias table keys on
ABBREVIATIONS = (
    (r"发展和改革", "发展改革"), (r"发改(?=局|委|部门)", "发展改革"), (r"工信(?=局)", "工业和信息化"),
    (r"人社(?=局)", "人力资源社会保障"), (r"人力资源和社会保障", "人力资源社会保障"), (r"住建(?=局)", "住房城乡建设"),
    (r"住房和城乡建设", "住房城乡建设"), (r"卫健(?=局|委)", "卫生健康"), (r"文旅(?=局)", "文化和旅游"),
    (r"文化旅游(?=局)", "文化和旅游"), (r"市场监督管理", "市场监管"), (r"生态环境保护", "生态环境"),
    (r"自然资源和规划", "自然资源"), (r"自规(?=局)", "自然资源"), (r"农业和农村", "农业农村"), (r"应急(?=局)", "应急管理"),
    (r"退役军人(?=局)", "退役军人事务"), (r"教体(?=局)", "教育和体育"), (r"教育体育(?=局)", "教育和体育"),
    (r"科学技术(?=局)", "科技"), (r"医保(?=局)", "医疗保障"), (r"交通(?=局)", "交通运输"), (r"(?<!行政)审批(?=局)", "行政审批服务"),
    (r"行政审批(?=局)", "行政审批服务"),
)  # fmt: skip

ABBREVIATION_RULES = tuple((re.compile(pattern), full) for pattern, full in ABBREVIATIONS)

@dataclass
class AliasTable:
    """Maps every known spelling of a unit to its canonical name (jurisdiction-free, e.g. 区发展改革局)."""

    canonical_by_alias: dict[str, str] = field(default_factory=dict)

    def canonical(self, name: str) -> str:
        known = self.canonical_by_alias.get(name)
        if known:
            return known
        shortened = strip_place(name)
        known = self.canonical_by_alias.get(shortened)
        if known:
            return known
        expanded = expand_abbreviations(shortened)
        return self.canonical_by_alias.get(expanded, expanded)

    def aliases_of(self, canonical: str) -> set[str]:
        return {alias for alias, target in self.canonical_by_alias.items() if target == canonical} | {
            canonical
        }

    def add(self, canonical: str, *aliases: str) -> None:
        for alias in (canonical, *aliases):
            self.canonical_by_alias[alias] = canonical

    def extend_from_lines(self, lines: list[str]) -> None:
        for line in lines:
            names = [part.strip() for part in line.split("\t") if part.strip()]
            if names and not names[0].startswith("#"):
                self.add(names[0], *names[1:])

    def extended_from_file(self, path: Path) -> AliasTable:
        """A copy with the aliases of a user's TSV file (canonical<TAB>alias<TAB>alias…) added."""
        table = AliasTable(dict(self.canonical_by_alias))
        table.extend_from_lines(path.read_text(encoding="utf-8").splitlines())
        return table

@lru_cache(maxsize=1)
def default_alias_table() -> AliasTable:
    table = AliasTable()
    shipped = resources.files("ingest").joinpath("data/aliases.tsv")
    table.extend_from_lines(shipped.read_text(encoding="utf-8").splitlines())
    return table

def strip_place(name: str) -> str:
    """莱芜区发展和改革局 -> 区发展和改革局: the jurisdiction is stored beside the department, not in its name."""
    stripped = name
    while True:
        match = PLACE_PREFIX.match(stripped)
        if not match or len(stripped) - match.end() < 2:
            return stripped
        if ZONE_PLACE.search(match.group()):
            return stripped  # 临河高新区管委会: the zone is the body's own name, not its jurisdiction
        rest = stripped[match.end() :]
        if not (rest.startswith(("人民政府", "政府")) or ends_with_suffix(rest)):
            return stripped
        following = PLACE_PREFIX.match(rest)
        if following and len(rest) - following.end() >= 2:
            stripped = rest  # 济南市莱芜区…: the innermost place is the jurisdiction
            continue
        return match.group()[-1] + rest

def expand_abbreviations(name: str) -> str:
    """区发改局 -> 区发展改革局, 区科学技术局 -> 区科技局: one spelling per field of work."""
    for pattern, full in ABBREVIATION_RULES:
        name = pattern.sub(full, name, count=1)
    return name

def qualified_name(jurisdiction: str | None, name: str) -> str:
    """A unit's name with its place, as people write it: 临河区 + 区发展改革局 -> 临河区发展改革局.

    The unit's own level word (区发改局's 区) is the place's last character; written twice it reads as a typo.
    """
    if not jurisdiction or name.startswith(jurisdiction):
        return name
    if name[:1] in "区市县旗州" and jurisdiction.endswith(name[0]):
        return jurisdiction + name[1:]
    return jurisdiction + name
