"""Hand-built plans with main indicators (IndicatorRecord), until the extraction of indicator tables lands."""

from __future__ import annotations

from dataclasses import replace

from ingest.records import ExtractedDocument, IndicatorRecord
from tests.storage.documents import first_version, five_year_plan


def indicator(
    name: str,
    unit: str | None,
    base: str | None,
    target: str | None,
    number: float | None,
    *,
    comparison: str | None = None,
    attribute: str = "预期性",
    category: str = "经济发展",
    departments: tuple[str, ...] = (),
    annual_growth: str | None = None,
) -> IndicatorRecord:
    return IndicatorRecord(
        name=name,
        unit=unit,
        category=category,
        base_year=2020,
        base_value=base,
        target_year=2025,
        target_value=target,
        target_number=number,
        comparison=comparison,
        annual_growth=annual_growth,
        attribute=attribute,
        departments=departments,
        evidence=f"{name}（{unit}）\t{base}\t{target}\t{attribute}",
    )


def main_indicators() -> list[IndicatorRecord]:
    return [
        indicator("地区生产总值增速", "%", "3.6", ">5.5", 5.5, comparison=">=", departments=("区统计局",)),
        indicator(
            "常住人口城镇化率",
            "%",
            "89.72",
            "91",
            91.0,
            category="民生福祉",
            departments=("区住建局", "区发改局"),
        ),
        indicator(
            "单位地区生产总值能源消耗降低",
            "%",
            "-",
            "完成市下达任务",
            None,
            attribute="约束性",
            category="绿色生态",
            departments=("区发展改革局",),
        ),
        indicator(
            "森林覆盖率",
            "%",
            "40",
            "42",
            42.0,
            attribute="约束性",
            category="绿色生态",
            departments=("区自然资源局",),
        ),
    ]


def plan_with_indicators(
    indicators: list[IndicatorRecord] | None = None, *, version: str = "v1", jurisdiction: str = "莱芜区"
) -> ExtractedDocument:
    document = five_year_plan(first_version(), version=version, jurisdiction=jurisdiction)
    return replace(document, indicators=main_indicators() if indicators is None else indicators)
