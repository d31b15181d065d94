"""Chinese substring search that uses an index on both databases.

Chinese has no spaces, so word indexes do not apply and LIKE '%…%' scans the whole table (30–40 ms for
100,000 tasks on SQLite, more with the joins). Instead each task stores `search_grams`: the overlapping
character pairs of its action and evidence ("养老服务" -> "养老 老服 服务"), punctuation and spaces removed.
A query of two or more characters becomes the phrase of its pairs, which matches exactly the texts that
contain it. SQLite indexes the pairs with an FTS5 table (task_fts, kept in step by triggers); PostgreSQL
with a GIN index on the stored generated column task.search_vector = to_tsvector('simple', search_grams)
(needs a UTF-8 locale, such as C.UTF-8, so that the parser reads Chinese characters as letters). Both
are made by migration 0002 (and by metadata.create_all for SQLite), so build schemas with storage.db.upgrade. One-character queries fall back to LIKE.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import DDL, event, func, literal_column, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

_NOT_TEXT = re.compile(r"[\s\W_]+", re.UNICODE)
# a token that never occurs in text keeps a phrase from matching across the action/evidence boundary
_BOUNDARY = "zzqqzz"

SQLITE_FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS task_fts USING fts5("
    "search_grams, content='task', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS task_fts_insert AFTER INSERT ON task BEGIN "
    "INSERT INTO task_fts(rowid, search_grams) VALUES (new.id, new.search_grams); END",
    "CREATE TRIGGER IF NOT EXISTS task_fts_delete AFTER DELETE ON task BEGIN "
    "INSERT INTO task_fts(task_fts, rowid, search_grams) VALUES ('delete', old.id, old.search_grams); END",
    "CREATE TRIGGER IF NOT EXISTS task_fts_update AFTER UPDATE OF search_grams ON task BEGIN "
    "INSERT INTO task_fts(task_fts, rowid, search_grams) VALUES ('delete', old.id, old.search_grams); "
    "INSERT INTO task_fts(rowid, search_grams) VALUES (new.id, new.search_grams); END",
)


def _plain(text_: str) -> str:
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text_)).lower()


def _pairs(plain: str) -> list[str]:
    if len(plain) < 2:
        return [plain] if plain else []
    return [plain[index : index + 2] for index in range(len(plain) - 1)]


def search_grams(action: str, evidence: str) -> str:
    """The value of Task.search_grams for a task."""
    return f" {_BOUNDARY} ".join(" ".join(_pairs(_plain(part))) for part in (action, evidence))


def query_pairs(query: str) -> list[str] | None:
    """The pairs to look for, or None when the query is too short for the index (one character)."""
    plain = _plain(query)
    return _pairs(plain) if len(plain) >= 2 else None


def _phrase(query: str) -> str | None:
    pairs = query_pairs(query)
    return " ".join(pairs) if pairs is not None else None


def _fts_rowids(phrase: str):  # type: ignore[no-untyped-def]
    return (
        select(literal_column("rowid"))
        .select_from(text("task_fts"))
        .where(text("task_fts MATCH :phrase").bindparams(phrase=f'"{phrase}"'))
    )


def _tsquery(phrase: str):  # type: ignore[no-untyped-def]
    return func.phraseto_tsquery(literal_column("'simple'::regconfig"), phrase)


def match_condition(dialect: str, query: str, *, walk: bool = False) -> ColumnElement[bool] | None:
    """A condition on Task for tasks containing `query`, or None when the index cannot answer it.

    `walk=True` (SQLite) gives the same condition in a form the planner cannot drive from the search index,
    so that it walks the due-date index instead and stops at the first page: right for words found in
    thousands of tasks, where starting from the matches means sorting all of them.
    """
    from storage.models import Task

    phrase = _phrase(query)
    if phrase is None:
        return None
    if dialect == "sqlite":
        if walk:
            return literal_column("+task.id").in_(_fts_rowids(phrase))
        return Task.id.in_(_fts_rowids(phrase))  # type: ignore[union-attr]
    if dialect == "postgresql":
        # task.search_vector is a stored generated column (migration 0002): matching a phrase re-reads the
        # vector of every candidate row, and computing it from the text each time was 15 times slower
        # no walking form here: PostgreSQL estimates one row for any unindexed @@ and then scans the whole
        # table in parallel (60 ms against 38 ms from the index for a word in 11,000 of 100,000 tasks)
        return literal_column("task.search_vector").op("@@")(_tsquery(phrase))
    return None


def is_frequent(session: Session, query: str, *, threshold: int) -> bool:
    """Whether at least `threshold` tasks contain `query` (counting stops there, so this stays cheap)."""
    dialect = session.get_bind().dialect.name
    phrase = _phrase(query)
    if phrase is None or dialect not in ("sqlite", "postgresql"):
        return False
    if dialect == "sqlite":
        probe = _fts_rowids(phrase).limit(threshold).subquery()
    else:
        probe = (
            select(literal_column("1"))
            .select_from(text("task"))
            .where(literal_column("task.search_vector").op("@@")(_tsquery(phrase)))
            .limit(threshold)
            .subquery()
        )
    found = session.execute(select(func.count()).select_from(probe)).scalar_one()
    return found >= threshold


def like_condition(query: str) -> ColumnElement[bool]:
    from storage.models import Task

    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(Task.action.like(pattern, escape="\\"), Task.evidence.like(pattern, escape="\\"))  # type: ignore[attr-defined]


POSTGRES_SEARCH_DDL = (
    "ALTER TABLE task ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_grams)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_task_search_vector ON task USING gin (search_vector)",
)


def attach_sqlite_index(table) -> None:  # type: ignore[no-untyped-def]
    """Create the search index with the table, for databases built by metadata.create_all()."""
    for statement in SQLITE_FTS_DDL:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in POSTGRES_SEARCH_DDL:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
