"""Ledger queries on both databases: search, deadlines, overdue, calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from storage.ingest import ingest_document
from storage.progress import record_progress
from storage.queries import (
    calendar,
    find_tasks,
    overdue_tasks,
    search_tasks,
    task_by_id,
    tasks_due_within,
)
from storage.search import query_pairs, search_grams
from tests.storage.documents import aliases, first_version, five_year_plan, record

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def ledger(session: Session) -> Session:
    records = [
        *first_version(),
        record(
            "区民政局",
            "完善养老服务体系",
            "区民政局牵头完善养老服务体系，发展普惠养老。",
            due=date(2024, 12, 31),
        ),
        record(
            "区卫生健康局",
            "建设医养结合机构",
            "建设医养结合机构3家（区卫生健康局负责）。",
            due=date(2024, 7, 10),
        ),
        record("区交通运输局", "推进PPP项目", "规范推广政府和社会资本合作（PPP）模式。"),
    ]
    ingest_document(session=session, document=five_year_plan(records), aliases=aliases(), now=NOW)
    return session


@pytest.mark.parametrize(
    ("text", "actions"),
    [
        ("养老", {"完善养老服务体系"}),
        ("养老服务体系", {"完善养老服务体系"}),
        ("普惠养老", {"完善养老服务体系"}),  # only in the evidence
        ("医养", {"建设医养结合机构"}),
        ("ppp", {"推进PPP项目"}),  # half-width, any case
        ("ＰＰＰ", {"推进PPP项目"}),  # full-width
        ("养", {"完善养老服务体系", "建设医养结合机构"}),  # one character: LIKE fallback
        ("服务体系养老", set()),  # the pairs are there, not in that order
        ("养%务", set()),  # no wildcards: % is punctuation, and 养务 is not in any task
        ("社会资本合作（PPP）", {"推进PPP项目"}),  # punctuation in the query is ignored
    ],
)
def test_search_finds_chinese_substrings(ledger: Session, text: str, actions: set[str]) -> None:
    assert {row.action for row in search_tasks(session=ledger, text=text)} == actions


def test_search_does_not_match_across_action_and_evidence() -> None:
    grams = search_grams("甲乙", "丙丁")
    assert "乙丙" not in grams.split()
    assert query_pairs("乙") is None and query_pairs("乙丙") == ["乙丙"]


def test_due_within_and_overdue(ledger: Session) -> None:
    due = tasks_due_within(session=ledger, today=date(2024, 6, 20), days=30)
    assert {row.action for row in due} == {"培育高新技术企业", "建设医养结合机构"}
    late = overdue_tasks(session=ledger, today=date(2024, 7, 11))
    # the yearly 动态监测 has no year reported: its latest missed period, 2023's, is overdue
    assert {row.action for row in late} == {"培育高新技术企业", "建设医养结合机构", "开展规划实施动态监测"}
    duty = next(row for row in late if row.recurrence)
    assert duty.due_on == date(2023, 12, 31)
    task_id = next(row.id for row in late if row.action == "培育高新技术企业")
    record_progress(session=ledger, task_id=task_id, author="U1", status="done", now=NOW)
    assert task_id not in {row.id for row in overdue_tasks(session=ledger, today=date(2024, 7, 11))}


def test_limit_counts_tasks_not_rows_and_keeps_due_order(ledger: Session) -> None:
    rows = find_tasks(session=ledger, limit=2)
    assert len({row.id for row in rows}) == 2
    assert [row.action for row in rows][:1] == ["培育高新技术企业"]  # 2024-06-30 is the earliest
    assert len(rows) == 3  # its two departments, then the next task
    unlimited = find_tasks(session=ledger)
    assert [row.id for row in unlimited][:3] == [row.id for row in rows]


def test_task_by_id_lists_every_department(ledger: Session) -> None:
    task_id = search_tasks(session=ledger, text="高新技术企业")[0].id
    assert [(row.department, row.role) for row in task_by_id(session=ledger, task_id=task_id)] == [
        ("区科技局", "lead"),
        ("区财政局", "co"),
    ]


def test_calendar_merges_reviews_and_deadlines(ledger: Session) -> None:
    entries = calendar(session=ledger, today=date(2024, 6, 1), days=60)
    assert [(entry.due_on, entry.kind) for entry in entries] == [
        (date(2024, 6, 30), "task"),
        (date(2024, 7, 10), "task"),
    ]
    year = calendar(session=ledger, today=date(2023, 1, 1), days=365)
    kinds = [entry.kind for entry in year]
    assert "mid_term_review" in kinds and "annual_monitoring" in kinds


def test_frequent_words_walk_the_due_dates_with_the_same_answer(ledger: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import storage.search_queries as search_queries
    from storage.search_queries import is_frequent

    assert is_frequent(ledger, "企业", threshold=2) and not is_frequent(ledger, "企业", threshold=3)
    assert not is_frequent(ledger, "养", threshold=1)  # one character: not indexed, never "frequent"
    for word in ("企业", "区", "养老"):
        expected = [row.id for row in find_tasks(session=ledger, search=word, limit=5)]
        monkeypatch.setattr(
            search_queries, "is_frequent", lambda *args, **kwargs: True
        )  # walks on SQLite only
        walked = [row.id for row in find_tasks(session=ledger, search=word, limit=5)]
        monkeypatch.undo()
        assert walked == expected, word
