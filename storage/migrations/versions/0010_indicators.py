"""Indicators of a plan and their yearly values

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

- indicator: one of a plan's main indicators (主要指标), base and target as written and as numbers.
- indicatordepartment: the units responsible for an indicator (lead first).
- indicatorvalue: one reported value for one year; a later report of the same year adds a row, the newest counts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("base_year", sa.Integer(), nullable=True),
        sa.Column("base_value", sa.Text(), nullable=True),
        sa.Column("target_year", sa.Integer(), nullable=True),
        sa.Column("target_value", sa.Text(), nullable=True),
        sa.Column("target_number", sa.Float(), nullable=True),
        sa.Column("comparison", sa.String(length=4), nullable=True),
        sa.Column("annual_growth", sa.Text(), nullable=True),
        sa.Column("attribute", sa.String(length=10), nullable=True),
        sa.Column("evidence", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attribute IN ('约束性', '预期性')", name=op.f("ck_indicator_attribute")),
        sa.CheckConstraint("comparison IN ('>=', '<=', '≈')", name=op.f("ck_indicator_comparison")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"], ["jurisdiction.id"], name=op.f("fk_indicator_jurisdiction_id_jurisdiction")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_indicator_plan_id_plan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("plan_id", "name_key", name="uq_indicator_plan_name_key"),
    )
    op.create_index(op.f("ix_indicator_plan_id"), "indicator", ["plan_id"], unique=False)
    op.create_table(
        "indicatordepartment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.CheckConstraint("role IN ('lead', 'co')", name=op.f("ck_indicatordepartment_role")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_indicatordepartment_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicator.id"], name=op.f("fk_indicatordepartment_indicator_id_indicator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicatordepartment")),
        sa.UniqueConstraint("indicator_id", "department_id", name="uq_indicator_department"),
    )
    op.create_index(
        "ix_indicatordepartment_department",
        "indicatordepartment",
        ["department_id", "indicator_id"],
        unique=False,
    )
    op.create_table(
        "indicatorvalue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("number", sa.Float(), nullable=True),
        sa.Column("reported_by", sa.String(length=100), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicator.id"], name=op.f("fk_indicatorvalue_indicator_id_indicator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicatorvalue")),
    )
    op.create_index(
        "ix_indicatorvalue_indicator_year",
        "indicatorvalue",
        ["indicator_id", "year", "reported_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_indicatorvalue_indicator_year", table_name="indicatorvalue")
    op.drop_table("indicatorvalue")
    op.drop_index("ix_indicatordepartment_department", table_name="indicatordepartment")
    op.drop_table("indicatordepartment")
    op.drop_index(op.f("ix_indicator_plan_id"), table_name="indicator")
    op.drop_table("indicator")
