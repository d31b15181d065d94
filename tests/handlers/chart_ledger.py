"""A five-task ledger for the chart tests, stored through storage.ingest (the sentences are made up).

As of TODAY (2025-06-16), 临河区 区发展改革局 has one overdue task (05-31), one due within a week (06-21) and
one later (12-31, joined by 区财政局); 区财政局 has also finished one (出台资金管理办法).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from sqlmodel import Session

from ingest.records import ExtractedDocument, Section, TaskRecord
from storage.ingest import ingest_document
from storage.progress import record_progress
from storage.queries import find_tasks

TODAY = date(2025, 6, 16)
NOW = datetime(2025, 6, 16, 1, 0, tzinfo=UTC)
PLAN_SECTION = ("第四章 现代产业", "第一节 制造业")
JOINT = "区发展改革局牵头，区财政局配合，年底前建成产业园二期。"


def _record(department: str, task: str, evidence: str, due: date | None, role: str = "lead") -> TaskRecord:
    return TaskRecord(
        department=department,
        role=role,
        task=task,
        evidence=evidence,
        section=" > ".join(PLAN_SECTION),
        due=due,
        recurrence=None,
        starts=None,
    )


def chart_plan() -> ExtractedDocument:
    records = [
        _record(
            "区发展改革局", "完成重大项目谋划", "区发展改革局于5月底前完成重大项目谋划。", date(2025, 5, 31)
        ),
        _record("区发展改革局", "报送项目清单", "区发展改革局于6月21日前报送项目清单。", date(2025, 6, 21)),
        _record("区发展改革局", "建成产业园二期", JOINT, date(2025, 12, 31)),
        _record("区财政局", "建成产业园二期", JOINT, date(2025, 12, 31), "co"),
        _record("区财政局", "出台资金管理办法", "区财政局年内出台专项资金管理办法。", date(2025, 3, 31)),
    ]
    text = "\n".join(r.evidence for r in records)
    return ExtractedDocument(
        source="临河区纲要.txt",
        format="txt",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        title="临河区国民经济和社会发展第十四个五年规划纲要",
        kind="five_year_plan",
        jurisdiction="临河区",
        period=(2021, 2025),
        year=2021,
        text=text,
        sections=[Section(PLAN_SECTION, 0, len(text), False)],
        records=records,
    )


def store_chart_ledger(session: Session) -> None:
    ingest_document(session=session, document=chart_plan(), now=NOW)
    done = next(row for row in find_tasks(session=session) if row.action == "出台资金管理办法")
    record_progress(session=session, task_id=done.id, author="test", status="done", now=NOW)
