"""Who may do what: coordinators everything, members update their department's tasks, everyone else reads.

Coordinators are the Slack user ids in the settings, the members of the configured user group (looked up by
the adapter and passed in, so this module never talks to Slack), and people stored with the coordinator role.
Every refusal names who can do it instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.settings import Settings
from handlers.replies import Reply
from handlers.slack_text import escape
from storage import bot_queries
from storage.bot_queries import DepartmentRef
from storage.task_pages import TaskSummary


@dataclass(frozen=True)
class Actor:
    user_id: str
    is_coordinator: bool
    department: DepartmentRef | None


def resolve_actor(
    *, session: Session, settings: Settings, user_id: str, group_coordinators: frozenset[str] = frozenset()
) -> Actor:
    known = bot_queries.member_with_department(session=session, slack_user_id=user_id)
    role, department = known if known is not None else (None, None)
    is_coordinator = (
        user_id in settings.coordinator_ids or user_id in group_coordinators or role == "coordinator"
    )
    return Actor(user_id=user_id, is_coordinator=is_coordinator, department=department)


def may_update(actor: Actor, task: TaskSummary, collective_ids: frozenset[int] = frozenset()) -> bool:
    """Coordinators update anything; a member updates tasks assigned to their department (or its collective)."""
    if actor.is_coordinator:
        return True
    if actor.department is None:
        return False
    return actor.department.id in task.department_ids or bool(collective_ids & set(task.department_ids))


def coordinators_text(*, session: Session, settings: Settings) -> str:
    """Who the coordinators are, for a refusal that only its asker sees (ephemeral or in their DM with the bot).

    A user mention there notifies nobody; a user-group mention (<!subteam^…>) would ping the whole group at
    the request of anyone who can trigger a refusal, so the group is named in words.
    """
    ids = sorted(set(settings.coordinator_ids) | set(bot_queries.coordinator_user_ids(session=session)))
    names = [f"<@{user_id}>" for user_id in ids[:5]]
    if settings.coordinator_usergroup:
        names.append("协调员用户组的成员 / the coordinators' user group")
    return "、".join(names) or "规划办协调员（尚未配置 PLANBOT_COORDINATORS）"


def coordinator_only(*, session: Session, settings: Settings, what_zh: str, what_en: str) -> Reply:
    who = coordinators_text(session=session, settings=settings)
    return Reply(
        headline=f"⛔ 只有协调员可以{what_zh}。请联系：{who}\nOnly coordinators may {what_en}. Ask {who}.",
        ok=False,
    )


def update_refused(*, session: Session, settings: Settings, task: TaskSummary) -> Reply:
    who = coordinators_text(session=session, settings=settings)
    units = escape("、".join(task.leads + task.cos)) or "责任单位"
    return Reply(
        headline=(
            f"⛔ 任务 #{task.id} 只能由 {units} 的成员或协调员（{who}）更新。"
            f"如果你属于这些单位，请协调员用 `/plan 成员 @你 部门` 登记。\n"
            f"Task #{task.id} can be updated by members of {units} or by coordinators ({who}). "
            "If you belong to one of them, ask a coordinator to register you with `/plan member @you DEPT`."
        ),
        ok=False,
    )
