"""Store an ExtractedDocument in the ledger, in one transaction.

- The same bytes again (same sha256) change nothing.
- A revised version of a known plan (same jurisdiction, kind, title and period; or year for annual plans)
  updates it: tasks still there are matched by their evidence and keep their progress, tasks gone are archived
  (never deleted), new ones are added. The report says what was added, changed and archived.
- What people changed by hand (storage.tasks, history in storage.task_edits) wins over the document: an edited
  field is not overwritten, a task added by hand is not archived, and an edited task is still found by the
  action it had when it was extracted.
- New tasks wait for a coordinator's review (待核对) when `confirm` is false; `dry_run` reports and stores nothing.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ingest.formats.ocr import OCR_FORMAT
from ingest.records import ExtractedDocument, TaskRecord
from ingest.units import AliasTable
from storage.departments import get_or_create_department, get_or_create_jurisdiction, name_key
from storage.indicators import store_indicators
from storage.models import Assignment, Department, Document, Jurisdiction, Plan, ProgressUpdate, Section, Task
from storage.reviews import ReviewConventions, sync_review_events
from storage.search import search_grams
from storage.task_edits import UNIT_FIELDS, extracted_actions, pinned_fields

_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)
# marks that differ between versions of one plan: （草案）, （征求意见稿）, (2022年更新), （修订版）…
_DRAFT_MARKS = re.compile(
    r"[（(](?:\d{4}年)?(?:草案|征求意见稿|送审稿|代拟稿|试行|暂行|更新|修订|调整)(?:版|稿)?[)）]"
)
# fuzzy matching compares every unmatched old task with every unmatched new one; beyond this many pairs it
# compares only tasks of the same section, to keep a large rewrite from taking minutes
_FUZZY_PAIR_LIMIT = 40_000
FUZZY_MATCH_RATIO = 0.8
LOW_CONFIDENCE = 0.6  # below this an extracted record is shown to the coordinator for a second look
OCR_CONFIDENCE = 0.5  # at most, for records read from a scan: recognition errors change names and dates
CONCURRENT_INGEST_ATTEMPTS = 3


def evidence_key(text: str) -> str:
    """The evidence without spaces and punctuation: survives re-wrapping, full/half-width marks and typos in commas."""
    return _PUNCTUATION.sub("", name_key(text))


def title_key(title: str) -> str:
    return _DRAFT_MARKS.sub("", name_key(title)).replace("《", "").replace("》", "")


def plan_key(document: ExtractedDocument) -> str:
    """What names the plan across versions: its title, or, when none was read, its source (never "")."""
    # untitled documents of one kind and period must not be taken for versions of each other
    return title_key(document.title) or f"source:{document.source}"


@dataclass
class IngestReport:
    source: str
    status: str  # "new", "revised" or "unchanged"
    plan_id: int
    document_id: int
    jurisdiction: str
    title: str
    added: list[str] = field(default_factory=list)  # actions of the tasks
    changed: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    kept: int = 0
    # action -> what changed in it, "完成时限：2024-06-30 → 2024-12-31"
    changes: dict[str, list[str]] = field(default_factory=dict)
    awaiting_review: int = 0  # tasks of this ingest that wait for a coordinator (待核对)
    unassigned: list[str] = field(default_factory=list)  # actions of new tasks that name no unit
    low_confidence: list[str] = field(default_factory=list)  # actions of new tasks the extraction was unsure of
    review_events_created: int = 0
    indicators_added: list[str] = field(default_factory=list)  # names of the plan's indicators
    indicators_changed: list[str] = field(default_factory=list)
    indicators_archived: list[str] = field(default_factory=list)
    departments: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> {"lead": n, "co": n}


@dataclass
class _Draft:
    """The records of one task (one action of one sentence), whatever the number of units."""

    record: TaskRecord
    roles: dict[str, str] = field(default_factory=dict)  # department name -> "lead" | "co"
    unit_kinds: dict[str, str | None] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return evidence_key(self.record.evidence), evidence_key(self.record.task)


def _drafts(records: list[TaskRecord]) -> list[_Draft]:
    drafts: dict[tuple[str, str], _Draft] = {}
    for record in records:
        draft = _Draft(record)
        draft = drafts.setdefault(draft.key, draft)
        # the unit under its defined name when the document says who a function is (所称…是指市发展改革委)
        unit = _defined_unit(record)
        if unit:
            # 牵头 wins when a unit is named twice for one task
            if draft.roles.get(unit) != "lead":
                draft.roles[unit] = record.role or "lead"
            draft.unit_kinds.setdefault(unit, record.unit_kind)
    return list(drafts.values())


def _defined_unit(record: TaskRecord) -> str | None:
    """The record's unit under its canonical name: the alias table's, or the body the document itself defines a
    unit named by function to be (发展规划行政主管部门 -> 市发展改革委)."""
    return record.canonical_department or record.department


def plan_identity(
    *, kind: str, title_key: str, period: tuple[int, int] | None, year: int | None
) -> str:
    """What makes two documents versions of one plan: kind, title and period; or year, when there is no period.

    A revised five-year plan may be issued in a later year, so the period, not the year, identifies it.
    Migration 0004 holds a frozen copy of this formula for its backfill.
    """
    when = f"P{period[0]}-{period[1]}" if period else f"Y{year if year is not None else '-'}"
    return f"{kind}|{when}|{title_key}"


def document_plan_identity(document: ExtractedDocument) -> str:
    return plan_identity(
        kind=document.kind, title_key=plan_key(document), period=document.period, year=document.year
    )


def find_plan(*, session: Session, jurisdiction_id: int, document: ExtractedDocument) -> Plan | None:
    statement = select(Plan).where(
        Plan.jurisdiction_id == jurisdiction_id, Plan.identity_key == document_plan_identity(document)
    )
    return session.exec(statement).first()


def ingest_document(
    *,
    session: Session,
    document: ExtractedDocument,
    aliases: AliasTable | None = None,
    conventions: ReviewConventions | None = None,
    now: datetime | None = None,
    jurisdiction: str | None = None,
    confirm: bool = True,
    dry_run: bool = False,
) -> IngestReport:
    """Store `document`; commits on success and rolls everything back on any error.

    `confirm=False` leaves the new tasks 待核对 (documents imported in Slack); `dry_run` rolls back at the end,
    so the report shows what an ingest would add, change and archive.

    Another process may create the same plan, jurisdiction or department between our read and our insert;
    the unique constraints refuse the second row, and the whole ingest runs again, now finding theirs.
    """
    now = now or datetime.now(UTC)
    for attempt in range(1, CONCURRENT_INGEST_ATTEMPTS + 1):
        try:
            report = _ingest(
                session=session,
                document=document,
                aliases=aliases,
                conventions=conventions or ReviewConventions(),
                now=now,
                jurisdiction_name=jurisdiction or document.jurisdiction,
                confirm=confirm,
            )
            if dry_run:
                session.rollback()
            else:
                session.commit()
            return report
        except IntegrityError:
            session.rollback()
            if attempt == CONCURRENT_INGEST_ATTEMPTS:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def _ingest(
    *,
    session: Session,
    document: ExtractedDocument,
    aliases: AliasTable | None,
    conventions: ReviewConventions,
    now: datetime,
    jurisdiction_name: str | None,
    confirm: bool = True,
) -> IngestReport:
    known = session.exec(select(Document).where(Document.sha256 == document.sha256)).first()
    if known is not None:
        plan = session.get(Plan, known.plan_id)
        assert plan is not None and known.id is not None and plan.id is not None
        place = session.get(Jurisdiction, plan.jurisdiction_id)
        return IngestReport(
            source=document.source,
            status="unchanged",
            plan_id=plan.id,
            document_id=known.id,
            jurisdiction=place.name if place else "",
            title=plan.title,
        )

    place = get_or_create_jurisdiction(session=session, name=jurisdiction_name)
    assert place.id is not None
    plan = find_plan(session=session, jurisdiction_id=place.id, document=document)
    status = "revised" if plan is not None else "new"
    if plan is None:
        plan = Plan(
            jurisdiction_id=place.id,
            title=document.title or document.source,
            title_key=plan_key(document),
            identity_key=document_plan_identity(document),
            kind=document.kind,
            period_start=document.period[0] if document.period else None,
            period_end=document.period[1] if document.period else None,
            year=document.year,
            created_at=now,
        )
        session.add(plan)
        session.flush()
    assert plan.id is not None
    for previous in session.exec(
        select(Document).where(Document.plan_id == plan.id, Document.superseded_at.is_(None))  # type: ignore[union-attr]
    ).all():
        previous.superseded_at = now
        session.add(previous)

    stored = Document(
        plan_id=plan.id,
        source=document.source,
        sha256=document.sha256,
        format=document.format,
        title=document.title,
        kind=document.kind,
        text=document.text,
        ingested_at=now,
    )
    session.add(stored)
    session.flush()
    assert stored.id is not None
    section_ids = _store_sections(session=session, document_id=stored.id, document=document)

    report = IngestReport(
        source=document.source,
        status=status,
        plan_id=plan.id,
        document_id=stored.id,
        jurisdiction=place.name,
        title=plan.title,
    )
    departments: dict[str, Department] = {}
    drafts = _drafts(document.records)
    for draft in drafts:
        for name in draft.roles:
            if name not in departments:
                departments[name] = get_or_create_department(
                    session=session,
                    jurisdiction=place,
                    name=name,
                    kind=draft.unit_kinds.get(name),
                    aliases=aliases,
                )

    old_tasks = list(session.exec(select(Task).where(Task.plan_id == plan.id)).all())
    old_ids = [task.id for task in old_tasks if task.id is not None]
    # Read and written in batches, not a statement or two per task: on PostgreSQL each statement is a round
    # trip, and a plan of a thousand tasks took seconds (8.8 statements per task before).
    old_assignments = _assignments_of(session=session, task_ids=old_ids)
    created: list[tuple[Task, dict[int | None, str]]] = []
    pinned = pinned_fields(session=session, task_ids=old_ids)
    matches = _match(old_tasks, drafts, extracted_actions(session=session, task_ids=old_ids))
    matched_old_ids = {task.id for task in matches.values()}
    for draft in drafts:
        task = matches.get(id(draft))
        fields = _task_fields(draft, document_id=stored.id, section_ids=section_ids)
        wanted_roles = {departments[name].id: role for name, role in draft.roles.items()}
        if task is None:
            task = Task(
                plan_id=plan.id,
                created_at=now,
                updated_at=now,
                awaiting_review=not confirm,
                confidence=_confidence(draft.record, document),
                **fields,
            )
            session.add(task)
            created.append((task, wanted_roles))  # flushed together after the loop, then given their units
            report.added.append(draft.record.task)
            report.awaiting_review += int(not confirm)
            if not wanted_roles:
                report.unassigned.append(draft.record.task)
            if task.confidence is not None and task.confidence < LOW_CONFIDENCE:
                report.low_confidence.append(draft.record.task)
            continue
        kept_by_hand = pinned.get(task.id or 0, set())
        changes = _apply(task, fields, now=now, session=session, pinned=kept_by_hand)
        # units a person set are kept whole: the document's units would undo the correction
        units_pinned = bool(kept_by_hand & set(UNIT_FIELDS))
        current = old_assignments.get(task.id or 0, {})
        if not units_pinned and _sync_assignments(
            session=session, task=task, wanted=wanted_roles, current=current
        ):
            changes.append("单位 / units")
        if changes:
            report.changed.append(task.action)
            report.changes[task.action] = changes
        else:
            report.kept += 1

    session.flush()  # the new tasks: one INSERT … RETURNING per thousand
    session.add_all(
        Assignment(task_id=task.id, department_id=department_id, role=role)
        for task, units in created
        for department_id, role in units.items()
    )
    for task in old_tasks:
        hand_made = "created" in pinned.get(task.id or 0, set())
        if task.id not in matched_old_ids and task.status != "archived" and not hand_made:
            task.status = "archived"
            task.archived_at = now
            task.updated_at = now
            session.add(task)
            report.archived.append(task.action)

    report.review_events_created = sync_review_events(
        session=session, plan=plan, conventions=conventions, records=document.records
    )
    indicators = store_indicators(
        session=session,
        plan=plan,
        jurisdiction=place,
        records=document.indicators,
        aliases=aliases,
        now=now,
        revision=status == "revised",
    )
    report.indicators_added, report.indicators_changed = indicators.added, indicators.changed
    report.indicators_archived = indicators.archived
    for draft in drafts:
        for name, role in draft.roles.items():
            counts = report.departments.setdefault(departments[name].name, {"lead": 0, "co": 0})
            counts[role] = counts.get(role, 0) + 1
    session.flush()
    return report


def _store_sections(*, session: Session, document_id: int, document: ExtractedDocument) -> dict[str, int]:
    rows = [
        Section(
            document_id=document_id,
            path=section.title,
            start_offset=section.start,
            end_offset=section.end,
            is_mechanism=section.is_mechanism,
        )
        for section in document.sections
    ]
    session.add_all(rows)
    session.flush()  # one batched INSERT … RETURNING, not one per section
    ids: dict[str, int] = {}
    for row in rows:
        assert row.id is not None
        ids.setdefault(row.path, row.id)
    return ids


def _task_fields(draft: _Draft, *, document_id: int, section_ids: dict[str, int]) -> dict[str, object]:
    record = draft.record
    return {
        "document_id": document_id,
        "section_id": section_ids.get(record.section),
        "section": record.section,
        "action": record.task,
        "evidence": record.evidence,
        "evidence_key": evidence_key(record.evidence),
        "search_grams": search_grams(record.task, record.evidence),
        "start_offset": record.span[0],
        "end_offset": record.span[1],
        "due_on": record.due,
        "recurrence": record.recurrence,
        "starts_on": record.starts,
        "kind": record.kind,
        "review_kind": record.review,
    }


# what a reader of the ledger would call a change, and its name; offsets and ids move with every revision
_MEANINGFUL = {
    "action": "任务",
    "evidence": "原文",
    "due_on": "完成时限",
    "recurrence": "周期",
    "starts_on": "起始",
    "kind": "类型",
    "review_kind": "评估类型",
}


def _apply(
    task: Task, fields: dict[str, object], *, now: datetime, session: Session, pinned: set[str] = frozenset()
) -> list[str]:
    """Update a matched task from the document, except the fields a person edited; returns what changed."""
    fields = {name: value for name, value in fields.items() if name not in pinned}
    if "action" in pinned:
        fields["search_grams"] = search_grams(task.action, str(fields["evidence"]))
    changes = [
        f"{label}：{_shown(getattr(task, name))} → {_shown(fields[name])}"
        for name, label in _MEANINGFUL.items()
        if name in fields and getattr(task, name) != fields[name]
    ]
    for name, value in fields.items():
        setattr(task, name, value)
    if task.status == "archived" and "status" not in pinned:
        # back in a later revision: resume from the last reported status, not from "archived"
        last = session.exec(
            select(ProgressUpdate)
            .where(ProgressUpdate.task_id == task.id)
            .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())  # type: ignore[union-attr]
        ).first()
        task.status = last.status if last is not None and last.status != "archived" else "open"
        task.archived_at = None
        changes.append("恢复 / restored")
    if changes:
        task.updated_at = now
    session.add(task)
    return changes


def _confidence(record: TaskRecord, document: ExtractedDocument) -> float | None:
    """The extraction's confidence (records may not carry one); text read by OCR is never sure."""
    confidence = getattr(record, "confidence", None)
    if document.format == OCR_FORMAT:
        return min(confidence if confidence is not None else 1.0, OCR_CONFIDENCE)
    return confidence


def _shown(value: object) -> str:
    if value is None or value == "":
        return "—"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _assignments_of(*, session: Session, task_ids: list[int]) -> dict[int, dict[int, Assignment]]:
    """task id -> department id -> its assignment, for all `task_ids` in a few queries."""
    found: dict[int, dict[int, Assignment]] = defaultdict(dict)
    for start in range(0, len(task_ids), ID_BATCH):
        chunk = task_ids[start : start + ID_BATCH]
        for assignment in session.exec(select(Assignment).where(col(Assignment.task_id).in_(chunk))).all():
            found[assignment.task_id][assignment.department_id] = assignment
    return found


ID_BATCH = 5_000  # SQLite takes at most 32,766 parameters in one statement


def _sync_assignments(
    *, session: Session, task: Task, wanted: dict[int | None, str], current: dict[int, Assignment]
) -> bool:
    """Make the task's units `wanted` (department id -> role), given its `current` assignments."""
    changed = False
    for department_id, assignment in current.items():
        if department_id not in wanted:
            session.delete(assignment)
            changed = True
        elif assignment.role != wanted[department_id]:
            assignment.role = wanted[department_id]
            session.add(assignment)
            changed = True
    for department_id, role in wanted.items():
        if department_id not in current:
            assert task.id is not None and department_id is not None
            session.add(Assignment(task_id=task.id, department_id=department_id, role=role))
            changed = True
    return changed


def _match(
    old_tasks: list[Task], drafts: list[_Draft], extracted: dict[int, str] | None = None
) -> dict[int, Task]:
    """Pair new drafts with old tasks: the same evidence and action first, then the most similar evidence.

    A task whose action a person rewrote is compared by the action it was extracted with (`extracted`).
    """
    extracted = extracted or {}
    pool: dict[tuple[str, str], list[Task]] = defaultdict(list)
    # live tasks before archived ones, so a task that came back does not steal a live task's match
    for task in sorted(old_tasks, key=lambda t: (t.status == "archived", t.id or 0)):
        action = extracted.get(task.id or 0, task.action)
        pool[(task.evidence_key, evidence_key(action))].append(task)
    matches: dict[int, Task] = {}
    unmatched: list[_Draft] = []
    for draft in drafts:
        candidates = pool.get(draft.key)
        if candidates:
            matches[id(draft)] = candidates.pop(0)
        else:
            unmatched.append(draft)
    remaining = [task for tasks in pool.values() for task in tasks]
    if not unmatched or not remaining:
        return matches
    by_section = len(unmatched) * len(remaining) > _FUZZY_PAIR_LIMIT
    taken: set[int | None] = set()
    for draft in unmatched:
        wanted = "".join(draft.key)
        best: tuple[float, Task | None] = (FUZZY_MATCH_RATIO, None)
        for task in remaining:
            if task.id in taken or (by_section and task.section != draft.record.section):
                continue
            action = extracted.get(task.id or 0, task.action)
            matcher = difflib.SequenceMatcher(None, wanted, task.evidence_key + evidence_key(action))
            if matcher.real_quick_ratio() < best[0] or matcher.quick_ratio() < best[0]:
                continue
            ratio = matcher.ratio()
            if ratio >= best[0]:
                best = (ratio, task)
        if best[1] is not None:
            matches[id(draft)] = best[1]
            taken.add(best[1].id)
    return matches
