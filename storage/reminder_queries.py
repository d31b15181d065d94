"""Reminders in the database: the deliveries table's life cycle (the snapshot is storage.reminder_snapshot).

A delivery moves pending -> sending -> sent, or to failed; a transient error puts it back to pending with a
later `next_attempt_at`. While a delivery is `sending`, `next_attempt_at` is its lease: a row still `sending`
after its lease ran out belongs to a process that died mid-send, and is recovered (checked against the
channel's history before any resend). Every function here commits its own work: storage is the only layer
that commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import ChannelBinding, Delivery
from storage.reminder_rows import Reminder
from storage.reminder_snapshot import binding_target

INSERT_CHUNK = 500


# -- inserting deliveries -------------------------------------------------------------------------------------


def fire_at(fire_on: date, reminder_time: str, timezone: str) -> datetime:
    """09:00 Asia/Shanghai on the working day, as an aware UTC-comparable datetime."""
    hours, minutes = (int(part) for part in reminder_time.split(":"))
    return datetime.combine(fire_on, time(hours, minutes), ZoneInfo(timezone))


def insert_deliveries(
    *,
    session: Session,
    reminders: Sequence[Reminder],
    now: datetime,
    reminder_time: str = "09:00",
    timezone: str = "Asia/Shanghai",
    not_before: datetime | None = None,
) -> int:
    """Store one pending delivery per reminder whose key is new; returns how many were new.

    ON CONFLICT DO NOTHING on the unique key: a second sweep, or a second process sweeping at the same moment,
    inserts nothing, and no error aborts the batch. A delivery waits until `reminder_time` of its working
    day (or `not_before`); one whose day has passed is due at once: the catch-up.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = 0
    for start in range(0, len(reminders), INSERT_CHUNK):
        chunk = reminders[start : start + INSERT_CHUNK]
        values = [
            {
                "rule": reminder.rule,
                "subject_key": reminder.subject_key,
                "task_id": reminder.task_id,
                "review_event_id": reminder.review_event_id,
                "occurrence_on": reminder.occurrence_on,
                "target": reminder.target,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": not_before or fire_at(reminder.fire_on, reminder_time, timezone),
                "created_at": now,
                "payload": json.dumps(
                    {
                        "kind": reminder.kind,
                        "fire_on": reminder.fire_on.isoformat(),
                        "jurisdiction": reminder.jurisdiction,
                        "department": reminder.department,
                        "text": reminder.text,
                    },
                    ensure_ascii=False,
                ),
            }
            for reminder in chunk
        ]
        statement = (
            insert(Delivery)
            .values(values)
            .on_conflict_do_nothing(index_elements=["rule", "subject_key", "occurrence_on", "target"])
        )
        # RETURNING counts what was new on both databases (psycopg reports no rowcount for this statement)
        inserted += len(session.execute(statement.returning(Delivery.id)).all())
    session.commit()
    return inserted


def stored_keys(*, session: Session, since: date) -> set[tuple[str, str, date, str]]:
    """Keys of deliveries whose occurrence is on or after `since`: a sweep skips these before inserting, so a
    ledger of 100,000 overdue tasks does not re-offer 100,000 rows to the database every day."""
    rows = session.execute(
        select(Delivery.rule, Delivery.subject_key, Delivery.occurrence_on, Delivery.target).where(
            Delivery.occurrence_on >= since
        )
    ).all()
    return {tuple(row) for row in rows}


# -- claiming and recording -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    id: int
    key: str  # rule|subject|occurrence|target: what goes into the Slack message metadata
    target: str
    text: str
    kind: str
    attempts: int


def delivery_key(rule: str, subject_key: str, occurrence_on: date, target: str) -> str:
    return f"{rule}|{subject_key}|{occurrence_on.isoformat()}|{target}"


def _claim(
    session: Session, *, status: str, now: datetime, lease: timedelta, limit: int
) -> list[ClaimedDelivery]:
    """Atomically take up to `limit` rows of `status` whose time has come, and lease them as `sending`.

    On PostgreSQL the inner SELECT skips rows another process has locked (FOR UPDATE SKIP LOCKED), so two
    dispatchers never take the same row. SQLite has a single writer: the UPDATE itself is the claim.
    """
    # round-robin over targets: the first message of every channel before the second of any, so a partial
    # claim keeps as many channels busy as it can, each at its own rate limit
    turn = (
        func.row_number()
        .over(partition_by=Delivery.target, order_by=(Delivery.next_attempt_at, Delivery.id))
        .label("turn")
    )
    ranked = (
        select(Delivery.id, turn).where(Delivery.status == status, Delivery.next_attempt_at <= now).subquery()
    )
    picked = select(ranked.c.id).order_by(ranked.c.turn, ranked.c.id).limit(limit)
    due = select(Delivery.id).where(Delivery.id.in_(picked), Delivery.status == status)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # a CTE, not `id IN (subquery)`: PostgreSQL may re-run an IN subquery for the UPDATE, and with SKIP LOCKED
    # each re-run skips the rows just locked and returns new ones, so LIMIT stopped limiting
    due_rows = due.cte("due_rows")
    statement = (
        update(Delivery)
        .where(Delivery.id == due_rows.c.id, Delivery.status == status)
        .values(status="sending", attempts=Delivery.attempts + 1, next_attempt_at=now + lease)
        .returning(
            Delivery.id,
            Delivery.rule,
            Delivery.subject_key,
            Delivery.occurrence_on,
            Delivery.target,
            Delivery.payload,
            Delivery.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    rows = session.execute(statement).all()
    session.commit()
    claimed = []
    for row in sorted(rows, key=lambda row: row.id):
        payload = json.loads(row.payload or "{}")
        claimed.append(
            ClaimedDelivery(
                id=row.id,
                key=delivery_key(row.rule, row.subject_key, row.occurrence_on, row.target),
                target=row.target,
                text=payload.get("text", ""),
                kind=payload.get("kind", ""),
                attempts=row.attempts,
            )
        )
    return claimed


def claim_pending(
    *, session: Session, now: datetime, lease: timedelta = timedelta(minutes=10), limit: int = 1000
) -> list[ClaimedDelivery]:
    return _claim(session, status="pending", now=now, lease=lease, limit=limit)


def claim_abandoned(
    *, session: Session, now: datetime, lease: timedelta = timedelta(minutes=10), limit: int = 1000
) -> list[ClaimedDelivery]:
    """Rows left `sending` by a process that died: their lease ran out. The caller checks before resending."""
    return _claim(session, status="sending", now=now, lease=lease, limit=limit)


def release_abandoned_now(*, session: Session, now: datetime) -> int:
    """End every lease at once: for a single-process database (SQLite) at start-up, where no one else sends."""
    result = session.execute(update(Delivery).where(Delivery.status == "sending").values(next_attempt_at=now))
    session.commit()
    return result.rowcount or 0


def extend_leases(*, session: Session, delivery_ids: Sequence[int], until: datetime) -> None:
    """A dispatcher still holding claimed rows renews their lease, so that no one takes them for abandoned."""
    for start in range(0, len(delivery_ids), INSERT_CHUNK):
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(delivery_ids[start : start + INSERT_CHUNK]), Delivery.status == "sending")
            .values(next_attempt_at=until)
        )
    session.commit()


def mark_sent(*, session: Session, sent: Sequence[tuple[int, str | None]], now: datetime) -> None:
    """Record a batch of (delivery id, message ts) as sent, in one transaction."""
    if not sent:
        return
    table = Delivery.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("delivery_id"))
        .values(status="sent", sent_at=now, message_ts=bindparam("ts"), next_attempt_at=None, last_error=None)
    )
    session.execute(statement, [{"delivery_id": delivery_id, "ts": ts} for delivery_id, ts in sent])
    session.commit()


def mark_retry(*, session: Session, delivery_id: int, error: str, retry_at: datetime) -> None:
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(status="pending", next_attempt_at=retry_at, last_error=error[:2000])
    )
    session.commit()


def mark_failed(*, session: Session, delivery_id: int, error: str) -> None:
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(status="failed", next_attempt_at=None, last_error=error[:2000])
    )
    session.commit()


def mark_uncertain(*, session: Session, delivery_id: int, error: str) -> None:
    """The send's outcome is unknown and cannot be checked: kept, never resent blindly, reported."""
    session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id)
        .values(status="uncertain", next_attempt_at=None, last_error=error[:2000])
    )
    session.commit()


@dataclass(frozen=True, slots=True)
class DeliveryProblem:
    """A delivery someone should look at (`planbot remind --status`)."""

    state: str  # "uncertain", "failed", "deferred" (pending after an error) or "stuck" (sending, lease over)
    id: int
    target: str
    key: str
    attempts: int
    error: str
    first_line: str


def delivery_problems(*, session: Session, now: datetime, limit: int = 500) -> list[DeliveryProblem]:
    """Uncertain, failed, deferred and stuck deliveries, the most urgent kinds first."""
    rows = session.execute(
        select(Delivery)
        .where(
            (Delivery.status.in_(("uncertain", "failed")))
            | ((Delivery.status == "pending") & Delivery.last_error.is_not(None))
            | ((Delivery.status == "sending") & (Delivery.next_attempt_at < now))
        )
        .order_by(Delivery.id)
        .limit(limit)
    ).scalars()
    order = {"uncertain": 0, "stuck": 1, "failed": 2, "deferred": 3}
    problems = []
    for row in rows:
        state = {"pending": "deferred", "sending": "stuck"}.get(row.status, row.status)
        text = json.loads(row.payload or "{}").get("text", "")
        problems.append(
            DeliveryProblem(
                state,
                row.id,
                row.target,
                delivery_key(row.rule, row.subject_key, row.occurrence_on, row.target),
                row.attempts,
                row.last_error or "",
                text.splitlines()[0] if text else "",
            )
        )
    return sorted(problems, key=lambda problem: (order.get(problem.state, 9), problem.id))


def delivery_counts(*, session: Session) -> dict[str, int]:
    rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
    return {status: count for status, count in rows}


def robot_webhooks(*, session: Session) -> dict[str, str]:
    """Robot targets ("dingtalk:4") and their webhook URLs, from the channel bindings."""
    return {
        binding_target(binding): binding.webhook_url
        for binding in session.execute(
            select(ChannelBinding).where(ChannelBinding.platform.in_(("dingtalk", "feishu", "wecom")))
        ).scalars()
        if binding.webhook_url
    }


def insert_failure_notices(
    *,
    session: Session,
    delivery_id: int,
    failed_target: str,
    error: str,
    reminder_text: str,
    targets: Sequence[str],
    now: datetime,
    timezone: str = "Asia/Shanghai",
    uncertain: bool = False,
) -> int:
    """Tell the coordinators, once each, that a delivery failed for good (or, `uncertain`, may not have
    arrived and cannot be checked) and what to do about it."""
    first_line = reminder_text.splitlines()[0] if reminder_text else ""
    if uncertain:
        text = (
            f"【提醒可能未送达】发往 {failed_target} 的提醒发送结果不明（{error}），planbot 又读不到该频道的消息记录，"
            f"无法核实：{first_line[:80]}\n请到该频道看看是否收到；没有收到的话，把 planbot 邀请进该频道"
            f"（`/invite @planbot`）并转告该部门。`planbot remind --status` 列出所有此类提醒。\n"
            f"A reminder to {failed_target} may not have arrived ({error}) and its channel's history cannot be "
            f"read to check. Look in the channel; if it is missing, invite the bot and pass it on. "
            f"`planbot remind --status` lists such reminders."
        )
    else:
        text = (
            f"【提醒发送失败】发往 {failed_target} 的提醒未能送达（{error}）：{first_line[:80]}\n"
            f"请检查该部门的频道绑定（`/plan 绑定 部门 #频道`），或把 planbot 邀请进该频道。\n"
            f"A reminder to {failed_target} could not be delivered ({error}). Check the department's channel "
            f"binding (`/plan bind`) or invite the bot to the channel."
        )
    today = now.astimezone(ZoneInfo(timezone)).date()
    notices = [
        Reminder(
            rule="delivery-uncertain" if uncertain else "delivery-failed",
            kind="delivery_uncertain" if uncertain else "delivery_failed",
            subject_key=f"delivery:{delivery_id}",
            occurrence_on=today,
            fire_on=today,
            target=target,
            text=text,
        )
        for target in targets
        if target != failed_target
    ]
    return insert_deliveries(session=session, reminders=notices, now=now, not_before=now)
