"""Plain data passed between the ingest stages and on to storage.

These are the contract of the pipeline: storage, handlers and the CLI read them and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ROLES = ("lead", "co")
RECURRENCES = ("yearly", "quarterly", "monthly")
# task: an action to do; target: a quantified goal; review: one of the plan's review events
TASK_KINDS = ("task", "target", "review")
REVIEW_KINDS = ("annual_monitoring", "mid_term_review", "final_review")
DOCUMENT_KINDS = (
    "five_year_plan",
    "annual_plan",
    "mechanism_opinion",
    "division_plan",
    "annual_breakdown",  # a 政府工作报告 or annual plan broken down into tasks per unit
    "drafting_work_plan",  # 规划编制工作方案: the timetable for drafting the next plan
    "supervision_notice",  # 督查通知, 督办通报: follow-up of tasks already assigned
    "regulation",  # 规划条例, 管理办法
    "speech",
    "other",
)
UNIT_KINDS = ("bureau", "government", "collective", "committee")


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """Bytes turned into text, before any normalization."""

    source: str  # path or URL as the user gave it
    format: str  # txt, docx, pdf, html, doc, wps
    text: str
    sha256: str  # of the original bytes: the same document re-ingested is recognised by it
    encoding: str | None = None  # the detected encoding of a text file


@dataclass(frozen=True, slots=True)
class Section:
    """One heading of the document and where its body lies in the normalized text."""

    path: tuple[str, ...]  # headings from the top, e.g. ("第十五章 规划实施保障", "第三节 完善规划实施机制")
    start: int
    end: int
    is_mechanism: bool

    @property
    def title(self) -> str:
        return " > ".join(self.path)


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """One (task, unit) pair: the unit of the ledger and of `planbot extract` output."""

    # the unit as the document spells it (without its place: 区发改局), None when the sentence names no unit;
    # storage files it under the canonical department through the alias table, and readers see their own words
    department: str | None
    role: str | None  # "lead" or "co"
    task: str  # the action, trimmed of the unit and the date words
    evidence: str  # the whole source sentence after normalization
    section: str  # heading path joined by " > "
    due: date | None
    recurrence: str | None
    starts: date | None
    kind: str = "task"
    review: str | None = None  # set when kind == "review"
    unit_kind: str | None = None
    span: tuple[int, int] = (0, 0)  # offsets of the evidence in the normalized text
    source_span: tuple[int, int] | None = None  # offsets of the evidence in the original text
    canonical_department: str | None = None  # the alias table's name for `department` (区发展改革局)
    rule: str = "clause_subject"  # the construction that produced the record (see ingest.record_builder.RULE_CONFIDENCE)
    confidence: float = 0.85  # 0–1; low for a record without a unit, from damaged text or a vague collective

    def explained(self) -> dict[str, object]:
        """The contract plus why: the rule that fired, its confidence and the canonical unit."""
        return {
            **self.as_contract(),
            "canonical_department": self.canonical_department,
            "rule": self.rule,
            "confidence": self.confidence,
        }

    def as_contract(self) -> dict[str, object]:
        """The JSON object `planbot extract --format jsonl` prints (DESIGN.md)."""
        return {
            "department": self.department,
            "role": self.role,
            "task": self.task,
            "evidence": self.evidence,
            "section": self.section,
            "due": self.due.isoformat() if self.due else None,
            "recurrence": self.recurrence,
            "starts": self.starts.isoformat() if self.starts else None,
        }


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    """One of a plan's main indicators (主要指标) or an annual plan's quantified target, as the text writes it.

    Values are kept as written (">5.5", "80左右", "完成市下达任务", "-") beside what could be parsed of them."""

    name: str  # 常住人口城镇化率, without the bracketed unit
    unit: str | None  # %, 亿元, 万人 — from the bracket after the name or the unit column
    category: str | None  # 经济发展, 创新驱动, 民生福祉, 绿色生态, 安全保障 (the category row above it)
    base_year: int | None  # 2020 for a 十四五 plan's base column
    base_value: str | None  # as written
    target_year: int | None  # 2025 for a 十四五 plan; the document's year for an annual target
    target_value: str | None  # as written
    target_number: float | None  # 5.5 of ">5.5"; None for "完成市下达任务"
    comparison: str | None  # ">=", "<=", "≈" or None (exactly / unknown)
    annual_growth: str | None  # 年均增长 column, as written
    attribute: str | None  # "约束性" or "预期性"
    departments: tuple[str, ...] = ()  # responsible units (牵头单位 first) as the document spells them
    evidence: str = ""  # the row or sentence it came from
    span: tuple[int, int] = (0, 0)  # offsets of the evidence in the normalized text


@dataclass(slots=True)
class ExtractedDocument:
    """Everything the pipeline learned from one document."""

    source: str
    format: str
    sha256: str
    title: str
    kind: str
    jurisdiction: str | None
    period: tuple[int, int] | None  # the five-year period of the plan; None for an annual plan or division
    year: int | None
    text: str  # normalized text; record spans point into it
    sections: list[Section] = field(default_factory=list)
    records: list[TaskRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. mojibake spans flagged by normalize
    indicators: list[IndicatorRecord] = field(default_factory=list)  # the plan's main indicators
