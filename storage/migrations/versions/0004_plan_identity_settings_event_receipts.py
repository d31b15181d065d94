"""Plan identity made unique, per-plan reminder settings, and the Slack event receipts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

- plan.identity_key + UNIQUE (jurisdiction_id, identity_key): two processes ingesting the first version of
  one plan at the same moment could each create a plan. The key is a frozen copy of
  storage.ingest.plan_identity at the time of this migration. Plans already duplicated by that race keep
  their rows: the later ones get their id appended, so the constraint can be created and nothing is lost.
- plan.reminder_settings: a plan's own reminder days (JSON), NULL for the global settings.
- slackeventreceipt: the ids of Slack events already handled, so that Slack's retries are answered once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _identity(kind: str, title_key: str, period_start: int | None, period_end: int | None, year: int | None) -> str:
    when = f"P{period_start}-{period_end}" if period_start is not None else f"Y{year if year is not None else '-'}"
    return f"{kind}|{when}|{title_key}"


def upgrade() -> None:
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity_key", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("reminder_settings", sa.Text(), nullable=True))

    connection = op.get_bind()
    seen: set[tuple[int, str]] = set()
    rows = connection.execute(
        sa.text("SELECT id, jurisdiction_id, kind, title_key, period_start, period_end, year FROM plan ORDER BY id")
    ).all()
    for plan_id, jurisdiction_id, kind, title_key, period_start, period_end, year in rows:
        key = _identity(kind, title_key, period_start, period_end, year)
        if (jurisdiction_id, key) in seen:
            key = f"{key}#{plan_id}"
        seen.add((jurisdiction_id, key))
        connection.execute(
            sa.text("UPDATE plan SET identity_key = :key WHERE id = :id"), {"key": key, "id": plan_id}
        )

    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.alter_column("identity_key", existing_type=sa.Text(), server_default=None)
        batch_op.create_unique_constraint("uq_plan_jurisdiction_identity", ["jurisdiction_id", "identity_key"])

    op.create_table(
        "slackeventreceipt",
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_slackeventreceipt")),
    )
    op.create_index(op.f("ix_slackeventreceipt_received_at"), "slackeventreceipt", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_slackeventreceipt_received_at"), table_name="slackeventreceipt")
    op.drop_table("slackeventreceipt")
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_constraint("uq_plan_jurisdiction_identity", type_="unique")
        batch_op.drop_column("reminder_settings")
        batch_op.drop_column("identity_key")
