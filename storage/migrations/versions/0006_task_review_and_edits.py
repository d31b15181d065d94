"""Tasks wait for review, carry the extraction's confidence, and keep the history of people's edits

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

- task.awaiting_review: tasks of a document imported in Slack are 待核对 until a coordinator confirms them;
  reminders skip them. Existing tasks were never reviewed and are already in use, so they start confirmed.
- task.confidence: how sure the extraction was, NULL where it is unknown.
- taskedit: who changed which field of a task, when, from what to what.

`task` is altered with plain ADD/DROP COLUMN, not batch mode, so SQLite's FTS triggers of 0002 stay.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("task", sa.Column("awaiting_review", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("task", sa.Column("confidence", sa.Float(), nullable=True))
    op.create_table(
        "taskedit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_taskedit_task_id_task")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taskedit")),
    )
    op.create_index("ix_taskedit_task_created", "taskedit", ["task_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_taskedit_task_created", table_name="taskedit")
    op.drop_table("taskedit")
    op.drop_column("task", "confidence")
    op.drop_column("task", "awaiting_review")
