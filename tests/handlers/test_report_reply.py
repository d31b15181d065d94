"""`/plan 报告`: a PNG upload with the chart's totals in words, scoped by who asks and what they name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.deps import Deps
from bot.settings import load_settings
from handlers.context import CommandContext
from handlers.permissions import Actor
from handlers.report_reply import report
from storage.bot_queries import DepartmentRef
from storage.db import session_factory
from tests.handlers.chart_ledger import TODAY, store_chart_ledger

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def session(sqlite_engine: Engine) -> Iterator[Session]:
    with session_factory(sqlite_engine)() as opened:
        store_chart_ledger(opened)
        yield opened


def _context(session: Session, actor: Actor) -> CommandContext:
    deps = Deps(settings=load_settings(), session_factory=lambda: session)
    return CommandContext(deps=deps, session=session, actor=actor, today=TODAY)


COORDINATOR = Actor(user_id="UCOORD", is_coordinator=True, department=None)


def test_the_whole_picture_counts_each_task_once(session: Session) -> None:
    reply = report(_context(session, COORDINATOR), None)
    assert reply.ok and reply.upload is not None
    assert reply.upload.content[:8] == PNG_MAGIC and reply.upload.filename.endswith(".png")
    # the joint task is two bar segments in the chart but one task in the words
    assert "全部辖区 任务进度图（截至 2025-06-16）：已完成 1，正常推进 1，黄灯 1，红灯 1。" in reply.headline
    assert "1 done, 1 on track, 1 due within 7 days, 1 overdue" in reply.headline


def test_one_department_by_any_name(session: Session) -> None:
    reply = report(_context(session, COORDINATOR), "区财政局")
    assert reply.upload is not None
    assert (
        "临河区 区财政局 任务进度图" in reply.headline
        and "已完成 1，正常推进 1，黄灯 0，红灯 0" in reply.headline
    )


def test_a_member_sees_their_own_jurisdiction(session: Session) -> None:
    member = Actor(user_id="UCZJ", is_coordinator=False, department=DepartmentRef(2, "区财政局", "临河区"))
    reply = report(_context(session, member), None)
    assert reply.upload is not None and reply.headline.startswith("📊 临河区 任务进度图")


def test_an_unknown_department_is_a_refusal_with_what_to_try(session: Session) -> None:
    reply = report(_context(session, COORDINATOR), "区海洋局")
    assert not reply.ok and reply.upload is None
    assert "区海洋局" in reply.headline and "/plan 部门" in reply.suggestions
