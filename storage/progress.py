"""Progress reports on tasks, with optimistic versioning so that two people never overwrite each other.

Task.version is SQLAlchemy's version counter: the UPDATE carries `WHERE version = <the version read>`, and a
write based on a stale read matches no row. A caller that shows a task and then reports on it passes the
version it showed (`expected_version`) and gets ProgressConflict if someone else wrote in between; a caller
without one is retried once on a fresh read, because it claimed to have seen nothing. Every report is also
kept in ProgressUpdate, so the history holds both writers' reports in any case.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from storage.models import Plan, ProgressUpdate, Task, TaskInstance
from storage.task_periods import current_instance, plan_span

REPORTABLE_STATUSES = ("open", "in_progress", "done")
# which day a report is made on decides which period of a recurring duty it is about: the planning office's day
REPORTING_TIMEZONE = "Asia/Shanghai"


class TaskNotFound(LookupError):
    def __init__(self, task_id: int) -> None:
        self.task_id = task_id
        self.zh = f"没有编号为 {task_id} 的任务。请用 `planbot tasks` 查看任务编号。"
        self.en = f"There is no task #{task_id}. List task ids with `planbot tasks`."
        super().__init__(f"{self.zh} / {self.en}")


class ProgressConflict(RuntimeError):
    """Someone else reported on the task after the caller read it; nothing was written."""

    def __init__(self, task_id: int, expected_version: int | None, current_version: int | None) -> None:
        self.task_id = task_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.zh = (
            f"任务 #{task_id} 刚被他人更新（当前版本 {current_version}）。请刷新后查看最新进展，再提交一次。"
        )
        self.en = (
            f"Task #{task_id} was just updated by someone else (now version {current_version}). "
            "Reload it, read the latest progress and submit again."
        )
        super().__init__(f"{self.zh} / {self.en}")


class InvalidProgress(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


def _resolve(status: str | None, percent: int | None, task: Task | TaskInstance) -> tuple[str, int]:
    if status is not None and status not in REPORTABLE_STATUSES:
        raise InvalidProgress(
            f"状态只能是 {', '.join(REPORTABLE_STATUSES)}，收到 {status!r}。",
            f"Status must be one of {', '.join(REPORTABLE_STATUSES)}, not {status!r}.",
        )
    if percent is not None and not 0 <= percent <= 100:
        raise InvalidProgress("完成百分比应在 0 到 100 之间。", "Percent must be between 0 and 100.")
    if status is None:
        if percent == 100:
            status = "done"
        elif percent is not None and percent > 0:
            status = "in_progress"
        else:
            status = task.status if task.status != "archived" else "open"
    if percent is None:
        percent = 100 if status == "done" else task.percent
    return status, percent


def record_progress(
    *,
    session: Session,
    task_id: int,
    author: str,
    status: str | None = None,
    percent: int | None = None,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ProgressUpdate:
    """Report progress on a task: update its status and percent and append to its history. Commits."""
    now = now or datetime.now(UTC)
    attempts = 1 if expected_version is not None else 2
    for attempt in range(attempts):
        task = session.get(Task, task_id, populate_existing=attempt > 0)
        if task is None:
            raise TaskNotFound(task_id)
        if expected_version is not None and task.version != expected_version:
            raise ProgressConflict(task_id, expected_version, task.version)
        if task.status == "archived":
            raise InvalidProgress(
                f"任务 #{task_id} 已在新版文件中删除（已归档），不能再填报进展。",
                f"Task #{task_id} was removed by a newer version of its document (archived); it takes no progress.",
            )
        instance = _current_instance(session, task, now) if task.recurrence else None
        new_status, new_percent = _resolve(status, percent, instance or task)
        if instance is None:
            task.status = new_status
            task.percent = new_percent
        else:
            # a recurring duty stays open: the report closes (or advances) this period's instance only
            instance.status, instance.percent, instance.updated_at = new_status, new_percent, now
            session.add(instance)
        task.updated_at = now
        update = ProgressUpdate(
            task_id=task_id,
            author=author,
            created_at=now,
            status=new_status,
            percent=new_percent,
            note=note,
            period=instance.period if instance else None,
        )
        session.add(task)
        session.add(update)
        try:
            session.commit()
            return update
        except StaleDataError:
            session.rollback()
            if attempt + 1 == attempts:
                fresh = session.get(Task, task_id, populate_existing=True)
                raise ProgressConflict(task_id, expected_version, fresh.version if fresh else None) from None
    raise AssertionError("unreachable")


def _current_instance(session: Session, task: Task, now: datetime) -> TaskInstance:
    """The instance of a recurring duty a report made at `now` is about (storage.task_periods.current_instance),
    as a row to update: the stored one, or a new one."""
    assert task.id is not None and task.recurrence is not None
    stored = {
        row.period: row
        for row in session.exec(select(TaskInstance).where(TaskInstance.task_id == task.id)).all()
    }
    plan = session.get(Plan, task.plan_id)
    first_day, last_day = plan_span(plan.period_start, plan.period_end, plan.year) if plan else (None, None)
    today: date = now.astimezone(ZoneInfo(REPORTING_TIMEZONE)).date()
    instance = current_instance(
        recurrence=task.recurrence,
        due_on=task.due_on,
        today=today,
        done_periods=frozenset(period for period, row in stored.items() if row.status == "done"),
        starts_on=task.starts_on,
        first_day=first_day or task.created_at.date(),
        last_day=last_day,
    )
    if instance is None:
        raise InvalidProgress(
            f"任务 #{task.id} 的各期都已完成，没有待报告的一期。",
            f"Every period of task #{task.id} is done already; there is no period left to report on.",
        )
    return stored.get(instance.period) or TaskInstance(
        task_id=task.id,
        period=instance.period,
        due_on=instance.due_on,
        status="open",
        percent=0,
        updated_at=now,
    )


def progress_history(*, session: Session, task_id: int) -> list[ProgressUpdate]:
    return list(
        session.exec(
            select(ProgressUpdate)
            .where(ProgressUpdate.task_id == task_id)
            .order_by(ProgressUpdate.created_at, ProgressUpdate.id)  # type: ignore[arg-type]
        ).all()
    )


def progress_histories(*, session: Session, task_ids: list[int]) -> dict[int, list[ProgressUpdate]]:
    """progress_history of many tasks at once (the review pack lists every task of a plan)."""
    found: dict[int, list[ProgressUpdate]] = {task_id: [] for task_id in task_ids}
    for start in range(0, len(task_ids), 5_000):  # SQLite takes at most 32,766 parameters in one statement
        for update in session.exec(
            select(ProgressUpdate)
            .where(col(ProgressUpdate.task_id).in_(task_ids[start : start + 5_000]))
            .order_by(ProgressUpdate.created_at, ProgressUpdate.id)  # type: ignore[arg-type]
        ).all():
            found[update.task_id].append(update)
    return found
