"""The search tests' ledger: the sample plan's tasks plus a few on 养老, 医养结合 and PPP."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from storage.ingest import ingest_document
from storage.queries import find_tasks
from tests.storage.documents import aliases, first_version, five_year_plan, record

NOW = datetime(2026, 3, 1, tzinfo=UTC)

RECORDS = [
    record(
        "区民政局", "完善养老服务体系", "区民政局牵头完善养老服务体系，发展普惠养老。", due=date(2024, 12, 31)
    ),
    record(
        "区卫生健康局", "建设医养结合机构", "建设医养结合机构3家（区卫生健康局负责）。", due=date(2024, 7, 10)
    ),
    record("区交通运输局", "推进PPP项目", "规范推广政府和社会资本合作（PPP）模式。"),
    record(
        "区民政局",
        "提升养老机构服务质量",
        "提升养老机构服务质量，2023年底前完成评级。",
        due=date(2023, 12, 31),
    ),
]


def ingest_search_ledger(session: Session) -> Session:
    ingest_document(
        session=session, document=five_year_plan([*first_version(), *RECORDS]), aliases=aliases(), now=NOW
    )
    return session


def cli_ids(session: Session, query: str, limit: int | None = None) -> list[int]:
    """What `planbot tasks --search` lists (bot.commands.ledger.tasks_command), one id per task."""
    rows = find_tasks(session=session, search=query, include_archived=False, limit=limit)
    return list(dict.fromkeys(row.id for row in rows))
