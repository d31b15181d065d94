"""The tables of the ledger (SQLModel).

Jurisdiction -> Plan -> Document -> Section; Department (+ aliases) per jurisdiction; Task with Assignments;
ReviewEvent per plan; ProgressUpdate history; Member and ChannelBinding for the bot; Delivery for reminders.

Enumerations are plain strings checked by the database (CHECK constraints), so adding a value is a
migration and not a type change on PostgreSQL. Every timestamp is timezone-aware UTC (`UTCDateTime`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel

from storage.search import attach_postgres_index, attach_sqlite_index
from storage.types import UTCDateTime

# named constraints let later SQLite migrations (batch mode: copy and rename the table) find them again
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DEPARTMENT_KINDS = ("bureau", "government", "collective", "committee")
ROLES = ("lead", "co")
TASK_KINDS = ("task", "target", "review")
TASK_STATUSES = ("open", "in_progress", "done", "archived")
REVIEW_KINDS = ("annual_monitoring", "mid_term_review", "final_review")
MEMBER_ROLES = ("coordinator", "member")
PLATFORMS = ("slack", "dingtalk", "feishu", "wecom", "console")
# uncertain: the send's outcome is unknown and the channel's history cannot be read; the coordinators are told
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "uncertain")
INSTANCE_STATUSES = ("open", "in_progress", "done")
INDICATOR_COMPARISONS = (">=", "<=", "≈")
INDICATOR_ATTRIBUTES = ("约束性", "预期性")


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    quoted = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=column)  # named ck_<table>_<column>


class Jurisdiction(SQLModel, table=True):
    """An administrative area whose plans we keep: 莱芜区, 潍城区, 济南市…"""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=Text, sa_column_kwargs={"unique": True})


class Plan(SQLModel, table=True):
    """One plan of a jurisdiction; its documents are successive versions (revisions) of it."""

    __table_args__ = (
        Index("ix_plan_identity", "jurisdiction_id", "kind", "period_start", "year"),
        # one row per plan even when two processes ingest its first version at the same moment
        UniqueConstraint("jurisdiction_id", "identity_key", name="uq_plan_jurisdiction_identity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id")
    title: str = Field(sa_type=Text)
    # normalized title (no spaces, 《》 or 草案/征求意见稿 marks): how a revised version finds its plan
    title_key: str = Field(sa_type=Text)
    kind: str = Field(max_length=40)  # ingest.records.DOCUMENT_KINDS
    period_start: int | None = None  # first year of a five-year period, e.g. 2021
    period_end: int | None = None
    year: int | None = None  # the year of an annual plan or of the document
    # storage.ingest.plan_identity(): kind, title key and period (or year) in one string, since NULL
    # period or year columns would never collide in a UNIQUE constraint
    identity_key: str = Field(sa_type=Text)
    reminders_paused: bool = False
    # this plan's own reminder days as JSON (storage.plan_settings); NULL follows the global settings
    reminder_settings: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(sa_type=UTCDateTime)
    # `planbot plan archive`: its tasks are kept but nobody is reminded of them any more
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Document(SQLModel, table=True):
    """One ingested version of a plan. A newer version sets `superseded_at` on the older one."""

    __table_args__ = (
        UniqueConstraint("plan_id", "sha256", name="uq_document_plan_sha256"),
        Index("ix_document_sha256", "sha256"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    source: str = Field(sa_type=Text)
    sha256: str = Field(max_length=64)
    format: str = Field(max_length=10)
    title: str = Field(sa_type=Text)
    kind: str = Field(max_length=40)
    text: str = Field(sa_column=Column(Text, nullable=False))
    ingested_at: datetime = Field(sa_type=UTCDateTime)
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Section(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    path: str = Field(sa_type=Text)  # headings joined by " > ", as TaskRecord.section
    start_offset: int = 0
    end_offset: int = 0
    is_mechanism: bool = False


class Department(SQLModel, table=True):
    """A responsible unit, canonical per jurisdiction: 莱芜区's 区发展改革局 is not 潍城区's."""

    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "name", name="uq_department_jurisdiction_name"),
        _one_of("kind", DEPARTMENT_KINDS),
    )

    id: int | None = Field(default=None, primary_key=True)
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id")
    name: str = Field(sa_type=Text)
    kind: str = Field(default="bureau", max_length=20)
    # for a collective addressee (各部门, 各镇（街道）): the kind of department it speaks to
    covers_kind: str | None = Field(default=None, max_length=20)
    # set after 机构改革 when this department was merged into another; its tasks moved there
    merged_into_id: int | None = Field(default=None, foreign_key="department.id")


class DepartmentAlias(SQLModel, table=True):
    """Every spelling of a department, scoped to its jurisdiction (区发改局 means a different bureau elsewhere).

    The canonical name is stored as an alias too, so a lookup is one indexed query.
    """

    __table_args__ = (UniqueConstraint("jurisdiction_id", "alias", name="uq_alias_jurisdiction_alias"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id")
    alias: str = Field(sa_type=Text)


# declared outside the class so that __mapper_args__ can name the very Column object the table uses
_task_version_column = Column("version", Integer, nullable=False)


class Task(SQLModel, table=True):
    """One task of a plan, with its source sentence; its units are in Assignment.

    `version` is SQLAlchemy's version counter: an UPDATE from a stale read matches no row and raises, so two
    people reporting progress at once cannot overwrite each other (see storage.progress).
    """

    __table_args__ = (
        Index("ix_task_plan_evidence_key", "plan_id", "evidence_key"),
        Index("ix_task_status_due_on", "status", "due_on"),
        Index("ix_task_due_on", "due_on"),
        # dated lists pick the few recurring duties out of the ledger by this index (migration 0011)
        Index("ix_task_recurrence", "recurrence"),
        _one_of("kind", TASK_KINDS),
        _one_of("status", TASK_STATUSES),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    document_id: int = Field(foreign_key="document.id")  # the latest version that contains the task
    section_id: int | None = Field(default=None, foreign_key="section.id")
    section: str = Field(default="", sa_type=Text)
    action: str = Field(sa_column=Column(Text, nullable=False))
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    # evidence without spaces and punctuation: how a task is found again in a revised document
    evidence_key: str = Field(sa_column=Column(Text, nullable=False))
    # character pairs of action and evidence, indexed for Chinese substring search (storage.search)
    search_grams: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    start_offset: int = 0
    end_offset: int = 0
    due_on: date | None = None
    recurrence: str | None = Field(default=None, max_length=20)
    starts_on: date | None = None
    kind: str = Field(default="task", max_length=20)
    review_kind: str | None = Field(default=None, max_length=40)
    status: str = Field(default="open", max_length=20)
    percent: int = 0
    # 待核对: imported in Slack and not yet confirmed by a coordinator; nobody is reminded of it (storage.tasks)
    awaiting_review: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    # how sure the extraction was (0..1); None for tasks typed in by people or read before confidences existed
    confidence: float | None = None
    version: int = Field(default=1, sa_column=_task_version_column)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)

    __mapper_args__ = {"version_id_col": _task_version_column}


attach_sqlite_index(Task.__table__)  # type: ignore[attr-defined]


class TaskSearch(SQLModel, table=True):
    """PostgreSQL's search rows: one per task, filled by triggers on task (migration 0005).

    A word found in thousands of tasks is matched and ordered here without reading the wide task rows
    (storage.search). On PostgreSQL the table also holds search_vector (the pairs, made by hand like
    0002's). Empty on SQLite, where the FTS5 table task_fts answers searches.
    """

    __table_args__ = (Index("ix_tasksearch_due_on_task_id", "due_on", "task_id"),)

    task_id: int = Field(
        sa_column=Column(Integer, ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    )
    due_on: date | None = None
    status: str = Field(max_length=20)
    # action and evidence without spaces and punctuation, lower case, joined by one space
    search_text: str = Field(sa_column=Column(Text, nullable=False))


attach_postgres_index(TaskSearch.__table__)  # type: ignore[attr-defined]


class Assignment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("task_id", "department_id", name="uq_assignment_task_department"),
        Index("ix_assignment_department_task", "department_id", "task_id"),
        # counting a department's tasks by role reads this index alone (migration 0009)
        Index("ix_assignment_department_role_task", "department_id", "role", "task_id"),
        _one_of("role", ROLES),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    department_id: int = Field(foreign_key="department.id")
    role: str = Field(default="lead", max_length=10)


class TaskEdit(SQLModel, table=True):
    """One change a person made to a task: who, when, which field, the old and the new value (storage.task_edits).

    A field edited by hand is kept by later ingests of the same plan (storage.ingest).
    """

    __table_args__ = (Index("ix_taskedit_task_created", "task_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    author: str = Field(max_length=100)  # Slack user id, or "cli:<login>"
    created_at: datetime = Field(sa_type=UTCDateTime)
    field: str = Field(max_length=40)  # storage.task_edits.EDIT_FIELDS
    old_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    via: str = Field(default="cli", max_length=20)  # cli, slack, xlsx


class ReviewEvent(SQLModel, table=True):
    """年度监测 (each year of the period), 中期评估 and 总结评估 of a plan, dated by the settings' conventions."""

    __table_args__ = (
        UniqueConstraint("plan_id", "kind", "year", name="uq_review_event_plan_kind_year"),
        Index("ix_review_event_due_on", "due_on"),
        _one_of("kind", REVIEW_KINDS),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    kind: str = Field(max_length=40)
    due_on: date
    year: int  # the year reviewed (annual monitoring of 2022 is due 2023-01-31)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))


class ProgressUpdate(SQLModel, table=True):
    """One report of progress; the full history is kept, the task holds the latest status and percent."""

    __table_args__ = (Index("ix_progress_update_task_created", "task_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    author: str = Field(max_length=100)  # Slack user id, or "cli:<login>"
    created_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(max_length=20)
    percent: int = 0
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    # the instance of a recurring duty the report is about ("2027", "2027Q1", "2027-03"); NULL for one-off tasks
    period: str | None = Field(default=None, max_length=10)


class TaskInstance(SQLModel, table=True):
    """The status of one period of a recurring duty: "2027 年度已报送" closes 2027, not 2028.

    A row exists once someone reported on that period; a period without a row is open.
    """

    __table_args__ = (
        UniqueConstraint("task_id", "period", name="uq_task_instance_task_period"),
        _one_of("status", INSTANCE_STATUSES),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
    )

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    period: str = Field(max_length=10)  # storage.task_periods.period_of
    due_on: date
    status: str = Field(default="open", max_length=20)
    percent: int = 0
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Indicator(SQLModel, table=True):
    """One of a plan's main indicators (主要指标): base and target as the document writes them (storage.indicators).

    A re-ingest of the plan updates it by name; its reported values (IndicatorValue) are never touched.
    """

    __table_args__ = (
        UniqueConstraint("plan_id", "name_key", name="uq_indicator_plan_name_key"),
        _one_of("comparison", INDICATOR_COMPARISONS),
        _one_of("attribute", INDICATOR_ATTRIBUTES),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id")
    name: str = Field(sa_type=Text)
    name_key: str = Field(sa_type=Text)  # the name without spaces or punctuation: how a revision finds it
    unit: str | None = Field(default=None, max_length=40)
    category: str | None = Field(default=None, max_length=40)
    base_year: int | None = None
    base_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    target_year: int | None = None
    target_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # as written
    target_number: float | None = None  # 5.5 of ">5.5"; NULL for 完成市下达任务
    comparison: str | None = Field(default=None, max_length=4)  # >=, <=, ≈ or NULL (exactly)
    annual_growth: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    attribute: str | None = Field(default=None, max_length=10)
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # set when a revision of the plan no longer lists it; its values are kept
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class IndicatorDepartment(SQLModel, table=True):
    """A unit responsible for an indicator: lead (牵头) first, as the document names them."""

    __table_args__ = (
        UniqueConstraint("indicator_id", "department_id", name="uq_indicator_department"),
        Index("ix_indicatordepartment_department", "department_id", "indicator_id"),
        _one_of("role", ROLES),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id")
    department_id: int = Field(foreign_key="department.id")
    role: str = Field(default="lead", max_length=10)


class IndicatorValue(SQLModel, table=True):
    """One reported value of an indicator for one year. A later report of the same year adds a row; the newest counts."""

    __table_args__ = (Index("ix_indicatorvalue_indicator_year", "indicator_id", "year", "reported_at"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id")
    year: int
    value: str = Field(sa_type=Text)  # as reported: "90.8", "≥5%", "完成"
    number: float | None = None  # what could be read of it as a number
    reported_by: str = Field(max_length=100)  # Slack user id, or "cli:<login>"
    reported_at: datetime = Field(sa_type=UTCDateTime)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    via: str = Field(default="cli", max_length=20)  # cli, slack, xlsx


class Member(SQLModel, table=True):
    """A person the bot knows: a coordinator (planning office) or a member of one department."""

    __table_args__ = (_one_of("role", MEMBER_ROLES),)

    id: int | None = Field(default=None, primary_key=True)
    slack_user_id: str = Field(max_length=50, sa_column_kwargs={"unique": True})
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    role: str = Field(default="member", max_length=20)


class ChannelBinding(SQLModel, table=True):
    """Where a department's reminders go: a Slack channel or a group robot webhook."""

    __table_args__ = (
        UniqueConstraint("department_id", "platform", "channel_id", name="uq_channel_binding"),
        _one_of("platform", PLATFORMS),
    )

    id: int | None = Field(default=None, primary_key=True)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    channel_id: str = Field(max_length=200)
    platform: str = Field(default="slack", max_length=20)
    webhook_url: str | None = Field(default=None, max_length=2000)


class SlackEventReceipt(SQLModel, table=True):
    """A Slack event already handled: Slack resends an event it thinks was not acknowledged in time."""

    event_id: str = Field(max_length=100, primary_key=True)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)


class PageQuery(SQLModel, table=True):
    """A command too long for a Slack button's value, kept so that its 下一页 button can carry the id instead."""

    # ids are never reused: an old button must not run a newer command stored under its id
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    command: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class Delivery(SQLModel, table=True):
    """One reminder to one target. The unique key makes sending the same reminder twice impossible.

    `subject_key` ("task:12", "review:3", "digest:<dept id>") stands in for the two nullable foreign keys in
    the key, because NULLs never collide in a UNIQUE constraint.
    """

    __table_args__ = (
        UniqueConstraint("rule", "subject_key", "occurrence_on", "target", name="uq_delivery_reminder"),
        Index("ix_delivery_status_next_attempt", "status", "next_attempt_at"),
        _one_of("status", DELIVERY_STATUSES),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(max_length=50)  # e.g. "deadline-7", "review-30", "digest"
    subject_key: str = Field(max_length=50)
    task_id: int | None = Field(default=None, foreign_key="task.id")
    review_event_id: int | None = Field(default=None, foreign_key="reviewevent.id")
    occurrence_on: date
    target: str = Field(max_length=300)  # "slack:C123", "dingtalk:<binding id>", "console"
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    message_ts: str | None = Field(default=None, max_length=50)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    payload: str = Field(default="", sa_column=Column(Text, nullable=False))
