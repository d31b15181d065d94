"""Indicators on the small bot ledger (tests.handlers.ledger), written straight through the models.

莱芜区's plan gets 常住人口城镇化率 (89.72 -> 91, 区发展改革局) and 一般公共预算收入增长 (7%, 区财政局).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from storage.indicators import indicator_key
from storage.models import Indicator, IndicatorDepartment, Plan
from tests.handlers.ledger import NOW, Ledger


@dataclass
class IndicatorLedger:
    urbanisation: int  # 区发展改革局, 预期性
    revenue: int  # 区财政局, 约束性


def add_indicators(sessions, ledger: Ledger) -> IndicatorLedger:  # type: ignore[no-untyped-def]
    with sessions() as session:
        plan = session.exec(select(Plan).where(Plan.title.startswith("莱芜区"))).first()  # type: ignore[attr-defined]
        rows = []
        for name, unit, base, target, number, attribute, comparison, department in (
            ("常住人口城镇化率", "%", "89.72", "91", 91.0, "预期性", None, ledger.laiwu_fgj),
            ("一般公共预算收入增长", "%", "3.1", "≥7", 7.0, "约束性", ">=", ledger.laiwu_czj),
        ):
            indicator = Indicator(
                plan_id=plan.id,
                jurisdiction_id=plan.jurisdiction_id,
                name=name,
                name_key=indicator_key(name),
                unit=unit,
                category="经济发展",
                base_year=2020,
                base_value=base,
                target_year=2025,
                target_value=target,
                target_number=number,
                comparison=comparison,
                attribute=attribute,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(indicator)
            session.flush()
            session.add(IndicatorDepartment(indicator_id=indicator.id, department_id=department, role="lead"))
            rows.append(indicator.id)
        session.commit()
        return IndicatorLedger(urbanisation=rows[0], revenue=rows[1])
