"""Instances of recurring duties, archived plans, and deliveries whose outcome is uncertain

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

- taskinstance: the status of one period (year, quarter, month) of a recurring duty, so that reporting
  2027 does not close 2028. A period without a row is open.
- progressupdate.period: the instance a progress report was about (NULL for one-off tasks).
- plan.archived_at: `planbot plan archive ID`; nobody is reminded of an archived plan's tasks.
- delivery.status 'uncertain': a send whose outcome is unknown where the channel's history cannot be read;
  kept and reported to the coordinators instead of being resent blindly or dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_DELIVERY_STATUSES = "status IN ('pending', 'sending', 'sent', 'failed')"
NEW_DELIVERY_STATUSES = "status IN ('pending', 'sending', 'sent', 'failed', 'uncertain')"


def _replace_delivery_check(condition: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # batch mode copies the table without reflecting its CHECK constraints: the copy gets the new one only
        with op.batch_alter_table("delivery", schema=None, recreate="always") as batch_op:
            batch_op.create_check_constraint(op.f("ck_delivery_status"), condition)
        return
    op.drop_constraint(op.f("ck_delivery_status"), "delivery", type_="check")
    op.create_check_constraint(op.f("ck_delivery_status"), "delivery", condition)


def upgrade() -> None:
    op.create_table(
        "taskinstance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("percent >= 0 AND percent <= 100", name=op.f("ck_taskinstance_percent")),
        sa.CheckConstraint("status IN ('open', 'in_progress', 'done')", name=op.f("ck_taskinstance_status")),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_taskinstance_task_id_task")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taskinstance")),
        sa.UniqueConstraint("task_id", "period", name="uq_task_instance_task_period"),
    )
    with op.batch_alter_table("progressupdate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period", sa.String(length=10), nullable=True))
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    _replace_delivery_check(NEW_DELIVERY_STATUSES)


def downgrade() -> None:
    op.execute("UPDATE delivery SET status = 'failed' WHERE status = 'uncertain'")
    _replace_delivery_check(OLD_DELIVERY_STATUSES)
    with op.batch_alter_table("plan", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
    with op.batch_alter_table("progressupdate", schema=None) as batch_op:
        batch_op.drop_column("period")
    op.drop_table("taskinstance")
