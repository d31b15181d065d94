"""An index that counts each department's tasks by role on its own

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

- assignment (department_id, role, task_id): `planbot depts` and the 台账 export count every department's
  lead and co-operating tasks; with the role in an index the count reads the index alone instead of every
  assignment row (0.11 s -> 0.01 s at 100,000 tasks, bench/ledger.py).
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_assignment_department_role_task", "assignment", ["department_id", "role", "task_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_assignment_department_role_task", table_name="assignment")
