"""Commands kept for their pager buttons: a Slack button's value holds at most 2,000 characters.

A list's 下一页 button carries its command so that any process, in any worker, can run it again; a command
longer than a button allows is stored here and the button carries the row's id. Rows live a week: a list
older than that is stale anyway, and its button then says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from storage.models import PageQuery

KEEP_QUERIES = timedelta(days=7)


def remember_query(*, session: Session, command: str, now: datetime) -> int:
    """Store `command`; returns its id. Queries older than KEEP_QUERIES are deleted on the way."""
    session.execute(delete(PageQuery).where(PageQuery.created_at < now - KEEP_QUERIES))  # type: ignore[arg-type]
    row = PageQuery(command=command, created_at=now)
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


def recalled_query(*, session: Session, query_id: int) -> str | None:
    """The stored command, or None once it was deleted (or never existed: a forged button)."""
    row = session.get(PageQuery, query_id)
    return row.command if row is not None else None
