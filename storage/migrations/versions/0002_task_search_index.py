"""Indexed Chinese substring search: task.search_grams, FTS5 on SQLite, tsvector + GIN on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

The pair-building below is a frozen copy of storage.search.search_grams at the time of this migration,
so that the backfill keeps working when the application code changes later.

SQLite note: a later batch migration of `task` copies the table and drops its triggers; such a migration
must re-run the task_fts statements below and `INSERT INTO task_fts(task_fts) VALUES ('rebuild')`.
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NOT_TEXT = re.compile(r"[\s\W_]+", re.UNICODE)

SQLITE_FTS = (
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


def _grams(action: str, evidence: str) -> str:
    parts = []
    for part in (action, evidence):
        plain = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", part)).lower()
        pairs = (
            [plain[i : i + 2] for i in range(len(plain) - 1)]
            if len(plain) >= 2
            else ([plain] if plain else [])
        )
        parts.append(" ".join(pairs))
    return " zzqqzz ".join(parts)


def upgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_grams", sa.Text(), server_default="", nullable=False))

    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, action, evidence FROM task")).all()
    for row in rows:
        connection.execute(
            sa.text("UPDATE task SET search_grams = :grams WHERE id = :id"),
            {"grams": _grams(row.action, row.evidence), "id": row.id},
        )

    if connection.dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
        op.execute("INSERT INTO task_fts(task_fts) VALUES ('rebuild')")
    elif connection.dialect.name == "postgresql":
        # stored, because phrase matches re-read the vector of every candidate row
        op.execute(
            "ALTER TABLE task ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_grams)) STORED"
        )
        op.execute("CREATE INDEX ix_task_search_vector ON task USING gin (search_vector)")


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for trigger in ("task_fts_insert", "task_fts_delete", "task_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS task_fts")
    elif connection.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_task_search_vector")
        op.execute("ALTER TABLE task DROP COLUMN IF EXISTS search_vector")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("search_grams")
