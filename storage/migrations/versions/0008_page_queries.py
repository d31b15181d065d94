"""Commands too long for a Slack button, kept for their pager

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

- pagequery: a paginated command whose text, encoded, passes Slack's 2,000 characters for a button value;
  the 上一页 / 下一页 buttons carry its id. Rows older than a week are deleted as new ones are added.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pagequery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pagequery")),
        sqlite_autoincrement=True,  # an old button must not run a newer command stored under its id
    )
    op.create_index(op.f("ix_pagequery_created_at"), "pagequery", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pagequery_created_at"), table_name="pagequery")
    op.drop_table("pagequery")
