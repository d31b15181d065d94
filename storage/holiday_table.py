"""The official holiday schedule (放假安排) as files: the one planbot ships, and an administrator's newer one.

The State Council publishes each year's days off and 调休 working days late in the year before. planbot ships
the years it could check (storage/data/holidays_cn.csv); `PLANBOT_HOLIDAY_FILE` names a file of the same
format that adds newer years, or corrects one, without an upgrade. Rows: `date,kind,name` with kind `off` (a
day off) or `work` (a weekend working day); lines starting with # are comments. A year present in a file is
taken from it whole: the local file's version of a year replaces the shipped one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

SHIPPED = "data/holidays_cn.csv"
KINDS = ("off", "work")


class HolidayFileError(ValueError):
    def __init__(self, source: str, line: int, problem: str) -> None:
        self.zh = f"节假日表 {source} 第 {line} 行有误：{problem}。每行应为 日期,off|work,名称，如 2027-10-01,off,国庆节。"
        self.en = f"Holiday file {source}, line {line}: {problem}. Rows are date,off|work,name."
        super().__init__(f"{self.zh} / {self.en}")


@dataclass(frozen=True)
class HolidayTable:
    """Days off and weekend working days of the years it knows, and where each year came from."""

    off: dict[date, str] = field(default_factory=dict)
    work: dict[date, str] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)  # year -> the file it came from

    @property
    def years(self) -> frozenset[int]:
        return frozenset(self.sources)

    def merged_with(self, newer: HolidayTable) -> HolidayTable:
        """This table with every year `newer` knows taken from `newer` instead."""
        replaced = newer.years
        return HolidayTable(
            off={day: name for day, name in self.off.items() if day.year not in replaced} | newer.off,
            work={day: name for day, name in self.work.items() if day.year not in replaced} | newer.work,
            sources={year: source for year, source in self.sources.items() if year not in replaced}
            | newer.sources,
        )


def parse_holiday_rows(text: str, source: str) -> HolidayTable:
    table = HolidayTable()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        row = next(csv.reader([line]))
        if row == ["date", "kind", "name"]:
            continue
        if len(row) < 2:
            raise HolidayFileError(source, number, "列数不足 / too few columns")
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError as error:
            raise HolidayFileError(source, number, f"日期 {row[0]!r} 应为 YYYY-MM-DD") from error
        kind = row[1].strip()
        if kind not in KINDS:
            raise HolidayFileError(source, number, f"类别 {kind!r} 应为 off 或 work")
        name = row[2].strip() if len(row) > 2 else ""
        (table.off if kind == "off" else table.work)[day] = name
        table.sources[day.year] = source
    return table


def load_holiday_table(local_file: str | None = None) -> HolidayTable:
    """The shipped table, with the years of `local_file` (PLANBOT_HOLIDAY_FILE) taking precedence."""
    shipped_text = resources.files("storage").joinpath(SHIPPED).read_text(encoding="utf-8")
    table = parse_holiday_rows(shipped_text, "planbot 随附 / shipped")
    if local_file:
        path = Path(local_file)
        table = table.merged_with(parse_holiday_rows(path.read_text(encoding="utf-8-sig"), str(path)))
    return table
