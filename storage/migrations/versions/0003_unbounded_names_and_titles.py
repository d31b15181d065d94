"""Names, titles, headings and sources become TEXT: documents put no bound on them

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

A heading path or a misread title can run to a paragraph; on PostgreSQL a VARCHAR bound then refused the
whole document. SQLite ignores the bounds but records the declared type, so it gets the same change
(batch mode copies `task`, which drops the FTS triggers of 0002: they are created again and the index rebuilt).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {
    "jurisdiction": (("name", 100),),
    "plan": (("title", 500), ("title_key", 500)),
    "document": (("source", 2000), ("title", 500)),
    "section": (("path", 1000),),
    "department": (("name", 200),),
    "departmentalias": (("alias", 200),),
    "task": (("section", 1000),),
}

SQLITE_FTS_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS task_fts_insert AFTER INSERT ON task BEGIN "
    "INSERT INTO task_fts(rowid, search_grams) VALUES (new.id, new.search_grams); END",
    "CREATE TRIGGER IF NOT EXISTS task_fts_delete AFTER DELETE ON task BEGIN "
    "INSERT INTO task_fts(task_fts, rowid, search_grams) VALUES ('delete', old.id, old.search_grams); END",
    "CREATE TRIGGER IF NOT EXISTS task_fts_update AFTER UPDATE OF search_grams ON task BEGIN "
    "INSERT INTO task_fts(task_fts, rowid, search_grams) VALUES ('delete', old.id, old.search_grams); "
    "INSERT INTO task_fts(rowid, search_grams) VALUES (new.id, new.search_grams); END",
)


def _alter(to_text: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, length in columns:
                old, new = sa.String(length=length), sa.Text()
                batch_op.alter_column(
                    column,
                    existing_type=old if to_text else new,
                    type_=new if to_text else old,
                    existing_nullable=False,
                )
    if sqlite:
        for statement in SQLITE_FTS_TRIGGERS:
            op.execute(statement)
        op.execute("INSERT INTO task_fts(task_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _alter(to_text=True)


def downgrade() -> None:
    _alter(to_text=False)
