"""The weekly digests' words: a department's open work, and the coordinators' per-department view."""

from __future__ import annotations

from datetime import date

from handlers.digest import coordinators_digest_text, department_digest_text, split_open_tasks
from tests.reminders.ledgers import FGJ, JYJ, task

D = date.fromisoformat
MONDAY = D("2025-03-17")


def test_department_digest_lists_overdue_and_due_soon():
    rows = [
        task(1, D("2025-03-10")),  # overdue by 7 days
        task(2, D("2025-03-20")),  # due in 3 days: yellow
        task(3, D("2025-04-10")),  # due in 24 days
        task(4, D("2025-12-31")),  # later
        task(5, D("2025-03-01"), status="done"),
    ]
    text = department_digest_text("区发展改革局", "莱芜区", rows, MONDAY)
    first_line = text.splitlines()[0]
    assert "莱芜区发展改革局" in first_line and "在办任务 4 项" in first_line
    assert "30 天内到期 2 项" in first_line and "逾期 1 项" in first_line
    assert "🔴 #1" in text and "已逾期 7 天" in text and "🟡 #2" in text and "还剩 3 天" in text
    assert "#4" not in text and "#5" not in text
    assert text.index("逾期（红灯）") < text.index("即将到期")
    assert "Weekly digest" in text.splitlines()[-1]


def test_long_lists_are_cut():
    rows = [task(n, D("2025-03-01")) for n in range(1, 26)]
    text = department_digest_text("区发展改革局", "莱芜区", rows, MONDAY)
    assert "等 25 项" in text and text.count("🔴 #") == 10


def test_coordinators_digest_counts_done_on_time_and_overdue_per_department():
    rows = [
        task(1, D("2025-03-10")),
        task(2, D("2025-04-10")),
        task(3, D("2025-03-01"), status="done"),
        task(4, D("2025-03-01"), department=2),
        task(5, D("2025-03-02"), department=2),
        task(6, None, department=2),
    ]
    text = coordinators_digest_text("莱芜区", rows, {1: FGJ, 2: JYJ}, MONDAY)
    lines = text.splitlines()
    assert "已完成 1 项，按期推进 2 项，逾期 3 项" in lines[0]
    # the department with the most overdue work comes first
    assert lines[1].strip() == "🔴 区教育和体育局：完成 0，按期 1，逾期 2"
    assert lines[2].strip() == "🔴 区发展改革局：完成 1，按期 1，逾期 1"
    assert "/plan overdue" in lines[-1]


def test_the_coordinators_totals_count_tasks_not_assignments():
    """A task of 各部门 (fanned out to every bureau) or with a partner is one task in the totals."""
    rows = [
        task(1, D("2025-03-10")),
        task(1, D("2025-03-10"), department=2, role="co"),
        task(2, D("2025-04-10"), department=2),
    ]
    first = coordinators_digest_text("莱芜区", rows, {1: FGJ, 2: JYJ}, MONDAY).splitlines()[0]
    assert "已完成 0 项，按期推进 1 项，逾期 1 项" in first


def test_split_open_tasks():
    overdue, soon, later = split_open_tasks(
        [
            task(1, D("2025-03-16")),
            task(2, D("2025-03-17")),
            task(3, None),
            task(4, D("2025-03-18"), status="done"),
        ],
        MONDAY,
    )
    assert (
        [r.task_id for r in overdue] == [1]
        and [r.task_id for r in soon] == [2]
        and [r.task_id for r in later] == [3]
    )
