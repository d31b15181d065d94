"""Scheduling the reminders: three sweep jobs, and on PostgreSQL a leader that alone runs them.

The scheduler holds no truth (see ../shared/STYLE.md). Its jobs only say "look now": the daily sweep and the
digest job compute from the ledger what is due and insert deliveries (a unique key each), and the dispatcher
sends whatever is pending. Jobs live in APScheduler's SQLAlchemyJobStore in the ledger's own database, with
stable ids, replace_existing, coalesce, no misfire grace and one instance at a time, and each runs once when
the scheduler starts: after downtime the sweep catches up on what was missed, once.

Job functions are looked up by name when a stored job runs, so they are module-level functions that find the
process's `Deps` in `_RUNTIMES` by the scheduler's name instead of carrying unpicklable arguments.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.deps import Deps
from bot.notifiers.dispatch import Dispatcher, DispatchOptions, DispatchReport
from bot.notifiers.setup import robot_fallback_targets
from handlers.reminders import KINDS, ReminderConventions, reminders_due
from handlers.working_days import WorkingCalendar, active_calendar, calendar_warning, use_calendar
from storage import event_receipts, reminder_queries, reminder_snapshot
from storage.holiday_table import load_holiday_table

log = logging.getLogger(__name__)

SWEEP_JOB = "planbot-reminder-sweep"
DIGEST_JOB = "planbot-weekly-digest"
DISPATCH_JOB = "planbot-dispatch"
REMINDER_KINDS = tuple(kind for kind in KINDS if kind != "digest")
LEADER_LOCK_KEY = 0x706C616E626F74  # "planbot": one advisory lock per database
JOB_TABLE = "apscheduler_jobs"
CATCH_UP_DAYS = 60
# how far ahead the holiday warning looks: a deadline reminder goes out up to 30 days early, a review one 60
HOLIDAY_LOOKAHEAD_DAYS = 400

_RUNTIMES: dict[str, Deps] = {}


# -- what the jobs do (also what `planbot remind --now` runs) ------------------------------------------------


def install_holiday_calendar(holiday_file: str | None) -> WorkingCalendar:
    """The shipped holiday table with PLANBOT_HOLIDAY_FILE's years over it, for the rules to follow."""
    calendar = WorkingCalendar(load_holiday_table(holiday_file))
    use_calendar(calendar)
    return calendar


def holiday_warning(start: date, end: date | None = None) -> str | None:
    """The warning naming each year from `start` on (a year ahead by default) whose days are estimated."""
    end = end or start + timedelta(days=HOLIDAY_LOOKAHEAD_DAYS)
    return calendar_warning(active_calendar().estimated_years(start, end))


def local_today(deps: Deps) -> date:
    return deps.clock().astimezone(ZoneInfo(deps.settings.timezone)).date()


def coordinator_ids(deps: Deps) -> frozenset[str]:
    """The settings' coordinators and, when a Slack client is at hand, the members of their user group."""
    settings = deps.settings
    ids = set(settings.coordinator_ids)
    if settings.coordinator_usergroup and deps.slack_client is not None:
        try:
            ids.update(
                deps.slack_client.usergroups_users_list(usergroup=settings.coordinator_usergroup)["users"]
            )
        except Exception as error:  # reminders still reach the coordinators known otherwise
            log.warning("could not read the coordinators' user group: %s", error)
    return frozenset(ids)


def sweep(deps: Deps, *, kinds: tuple[str, ...] = KINDS, today: date | None = None) -> int:
    """Insert a delivery for every reminder due today that is not stored yet; returns how many were new."""
    settings = deps.settings
    today = today or local_today(deps)
    with deps.session_factory() as session:
        snapshot = reminder_snapshot.load_snapshot(
            session=session,
            defaults=ReminderConventions.from_settings(settings),
            coordinator_user_ids=coordinator_ids(deps),
            fallback_targets=robot_fallback_targets(settings),
        )
        due = reminders_due(snapshot, today, kinds=kinds)
        # every key a sweep can produce has its occurrence within the last weeks (the latest weekly overdue or
        # digest, a deadline or review still ahead); the unique key still guards against a race
        stored = reminder_queries.stored_keys(session=session, since=today - timedelta(days=CATCH_UP_DAYS))
        new = [reminder for reminder in due if reminder.key not in stored]
        inserted = 0
        # digests wait for the digest time of their day, every other reminder for the reminder time
        for is_digest, send_time in ((False, settings.reminder_time), (True, settings.digest_time)):
            inserted += reminder_queries.insert_deliveries(
                session=session,
                reminders=[reminder for reminder in new if (reminder.kind == "digest") == is_digest],
                now=deps.clock(),
                reminder_time=send_time,
                timezone=settings.timezone,
            )
    log.info("reminder sweep %s (%s): %d due, %d new", today, ",".join(kinds), len(due), inserted)
    return inserted


def dispatch(deps: Deps, *, options: DispatchOptions | None = None) -> DispatchReport:
    """Send what is pending through `deps.notifier`."""
    if deps.notifier is None:
        raise RuntimeError("dispatch needs a notifier in Deps")
    options = options or DispatchOptions()
    with deps.session_factory() as session:
        if not options.coordinator_targets:
            options.coordinator_targets = reminder_snapshot.coordinator_targets(
                session=session, coordinator_user_ids=coordinator_ids(deps)
            )
        if hasattr(deps.notifier, "use_webhooks"):
            deps.notifier.use_webhooks(reminder_queries.robot_webhooks(session=session))
    dispatcher = Dispatcher(
        session_factory=deps.session_factory, notifier=deps.notifier, clock=deps.clock, options=options
    )
    report = dispatcher.run_once()
    if report.sent or report.failed or report.recovered or report.deferred:
        log.info(
            "dispatch: %d sent, %d recovered, %d failed, %d deferred, %d rate-limited",
            report.sent,
            report.recovered,
            report.failed,
            report.deferred,
            report.rate_limited,
        )
    return report


class StartupSweeps:
    """The sweeps a scheduler runs when it starts; its first dispatch waits for them, so that it sends the
    catch-up they insert at once instead of a minute later (and sends nothing twice: the unique key)."""

    def __init__(self) -> None:
        self.swept = threading.Event()
        self.digested = threading.Event()

    def wait(self, timeout: float) -> bool:
        return self.swept.wait(timeout) and self.digested.wait(timeout)


_STARTUP: dict[str, StartupSweeps] = {}
STARTUP_WAIT_SECONDS = 300.0  # a sweep that takes longer than this does not hold the dispatcher up forever


def sweep_job(runtime: str) -> None:
    deps = _RUNTIMES[runtime]
    try:
        sweep(deps, kinds=REMINDER_KINDS)
        # the daily sweep also clears the Slack event receipts that no retry can need any more
        with deps.session_factory() as session:
            event_receipts.forget_old_receipts(session=session, now=deps.clock())
    finally:
        _STARTUP.setdefault(runtime, StartupSweeps()).swept.set()


def digest_job(runtime: str) -> None:
    # runs every day at digest time: the digest's Monday moves to the next working day after a holiday, and
    # the rules know which day that is; on the other days nothing new is due
    try:
        sweep(_RUNTIMES[runtime], kinds=("digest",))
    finally:
        _STARTUP.setdefault(runtime, StartupSweeps()).digested.set()


def dispatch_job(runtime: str) -> None:
    startup = _STARTUP.get(runtime)
    if startup is not None and not startup.wait(STARTUP_WAIT_SECONDS):
        log.warning("the start-up sweeps are still running; dispatching what is already due")
    dispatch(_RUNTIMES[runtime])


# -- the scheduler --------------------------------------------------------------------------------------------


def _hour_minute(text_time: str) -> tuple[int, int]:
    hours, minutes = (int(part) for part in text_time.split(":"))
    return hours, minutes


def build_scheduler(deps: Deps, engine: Engine, *, runtime: str = "default") -> BackgroundScheduler:
    """A BackgroundScheduler (not started) with the three jobs in the database's job store."""
    settings = deps.settings
    zone = ZoneInfo(settings.timezone)
    _RUNTIMES[runtime] = deps
    _STARTUP[runtime] = StartupSweeps()
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
        timezone=zone,
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
    )
    sweep_hour, sweep_minute = _hour_minute(settings.reminder_time)
    digest_hour, digest_minute = _hour_minute(settings.digest_time)
    # replace_existing recomputes a stored job's next run from now, which would drop a run missed while the
    # process was down; each job therefore also runs once at start (idempotent: the sweep computes what is
    # due from the ledger, and a delivery waits for reminder_time of its day anyway)
    common = {
        "replace_existing": True,
        "coalesce": True,
        "misfire_grace_time": None,
        "max_instances": 1,
        "next_run_time": datetime.now(zone),
    }
    scheduler.add_job(
        f"{__name__}:sweep_job",
        CronTrigger(hour=sweep_hour, minute=sweep_minute, timezone=zone),
        id=SWEEP_JOB,
        name="daily reminder sweep",
        kwargs={"runtime": runtime},
        **common,
    )
    scheduler.add_job(
        f"{__name__}:digest_job",
        CronTrigger(hour=digest_hour, minute=digest_minute, timezone=zone),
        id=DIGEST_JOB,
        name="weekly digests",
        kwargs={"runtime": runtime},
        **common,
    )
    scheduler.add_job(
        f"{__name__}:dispatch_job",
        IntervalTrigger(minutes=1, timezone=zone),
        id=DISPATCH_JOB,
        name="dispatcher",
        kwargs={"runtime": runtime},
        **common,
    )
    return scheduler


def forget_runtime(runtime: str = "default") -> None:
    _RUNTIMES.pop(runtime, None)
    _STARTUP.pop(runtime, None)


# -- one leader per database ------------------------------------------------------------------------


class SqliteLock:
    """SQLite's stand-in for the advisory lock: an exclusive flock on a file beside the database, which the
    kernel releases when the process dies. An in-memory database needs none."""

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database or ""
        self.path = None if database in ("", ":memory:") else Path(database + ".planbot-lock")
        self._file = None

    def acquire(self) -> bool:
        if self.path is None or self._file is not None:
            return True
        handle = open(self.path, "a")  # noqa: SIM115 (held open for as long as the lock is)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


class SchedulerLeader:
    """Runs `start` only while this process holds the database's scheduler lock, and `stop` when it loses it.

    On PostgreSQL the lock is a session advisory lock on a connection of its own: when the process dies the
    server ends the session and frees the lock, and another process's next try takes over. On SQLite the
    lock is a file lock beside the database (SqliteLock), freed by the kernel in the same way.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        start: Callable[[], None],
        stop: Callable[[], None],
        poll_seconds: float = 5.0,
        lock_key: int = LEADER_LOCK_KEY,
    ) -> None:
        self.engine = engine
        self._start = start
        self._stop = stop
        self.poll_seconds = poll_seconds
        self.lock_key = lock_key
        self.is_leader = False
        self._connection = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._file_lock = SqliteLock(engine)

    def try_lead(self) -> bool:
        """One attempt (or, when leading, one check that the lock is still held). True while leading."""
        if self.engine.dialect.name != "postgresql":
            if not self.is_leader:
                if not self._file_lock.acquire():
                    return False
                self.is_leader = True
                log.info("holding the scheduler lock file: this process runs the reminder jobs")
                self._start()
            return True
        if self.is_leader:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except Exception:  # the lock's session is gone, and with it the lock
                log.warning("lost the scheduler lock's connection; stepping down")
                self._step_down()
                return False
        connection = self.engine.connect()
        try:
            held = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.lock_key}
            ).scalar()
            connection.commit()
        except Exception:
            connection.close()
            raise
        if not held:
            connection.close()
            return False
        self._connection = connection
        self.is_leader = True
        log.info("holding the scheduler lock: this process runs the reminder jobs")
        self._start()
        return True

    def _step_down(self) -> None:
        if self.is_leader:
            self.is_leader = False
            try:
                self._stop()
            finally:
                self._file_lock.release()
                if self._connection is not None:
                    with contextlib.suppress(Exception):
                        self._connection.close()
                    self._connection = None

    def run_in_background(self) -> None:
        def loop() -> None:
            while not self._stopping.is_set():
                try:
                    self.try_lead()
                except Exception as error:
                    log.warning("scheduler lock attempt failed: %s", error)
                self._stopping.wait(self.poll_seconds)

        self._thread = threading.Thread(target=loop, name="planbot-scheduler-leader", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=self.poll_seconds + 5)
        if self._connection is not None and self.engine.dialect.name == "postgresql":
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.lock_key})
                self._connection.commit()
            except Exception:
                pass
        self._step_down()


def run_scheduler(
    deps: Deps, engine: Engine, *, runtime: str = "default", poll_seconds: float = 5.0
) -> SchedulerLeader:
    """Start leading (or waiting to lead) in the background; `planbot serve` calls this and `close()`s at exit."""
    holder: dict[str, BackgroundScheduler] = {}
    install_holiday_calendar(deps.settings.holiday_file)
    warning = holiday_warning(local_today(deps))
    if warning:
        log.warning("%s", warning)

    def start() -> None:
        if engine.dialect.name == "sqlite":
            # one process per SQLite file: whatever is still `sending` was left by our own previous run
            with deps.session_factory() as session:
                reminder_queries.release_abandoned_now(session=session, now=deps.clock())
        scheduler = build_scheduler(deps, engine, runtime=runtime)
        scheduler.start()
        holder["scheduler"] = scheduler

    def stop() -> None:
        scheduler = holder.pop("scheduler", None)
        if scheduler is not None:
            scheduler.shutdown(wait=True)

    leader = SchedulerLeader(engine, start=start, stop=stop, poll_seconds=poll_seconds)
    leader.run_in_background()
    return leader
