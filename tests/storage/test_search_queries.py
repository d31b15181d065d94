"""The bot's search (/plan 搜索) and the CLI's (`planbot tasks --search`) find the same tasks, on both engines."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from storage.ingest import ingest_document
from storage.progress import record_progress
from storage.task_pages import TaskFilter, task_page
from tests.storage.documents import aliases, first_version, five_year_plan
from tests.storage.search_ledger import NOW, RECORDS, cli_ids, ingest_search_ledger


@pytest.fixture
def ledger(session: Session) -> Session:
    return ingest_search_ledger(session)


def _bot_ids(session: Session, query: str, *, offset: int = 0, limit: int = 100) -> tuple[list[int], int]:
    """What `/plan 搜索` lists (handlers.ledger_views.search)."""
    found, total = task_page(
        session=session,
        where=TaskFilter(search=query.strip(), include_closed=True),
        offset=offset,
        limit=limit,
    )
    return [task.id for task in found], total


@pytest.mark.parametrize(
    "query",
    [
        "养老",
        "养老服务体系",
        "普惠养老",  # only in the evidence
        "社会资本合作（PPP）",  # punctuation in the query is ignored
        "规范推广政府和社会资本合作PPP",  # the text's own punctuation too
        "ｐｐｐ",  # full-width and lower case
        "养",  # one character: LIKE on the text
        "  养老服务  ",
    ],
)
def test_the_bot_finds_what_the_cli_finds(ledger: Session, query: str) -> None:
    ids, total = _bot_ids(ledger, query)
    assert ids == cli_ids(ledger, query)
    assert total == len(ids)


@pytest.mark.parametrize(
    "query",
    [
        "服务体系养老",  # every pair is there, not in this order
        "体系区民政局",  # across the end of the action and the start of the evidence
    ],
)
def test_neither_search_finds_what_the_text_does_not_say(ledger: Session, query: str) -> None:
    # both empty, not merely equal: an equal wrong answer would pass the comparison above
    assert _bot_ids(ledger, query) == ([], 0)
    assert cli_ids(ledger, query) == []


def test_matches_come_soonest_due_first_and_pages_keep_the_total(ledger: Session) -> None:
    cli = cli_ids(ledger, "养老")
    assert len(cli) == 2  # 提升养老机构服务质量 (2023-12-31), then 完善养老服务体系 (2024-12-31)
    first, total = _bot_ids(ledger, "养老", limit=1)
    second, _ = _bot_ids(ledger, "养老", offset=1, limit=1)
    assert first + second == cli and total == 2
    assert _bot_ids(ledger, "养老", offset=5, limit=1) == ([], 2)  # past the end, and still the total
    for limit in (1, 2, 3):
        assert cli_ids(ledger, "养老", limit=limit) == cli[:limit]


def test_done_tasks_are_found_and_archived_ones_are_not(ledger: Session) -> None:
    [task_id] = cli_ids(ledger, "医养结合")
    record_progress(session=ledger, task_id=task_id, author="U1", status="done", now=NOW)
    assert _bot_ids(ledger, "医养结合")[0] == [task_id] == cli_ids(ledger, "医养结合")
    # a revision that drops the sentence archives the task: neither search lists it any more
    revised = [r for r in [*first_version(), *RECORDS] if r.task != "建设医养结合机构"]
    ingest_document(
        session=ledger, document=five_year_plan(revised, version="v2"), aliases=aliases(), now=NOW
    )
    assert _bot_ids(ledger, "医养结合") == ([], 0)
    assert cli_ids(ledger, "医养结合") == []


@pytest.mark.parametrize(
    ("traditional", "simplified"), [("養老服務體系", "养老服务体系"), ("養", "养"), ("醫養結合", "医养结合")]
)
def test_a_query_in_traditional_characters_finds_the_simplified_text(
    ledger: Session, traditional: str, simplified: str
) -> None:
    """Documents are stored in simplified characters (OpenCC t2s at ingest); the query is turned the same way."""
    expected = cli_ids(ledger, simplified)
    assert expected
    assert cli_ids(ledger, traditional) == expected
    assert _bot_ids(ledger, traditional) == (expected, len(expected))
