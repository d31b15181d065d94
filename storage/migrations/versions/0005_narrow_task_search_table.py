"""PostgreSQL searches a narrow table: tasksearch, filled by triggers on task, replaces task.search_vector

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

A word found in 11,000 of 100,000 tasks took 35–45 ms on PostgreSQL: the GIN index on task.search_vector
found the rows quickly, but the phrase recheck (tsvector positions) and the ordering by due date read every
matching task row (1.4 kB each, 8,700 pages). tasksearch keeps one row per task: id, due date, status, the
task's text without spaces and punctuation (search_text), and its character pairs as a tsvector without
positions (search_vector, PostgreSQL only, made here by hand like 0002's). The GIN index on the pairs finds
the candidates and LIKE on search_text keeps those that contain the query, so neither the match nor the
top-N ordering reads a task row, and the search can walk the due-date index of this table instead when a
word is in many tasks (storage.search_queries). Triggers on task fill it from search_grams, so it follows
exactly the rules of storage.search; deleting a task deletes its row. The index is created with fastupdate
off: the pending list left by a large ingest was read in full by every search until a vacuum.

On SQLite the table is created (it is part of the models) and stays empty: FTS5 (task_fts) answers there.
This migration does not alter `task` in batch mode on SQLite, so the FTS triggers of 0002 are untouched.

The SQL below is a frozen copy of storage.search at the time of this migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# search_grams "养老 老服 服务 zzqqzz 普惠" -> search_text "养老服务 普惠"
_PART = r"regexp_replace(split_part({grams}, ' zzqqzz ', {part}), '(\S)\S ', '\1', 'g')"


def _columns_from(grams: str) -> str:
    """search_text and search_vector computed from a search_grams value."""
    text_ = _PART.format(grams=grams, part=1) + " || ' ' || " + _PART.format(grams=grams, part=2)
    return f"{text_}, strip(to_tsvector('simple'::regconfig, {grams}))"


POSTGRES_UP = (
    "ALTER TABLE tasksearch ADD COLUMN search_vector tsvector NOT NULL",
    "CREATE OR REPLACE FUNCTION task_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO tasksearch (task_id, due_on, status, search_text, search_vector) "
    f"VALUES (NEW.id, NEW.due_on, NEW.status, {_columns_from('NEW.search_grams')}) "
    "ON CONFLICT (task_id) DO UPDATE SET due_on = EXCLUDED.due_on, status = EXCLUDED.status, "
    "search_text = EXCLUDED.search_text, search_vector = EXCLUDED.search_vector; RETURN NULL; END $$",
    "CREATE TRIGGER task_search_insert AFTER INSERT ON task FOR EACH ROW EXECUTE FUNCTION task_search_sync()",
    "CREATE TRIGGER task_search_update AFTER UPDATE OF search_grams, due_on, status ON task FOR EACH ROW "
    "WHEN (OLD.search_grams IS DISTINCT FROM NEW.search_grams OR OLD.due_on IS DISTINCT FROM NEW.due_on "
    "OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION task_search_sync()",
    "INSERT INTO tasksearch (task_id, due_on, status, search_text, search_vector) "
    f"SELECT id, due_on, status, {_columns_from('search_grams')} FROM task",
    # searches read this table in small pieces: starting parallel workers cost more (~10 ms) than they saved
    "ALTER TABLE tasksearch SET (parallel_workers = 0)",
    "DROP INDEX IF EXISTS ix_task_search_vector",
    "ALTER TABLE task DROP COLUMN IF EXISTS search_vector",
    # after the backfill: building the index once is cheaper than growing it row by row
    "CREATE INDEX ix_task_search_vector ON tasksearch USING gin (search_vector) WITH (fastupdate = off)",
)

POSTGRES_DOWN = (
    "DROP TRIGGER IF EXISTS task_search_update ON task",
    "DROP TRIGGER IF EXISTS task_search_insert ON task",
    "DROP FUNCTION IF EXISTS task_search_sync()",
    "DROP INDEX IF EXISTS ix_task_search_vector",
    # as 0002 made them
    "ALTER TABLE task ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_grams)) STORED",
    "CREATE INDEX IF NOT EXISTS ix_task_search_vector ON task USING gin (search_vector)",
)


def upgrade() -> None:
    op.create_table(
        "tasksearch",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_tasksearch_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_tasksearch")),
    )
    op.create_index("ix_tasksearch_due_on_task_id", "tasksearch", ["due_on", "task_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    op.drop_index("ix_tasksearch_due_on_task_id", table_name="tasksearch")
    op.drop_table("tasksearch")
