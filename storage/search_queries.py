"""Which tasks contain a text, soonest due first: the search queries of the CLI, the bot and the ledger views.

The matching rules and the index DDL are in storage.search. Here each engine gets the query shape its index
answers fast, and every caller gets the same matches:

- PostgreSQL: ids, due dates and statuses come from the narrow tasksearch table, so neither the match nor
  the top-N ordering reads a task row; only the page's tasks are read afterwards.
- SQLite: the FTS5 rowids. A word found in thousands of tasks walks the due-date index instead and stops
  at the first page (see `_walked_ids`).
- One-character queries: LIKE on the task text, on both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, literal_column, nulls_last
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from storage.models import Assignment, Plan, Task, TaskSearch
from storage.search import fts_rowids, like_condition, phrase, plain_contains, postgres_match

OPEN_STATUSES = ("open", "in_progress")


@dataclass(frozen=True)
class Narrowing:
    """The filters a search is combined with; None (or empty) means no such filter."""

    department_ids: tuple[int, ...] | None = None
    jurisdiction_id: int | None = None
    due_from: date | None = None  # due on or after
    due_until: date | None = None  # due on or before
    due_before: date | None = None  # due strictly before
    statuses: tuple[str, ...] | None = None  # one of these
    excluded_statuses: tuple[str, ...] = ()
    # leave out tasks waiting for a coordinator's review (待核对): no department hears of them before then
    confirmed_only: bool = False
    # leave out recurring duties, whose due_on is only a pattern: dated lists add them by their periods
    one_offs_only: bool = False

    @classmethod
    def of_ledger(
        cls,
        *,
        department_ids: list[int] | None,
        jurisdiction_id: int | None,
        due_from: date | None,
        due_until: date | None,
        status: str | None,
        open_only: bool,
        include_archived: bool,
        confirmed_only: bool = False,
    ) -> Narrowing:
        """storage.queries.find_tasks' filters: a given status wins over include_archived, as there."""
        statuses: tuple[str, ...] | None = OPEN_STATUSES if open_only else None
        if status is not None:
            statuses = tuple(s for s in statuses if s == status) if statuses is not None else (status,)
        return cls(
            department_ids=tuple(department_ids) if department_ids is not None else None,
            jurisdiction_id=jurisdiction_id,
            due_from=due_from,
            due_until=due_until,
            statuses=statuses,
            excluded_statuses=("archived",) if status is None and not include_archived else (),
            confirmed_only=confirmed_only,
        )


@dataclass(frozen=True)
class _Source:
    """The table a search reads ids, due dates and statuses from, and its match condition."""

    task_id: ColumnElement[int]
    due_on: ColumnElement[date]
    status: ColumnElement[str]
    match: ColumnElement[bool] | None  # None: no search, only filters
    order: tuple[ColumnElement[object], ...]
    on_task_table: bool


def _source(session: Session, query: str) -> _Source:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        matching = postgres_match(query)
        if matching is not None:
            due_on = col(TaskSearch.due_on)
            # ascending order puts NULL last on PostgreSQL, as the (due_on, task_id) index holds them
            return _Source(
                col(TaskSearch.task_id),
                due_on,
                col(TaskSearch.status),
                matching,
                (nulls_last(due_on), col(TaskSearch.task_id)),
                on_task_table=False,
            )
    due_order = None
    indexed = phrase(query) if dialect == "sqlite" else None
    if indexed is not None:
        matching: ColumnElement[bool] = col(Task.id).in_(fts_rowids(indexed))
        # unary + keeps SQLite from walking the due_on index over every task and probing each one;
        # starting from the matches and sorting them is far cheaper (frequent words: see first_task_ids)
        due_order = literal_column("+task.due_on")
    else:
        matching = like_condition(query)
    return _task_source(matching, due_order)


def _task_source(
    match: ColumnElement[bool] | None, due_order: ColumnElement[object] | None = None
) -> _Source:
    return _Source(
        col(Task.id),
        col(Task.due_on),
        col(Task.status),
        match,
        (col(Task.due_on).is_(None), col(Task.due_on) if due_order is None else due_order, col(Task.id)),
        on_task_table=True,
    )


def _filters(source: _Source, where: Narrowing) -> list[ColumnElement[bool]]:
    conditions = []
    if where.department_ids is not None:
        assigned = select(Assignment.task_id).where(col(Assignment.department_id).in_(where.department_ids))
        conditions.append(source.task_id.in_(assigned))
    if where.jurisdiction_id is not None:
        plans = select(Plan.id).where(Plan.jurisdiction_id == where.jurisdiction_id)
        if source.on_task_table:
            conditions.append(col(Task.plan_id).in_(plans))
        else:
            conditions.append(source.task_id.in_(select(Task.id).where(col(Task.plan_id).in_(plans))))
    if where.due_from is not None:
        conditions.append(source.due_on >= where.due_from)
    if where.due_until is not None:
        conditions.append(source.due_on <= where.due_until)
    if where.due_before is not None:
        conditions.append(source.due_on < where.due_before)
    if where.statuses is not None:
        conditions.append(source.status.in_(where.statuses))
    conditions.extend(source.status != excluded for excluded in where.excluded_statuses)
    if where.confirmed_only:
        if source.on_task_table:
            conditions.append(col(Task.awaiting_review).is_(False))
        else:
            # tasksearch holds no review flag; the tasks awaiting review are few, so excluding them is cheap
            waiting = select(Task.id).where(col(Task.awaiting_review).is_(True))
            conditions.append(source.task_id.not_in(waiting))
    if where.one_offs_only:
        if source.on_task_table:
            conditions.append(col(Task.recurrence).is_(None))
        else:  # the duties are few, like the tasks awaiting review
            conditions.append(source.task_id.not_in(select(Task.id).where(col(Task.recurrence).is_not(None))))
    return conditions


def task_filters(where: Narrowing) -> list[ColumnElement[bool]]:
    """The narrowing as conditions on Task, for lists that are not searches."""
    return _filters(_task_source(match=None), where)


def task_condition(*, session: Session, query: str) -> ColumnElement[bool]:
    """A condition on Task: the task contains `query` (for statements that read every match anyway)."""
    source = _source(session, query)
    if source.on_task_table:
        return source.match
    return col(Task.id).in_(select(source.task_id).where(source.match))


def first_task_ids(*, session: Session, query: str, where: Narrowing, limit: int) -> list[int]:
    """The ids of the first `limit` matching tasks, earliest due first (undated last), then by id."""
    source = _source(session, query)
    filters = _filters(source, where)
    if source.on_task_table:
        if session.get_bind().dialect.name == "sqlite" and is_frequent(
            session, query, threshold=max(2000, 20 * limit)
        ):
            return _walked_ids(query, source, filters, session=session, limit=limit)
    elif where.department_ids is None and where.jurisdiction_id is None and limit <= MAX_WALKED_PAGE:
        walked = _walked_window(session, query, where, limit=limit)
        if len(walked) == limit:
            return walked
    statement = select(source.task_id).where(source.match, *filters).order_by(*source.order).limit(limit)
    return list(session.exec(statement).all())


def page_of_task_ids(
    *, session: Session, query: str, where: Narrowing, offset: int, limit: int
) -> tuple[list[int], int]:
    """One page of matching task ids in due order, and how many tasks match in all."""
    # two queries, not a window count riding on the page: with "count(*) OVER ()" and a LIMIT, PostgreSQL
    # walked the due-date index over all 100,000 rows to count a common word (120–400 ms)
    task_ids = first_task_ids(session=session, query=query, where=where, limit=offset + limit)[offset:]
    source = _source(session, query)
    counted = (
        select(func.count()).select_from(source.task_id.table).where(source.match, *_filters(source, where))
    )
    return task_ids, int(session.exec(counted).one())


# -- frequent words walk the due-date index ----------------------------------------------------------------

# PostgreSQL first looks for a page among the WALK_FACTOR * limit earliest-due tasks (for pages of at most
# MAX_WALKED_PAGE tasks). Reading a row there costs ~2 µs (random heap access in due order), a match found
# through the GIN index ~0.6 µs after ~2 ms for the index itself: walking wins for words in more than ~4% of
# the tasks, and a rarer word loses at most ~5 ms before the index answers (limit 100).
WALK_FACTOR = 25
MAX_WALKED_PAGE = 200


def _walked_window(session: Session, query: str, where: Narrowing, *, limit: int) -> list[int]:
    """The first page of matches among the earliest-due tasks; complete when it is full.

    A word in a tenth of the tasks fills a page of 100 within the first ~1,000 rows of the due-date index,
    while the GIN index hands over all 11,000 matches to be read and sorted (2 ms against 8 ms for 100,000
    tasks), and a word in every task would cost 60 ms. The walk leaves out the index condition: in a filter
    it would compute the pairs of every row it keeps.
    """
    window = (
        select(TaskSearch.task_id, TaskSearch.due_on, TaskSearch.status, TaskSearch.search_text)
        .order_by(nulls_last(col(TaskSearch.due_on)), col(TaskSearch.task_id))
        .limit(WALK_FACTOR * limit)
        .subquery()
    )
    rows = _Source(
        window.c.task_id,
        window.c.due_on,
        window.c.status,
        plain_contains(window.c.search_text, query),
        (nulls_last(window.c.due_on), window.c.task_id),
        on_task_table=False,
    )
    statement = (
        select(rows.task_id).where(rows.match, *_filters(rows, where)).order_by(*rows.order).limit(limit)
    )
    return list(session.exec(statement).all())


# -- SQLite: the FTS probe decides -------------------------------------------------------------------------


def is_frequent(session: Session, query: str, *, threshold: int) -> bool:
    """Whether at least `threshold` tasks contain `query` (counting stops there, so this stays cheap)."""
    indexed = phrase(query)
    if indexed is None:
        return False
    if session.get_bind().dialect.name == "sqlite":
        # straight from FTS5, which stops at the limit; "task.id IN (…)" would collect every match first
        probe = fts_rowids(indexed).limit(threshold).subquery()
    else:
        source = _source(session, query)
        probe = select(source.task_id).where(source.match).limit(threshold).subquery()
    return session.execute(select(func.count()).select_from(probe)).scalar_one() >= threshold


def _walked_ids(
    query: str, source: _Source, filters: list[ColumnElement[bool]], *, session: Session, limit: int
) -> list[int]:
    """The first page of matches found by walking the due-date index, for a word in thousands of tasks:
    starting from the matches would mean sorting all of them. The FTS match is written in a form SQLite's
    planner cannot drive from the search index (+task.id), so that it walks task.due_on and stops early."""
    indexed = phrase(query)
    walked = literal_column("+task.id").in_(fts_rowids(indexed)) if indexed is not None else source.match
    # dated tasks in index order first, then undated ones: "due_on IS NULL" in ORDER BY defeats the index
    dated = (
        select(Task.id)
        .where(walked, *filters, col(Task.due_on).is_not(None))
        .order_by(col(Task.due_on), col(Task.id))
    )
    task_ids = list(session.exec(dated.limit(limit)).all())
    if len(task_ids) < limit:
        undated = select(Task.id).where(walked, *filters, col(Task.due_on).is_(None)).order_by(col(Task.id))
        task_ids += list(session.exec(undated.limit(limit - len(task_ids))).all())
    return [task_id for task_id in task_ids if task_id is not None]
