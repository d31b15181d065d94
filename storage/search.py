"""Chinese substring search that uses an index on both databases: the matching rules and the index DDL.

Chinese has no spaces, so word indexes do not apply and LIKE '%…%' scans the whole table (30–40 ms for
100,000 tasks on SQLite, more with the joins). A query and a task are compared in their plain form: NFKC,
lower case, spaces and punctuation removed ("社会资本合作（PPP）" finds "社会资本合作PPP"), and the action and
the evidence are searched separately (a match never runs from one into the other). Each task stores
`search_grams`, the overlapping character pairs of both ("养老服务" -> "养老 老服 服务").

- SQLite: an FTS5 table task_fts over search_grams (kept in step by triggers); a query of two or more
  characters becomes the phrase of its pairs, which matches exactly the texts that contain it.
- PostgreSQL: the table tasksearch (task id, due date, status, plain text and its pairs as a tsvector
  without positions; triggers on task fill it) with a GIN index on the pairs. The index finds the rows
  holding every pair of the query, and LIKE on the plain text keeps those that contain it. Neither the
  match nor the ordering by due date reads a 1.4 kB task row, and no tsvector positions are rechecked.

Both are made by migrations 0002 and 0005 (and by metadata.create_all), so build schemas with
storage.db.upgrade. One-character queries fall back to LIKE on the task text. storage.search_queries
runs the searches.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import DDL, String, and_, bindparam, event, func, literal_column, or_, select, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from ingest.normalize import to_simplified

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


def search_text(action: str, evidence: str) -> str:
    """The value of TaskSearch.search_text for a task (PostgreSQL's triggers derive it from search_grams)."""
    return f"{_plain(action)} {_plain(evidence)}"


def plain_query(query: str) -> str:
    """The query as the stored text reads: ingest turns documents into simplified characters (OpenCC t2s),
    so a query typed in traditional characters (區發改局, 養老) must be turned the same way to match."""
    return _plain(to_simplified(query))


def query_pairs(query: str) -> list[str] | None:
    """The pairs to look for, or None when the query is too short for the index (one character)."""
    plain = plain_query(query)
    return _pairs(plain) if len(plain) >= 2 else None


def phrase(query: str) -> str | None:
    """The query as space-separated pairs, or None when the index cannot answer it."""
    pairs = query_pairs(query)
    return " ".join(pairs) if pairs is not None else None


# -- SQLite ------------------------------------------------------------------------------------------------


def fts_rowids(phrase_: str):  # type: ignore[no-untyped-def]
    """The ids of the tasks whose pairs contain `phrase_` in order (FTS5 phrase query)."""
    return (
        select(literal_column("rowid"))
        .select_from(text("task_fts"))
        .where(text("task_fts MATCH :phrase").bindparams(phrase=f'"{phrase_}"'))
    )


def like_condition(query: str) -> ColumnElement[bool]:
    """The one-character fallback: the raw query in the action or the evidence."""
    from storage.models import Task

    query = to_simplified(query)
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(Task.action.like(pattern, escape="\\"), Task.evidence.like(pattern, escape="\\"))  # type: ignore[attr-defined]


# -- PostgreSQL --------------------------------------------------------------------------------------------

# search_grams -> search_text: each part's pairs "养老 老服 服务" give back "养老服务" (first character of
# each pair, the whole last pair); the parts are split at the boundary word
_PART_SQL = (
    r"regexp_replace(split_part(NEW.search_grams, ' " + _BOUNDARY + r" ', {part}), '(\S)\S ', '\1', 'g')"
)

POSTGRES_SEARCH_DDL = (
    # the pairs without their positions (strip): LIKE on search_text makes the match exact, so the index only
    # has to find rows holding every pair, and a stored vector is cheap to test wherever the planner does so
    "ALTER TABLE tasksearch ADD COLUMN IF NOT EXISTS search_vector tsvector NOT NULL",
    "CREATE OR REPLACE FUNCTION task_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO tasksearch (task_id, due_on, status, search_text, search_vector) VALUES (NEW.id, NEW.due_on, "
    f"NEW.status, {_PART_SQL.format(part=1)} || ' ' || {_PART_SQL.format(part=2)}, "
    "strip(to_tsvector('simple'::regconfig, NEW.search_grams))) "
    "ON CONFLICT (task_id) DO UPDATE SET due_on = EXCLUDED.due_on, status = EXCLUDED.status, "
    "search_text = EXCLUDED.search_text, search_vector = EXCLUDED.search_vector; RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS task_search_insert ON task",
    "CREATE TRIGGER task_search_insert AFTER INSERT ON task FOR EACH ROW EXECUTE FUNCTION task_search_sync()",
    "DROP TRIGGER IF EXISTS task_search_update ON task",
    "CREATE TRIGGER task_search_update AFTER UPDATE OF search_grams, due_on, status ON task FOR EACH ROW "
    "WHEN (OLD.search_grams IS DISTINCT FROM NEW.search_grams OR OLD.due_on IS DISTINCT FROM NEW.due_on "
    "OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION task_search_sync()",
    # searches read this table in small pieces: starting parallel workers cost more (~10 ms) than they saved
    "ALTER TABLE tasksearch SET (parallel_workers = 0)",
    # fastupdate off: a pending list left by a large ingest is read in full by every search until a vacuum
    # merges it (it doubled the time of a common word)
    "CREATE INDEX IF NOT EXISTS ix_task_search_vector ON tasksearch USING gin (search_vector) "
    "WITH (fastupdate = off)",
)


def _literal(value: str):  # type: ignore[no-untyped-def]
    # written into the statement rather than bound: a prepared statement's generic plan would assume an
    # average word, when a word in every tenth task and a word in five tasks need different plans
    return bindparam(None, value, type_=String, literal_execute=True)


def postgres_match(query: str) -> ColumnElement[bool] | None:
    """A condition on TaskSearch for tasks containing `query`, or None when the index cannot answer it."""
    from storage.models import TaskSearch

    pairs = query_pairs(query)
    if pairs is None:
        return None
    found = literal_column("tasksearch.search_vector").op("@@")(
        func.plainto_tsquery(literal_column("'simple'::regconfig"), _literal(" ".join(pairs)))
    )
    return and_(found, plain_contains(col(TaskSearch.search_text), query))


def plain_contains(column: ColumnElement[str], query: str) -> ColumnElement[bool]:
    """`column` (a search_text) contains the query; without the index condition, for walking in due order."""
    # the plain text holds no % or _ (punctuation is removed), so the pattern needs no escaping
    return column.like(_literal(f"%{plain_query(query)}%"))


def attach_sqlite_index(table) -> None:  # type: ignore[no-untyped-def]
    """Create the SQLite search index with the task table, for databases built by metadata.create_all()."""
    for statement in SQLITE_FTS_DDL:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))


def attach_postgres_index(table) -> None:  # type: ignore[no-untyped-def]
    """Create PostgreSQL's triggers and GIN index with the tasksearch table, for metadata.create_all()."""
    for statement in POSTGRES_SEARCH_DDL:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
