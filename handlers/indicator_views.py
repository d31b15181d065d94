"""Indicators as people read them: each with its judgement, as JSON lines, as table cells and as chat text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.indicator_status import DEFAULT_TOLERANCE, STATUS_LABELS_EN, Judgement, facts_of, judge
from storage.indicators import IndicatorRow


@dataclass(frozen=True, slots=True)
class JudgedIndicator:
    row: IndicatorRow
    judgement: Judgement

    @property
    def id(self) -> int:
        assert self.row.indicator.id is not None
        return self.row.indicator.id


def judge_rows(
    rows: list[IndicatorRow],
    *,
    today: date,
    annual_report_date: str = "01-31",
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[JudgedIndicator]:
    return [
        JudgedIndicator(
            row=row,
            judgement=judge(
                facts_of(row.indicator),
                {year: value.number for year, value in row.values.items()},
                today=today,
                annual_report_date=annual_report_date,
                tolerance=tolerance,
            ),
        )
        for row in rows
    ]


def with_unit(value: str | None, unit: str | None) -> str:
    if value is None or value == "":
        return "—"
    return f"{value}{unit}" if unit and unit != "%" and value[-1:].isdigit() else value


def values_text(judged: JudgedIndicator) -> str:
    """2022：90.3；2023：90.8 — the counting value of each year."""
    return "；".join(f"{year}：{value.value}" for year, value in judged.row.values.items()) or "—"


def status_text(judged: JudgedIndicator) -> str:
    """🔴 红灯（落后）2023：89.9，应达 90.49 — the status and what it rests on."""
    judgement = judged.judgement
    if judgement.status == "unreported":
        return f"{judgement.label}（{judgement.year}年）"
    if judgement.path is not None and judgement.value is not None:
        return (
            f"{judgement.label} {judgement.year}：{_number(judgement.value)}，应达 {_number(judgement.path)}"
        )
    return judgement.label


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def indicator_json(judged: JudgedIndicator) -> dict[str, object]:
    """The object `planbot indicators --format jsonl` prints for one indicator."""
    indicator = judged.row.indicator
    judgement = judged.judgement
    return {
        "id": indicator.id,
        "plan_id": indicator.plan_id,
        "plan": judged.row.plan_title,
        "jurisdiction": judged.row.jurisdiction,
        "category": indicator.category,
        "name": indicator.name,
        "unit": indicator.unit,
        "base_year": indicator.base_year,
        "base_value": indicator.base_value,
        "target_year": indicator.target_year,
        "target_value": indicator.target_value,
        "target_number": indicator.target_number,
        "comparison": indicator.comparison,
        "annual_growth": indicator.annual_growth,
        "attribute": indicator.attribute,
        "departments": judged.row.departments,
        "values": {
            str(year): {
                "value": value.value,
                "number": value.number,
                "reported_by": value.reported_by,
                "reported_at": value.reported_at.isoformat(),
                "note": value.note,
            }
            for year, value in judged.row.values.items()
        },
        "status": judgement.status,
        "status_year": judgement.year,
        "path": round(judgement.path, 4) if judgement.path is not None else None,
    }


def table_cells(judged: JudgedIndicator) -> list[str]:
    """编号, 规划, 指标, 单位, 基期, 目标, 属性, 责任单位, 历年数值, 状态."""
    indicator = judged.row.indicator
    return [
        str(indicator.id),
        judged.row.plan_title,
        indicator.name,
        indicator.unit or "",
        f"{indicator.base_year or '—'}：{indicator.base_value or '—'}",
        f"{indicator.target_year or '—'}：{indicator.target_value or '—'}",
        indicator.attribute or "",
        "、".join(judged.row.departments) or "（未指定）",
        values_text(judged),
        status_text(judged),
    ]


TABLE_HEADERS = ("编号", "规划", "指标", "单位", "基期", "目标", "属性", "责任单位", "历年数值", "状态")


def indicator_list_text(judged: list[JudgedIndicator], *, title: str) -> str:
    """The chat answer of `/plan 指标 [部门]`: one short block per indicator, the warnings first."""
    if not judged:
        return (
            f"{title}：还没有指标。导入含主要指标表的规划后再查看。\n"
            "No indicators yet: ingest a plan with its table of main indicators."
        )
    order = {"red": 0, "unreported": 1, "yellow": 2}
    ordered = sorted(judged, key=lambda item: (order.get(item.judgement.status, 3), item.id))
    warned = sum(1 for item in judged if item.judgement.warns)
    lines = [f"{title}（{len(judged)} 项，预警 {warned} 项）", f"Indicators ({len(judged)}, {warned} warned)"]
    for item in ordered:
        indicator = item.row.indicator
        unit = f"（{indicator.unit}）" if indicator.unit else ""
        lines.append(f"#{item.id} {indicator.name}{unit}　{indicator.attribute or ''}")
        lines.append(
            f"  {indicator.base_year or '—'}年 {indicator.base_value or '—'} → "
            f"{indicator.target_year or '—'}年 {indicator.target_value or '—'}　"
            f"责任单位：{'、'.join(item.row.departments) or '未指定'}"
        )
        lines.append(
            f"  历年：{values_text(item)}　状态：{status_text(item)}（{STATUS_LABELS_EN[item.judgement.status]}）"
        )
    lines.append("报送数值：/plan 指标 编号 年份 数值 [说明]，例如 /plan 指标 3 2026 90.8 统计公报")
    lines.append("Report a value: /plan 指标 ID YEAR VALUE [note]")
    return "\n".join(lines)
