"""Judging an indicator's reported values against the path from its base to its target (pure functions).

- Levels and shares (城镇化率 89.72 -> 91) follow a straight line from the base year to the target year.
- Annual growth rates (地区生产总值增速 5.5%) are a rate every year: the path is the target itself.
- Ceilings (城镇登记失业率 ≤3.5, from 1.8) cap every year: the path is the ceiling itself.
- Cumulative reductions over the period (单位GDP能耗降低 13.5%) compound: after k of n years the path is
  1 - (1 - 13.5%)^(k/n), not k/n of 13.5%.
- A 约束性 indicator behind its path is red. A 预期性 one is yellow while its shortfall stays within the
  tolerance (a share of the change planned to that year, or of the rate for growth rates) and red beyond.
- When the annual monitoring date for last year has passed and nobody reported last year's value, the
  indicator is 未报送 (unreported), whatever older values said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from storage.indicators import parse_number

DEFAULT_TOLERANCE = 0.1

STATUS_LABELS = {
    "on_track": "🟢 正常",
    "yellow": "🟡 黄灯（略落后）",
    "red": "🔴 红灯（落后）",
    "unreported": "⚪ 未报送",
    "no_value": "— 暂无数值",
    "unjudged": "— 无法判断",
}
STATUS_LABELS_EN = {
    "on_track": "on track",
    "yellow": "slightly behind",
    "red": "behind",
    "unreported": "not reported",
    "no_value": "no value yet",
    "unjudged": "cannot be judged",
}

_RATE = re.compile(r"增速|增长率|年均增长|增长$|增幅")
# levels where less is better: written as a ceiling (城镇登记失业率 3.5, often without 以内 in the table)
_LOWER_BETTER = re.compile(r"失业率|死亡率|事故|发病率|贫困发生率|能耗$|排放量$")
_REDUCTION = re.compile(r"降低|下降|减少|削减")
_CUMULATIVE = re.compile(r"累计|降低|下降|减少|削减")


@dataclass(frozen=True, slots=True)
class IndicatorFacts:
    """What judging needs of an indicator (storage.models.Indicator has these fields)."""

    name: str
    unit: str | None
    base_year: int | None
    base_number: float | None
    target_year: int | None
    target_number: float | None
    comparison: str | None
    attribute: str | None


@dataclass(frozen=True, slots=True)
class Judgement:
    status: str  # a key of STATUS_LABELS
    year: int | None = None  # the year judged (the latest reported one), or the year missing for unreported
    value: float | None = None
    path: float | None = None  # where the indicator should stand that year
    shortfall: float | None = None  # how far behind the path, in the indicator's unit (0 when on track)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def warns(self) -> bool:
        """Whether the coordinators are warned (预警)."""
        return self.status in ("red", "unreported")


def path_method(facts: IndicatorFacts) -> str:
    """linear, rate or compound (see the module's docstring)."""
    if _CUMULATIVE.search(facts.name) and facts.unit == "%" and facts.base_number is None:
        return "compound"
    if _RATE.search(facts.name) and (facts.unit in (None, "%")):
        return "rate"
    return "linear"


def lower_is_better(facts: IndicatorFacts) -> bool:
    if facts.comparison == "<=":
        return True
    if facts.comparison == ">=" or _REDUCTION.search(facts.name):
        return False  # 能耗降低 13.5%: the more reduction, the better
    if _LOWER_BETTER.search(facts.name):
        return True
    if path_method(facts) == "linear" and facts.base_number is not None and facts.target_number is not None:
        return facts.target_number < facts.base_number
    return False


def path_value(facts: IndicatorFacts, year: int) -> float | None:
    """Where the indicator should stand in `year`, or None when base or target are not numbers."""
    target = facts.target_number
    if target is None:
        return None
    method = path_method(facts)
    if method == "rate":
        return target
    if facts.base_year is None and facts.target_year is not None and year >= facts.target_year:
        return (
            target  # an annual plan's target (新培育企业16家) is judged at the end of its year, on the target
        )
    if facts.base_year is None or facts.target_year is None or facts.target_year <= facts.base_year:
        return None
    share = min(max((year - facts.base_year) / (facts.target_year - facts.base_year), 0.0), 1.0)
    if method == "compound":
        return 100.0 * (1.0 - (1.0 - target / 100.0) ** share)
    if lower_is_better(facts) and (facts.base_number is None or facts.base_number <= target):
        return target  # a ceiling above where it starts (失业率 控制在3.5以内) caps every year, it is no path
    if facts.base_number is None:
        return None
    return facts.base_number + (target - facts.base_number) * share


def monitored_in(base_year: int | None, target_year: int | None, year: int) -> bool:
    """Whether a value is due for `year`: after the base year up to the target year; an annual plan's target
    (no base year) only for its own year."""
    if base_year is None:
        return target_year is None or year == target_year
    return base_year < year and (target_year is None or year <= target_year)


def judge(
    facts: IndicatorFacts,
    values: dict[int, float | None],
    *,
    today: date,
    annual_report_date: str = "01-31",
    tolerance: float = DEFAULT_TOLERANCE,
) -> Judgement:
    """The status of an indicator on `today`, from its reported `values` (year -> number, None if not numeric)."""
    last_year = today.year - 1
    month, day = (int(part) for part in annual_report_date.split("-"))
    monitored = monitored_in(facts.base_year, facts.target_year, last_year)
    if monitored and last_year not in values and today > date(today.year, month, day):
        return Judgement(status="unreported", year=last_year)
    numeric = {year: number for year, number in values.items() if number is not None}
    if not numeric:
        return Judgement(status="no_value" if not values else "unjudged")
    year = max(numeric)
    value = numeric[year]
    path = path_value(facts, year)
    if path is None:
        return Judgement(status="unjudged", year=year, value=value)
    shortfall = (value - path) if lower_is_better(facts) else (path - value)
    shortfall = round(max(shortfall, 0.0), 10)
    if shortfall <= 0:
        return Judgement(status="on_track", year=year, value=value, path=path, shortfall=0.0)
    if facts.attribute == "约束性":
        return Judgement(status="red", year=year, value=value, path=path, shortfall=shortfall)
    scale = _scale(facts, year, path)
    within = scale > 0 and shortfall / scale <= tolerance
    return Judgement(
        status="yellow" if within else "red", year=year, value=value, path=path, shortfall=shortfall
    )


def _scale(facts: IndicatorFacts, year: int, path: float) -> float:
    """What a shortfall is measured against: the change planned up to `year`, or the rate itself."""
    if path_method(facts) == "linear" and facts.base_number is not None:
        return abs(path - facts.base_number)
    return abs(path)


def facts_of(indicator: object) -> IndicatorFacts:
    """IndicatorFacts of a storage.models.Indicator (or anything with its fields)."""
    return IndicatorFacts(
        name=indicator.name,
        unit=indicator.unit,
        base_year=indicator.base_year,
        base_number=parse_number(indicator.base_value),
        target_year=indicator.target_year,
        target_number=indicator.target_number,
        comparison=indicator.comparison,
        attribute=indicator.attribute,
    )
