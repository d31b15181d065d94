"""A small, fixed ledger for the bot's tests, written straight through the models (not through extraction).

Today is 2025-06-15 in Asia/Shanghai. 莱芜区 has 区发展改革局 (aliases 区发改局, 发改局), 区财政局 and the
collective addressee 各部门; 潍城区 has its own 区发展改革局, so "区发改局" alone is ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from storage.models import (
    Assignment,
    Department,
    DepartmentAlias,
    Document,
    Jurisdiction,
    Member,
    Plan,
    ReviewEvent,
    Task,
)
from storage.search import search_grams

NOW = datetime(2025, 6, 15, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = date(2025, 6, 15)
COORDINATOR = "UCOORD"
FGJ_MEMBER = "UFGJ"  # member of 莱芜区 区发展改革局
CZJ_MEMBER = "UCZJ"  # member of 莱芜区 区财政局
READER = "UREADER"  # nobody in particular


@dataclass
class Ledger:
    laiwu_fgj: int
    laiwu_czj: int
    laiwu_all: int
    weicheng_fgj: int
    project_task: int  # 莱芜发改局 lead, 财政局 co, due 2025-06-30
    overdue_task: int  # 莱芜发改局, due 2025-05-31
    collective_task: int  # 各部门, due 2025-12-31
    finance_task: int  # 财政局, due 2025-07-10
    weicheng_task: int


def build_ledger(session_factory) -> Ledger:  # type: ignore[no-untyped-def]
    with session_factory() as session:
        laiwu = Jurisdiction(name="莱芜区")
        weicheng = Jurisdiction(name="潍城区")
        session.add_all([laiwu, weicheng])
        session.flush()
        plan = Plan(
            jurisdiction_id=laiwu.id,
            title="莱芜区国民经济和社会发展第十四个五年规划纲要",
            title_key="莱芜区十四五",
            identity_key="five_year_plan|P2021-2025|莱芜区十四五",
            kind="five_year_plan",
            period_start=2021,
            period_end=2025,
            created_at=NOW,
        )
        weicheng_plan = Plan(
            jurisdiction_id=weicheng.id,
            title="潍城区年度计划",
            title_key="潍城区年度计划",
            identity_key="annual_plan|Y2025|潍城区年度计划",
            kind="annual_plan",
            year=2025,
            created_at=NOW,
        )
        session.add_all([plan, weicheng_plan])
        session.flush()
        document = Document(
            plan_id=plan.id,
            source="plan.txt",
            sha256="a" * 64,
            format="txt",
            title=plan.title,
            kind="five_year_plan",
            text="……",
            ingested_at=NOW,
        )
        weicheng_document = Document(
            plan_id=weicheng_plan.id,
            source="w.txt",
            sha256="b" * 64,
            format="txt",
            title=weicheng_plan.title,
            kind="annual_plan",
            text="……",
            ingested_at=NOW,
        )
        session.add_all([document, weicheng_document])
        session.flush()

        def department(
            jurisdiction: Jurisdiction,
            name: str,
            *aliases: str,
            kind: str = "bureau",
            covers: str | None = None,
        ) -> Department:
            row = Department(jurisdiction_id=jurisdiction.id, name=name, kind=kind, covers_kind=covers)
            session.add(row)
            session.flush()
            for alias in (name, *aliases):
                session.add(
                    DepartmentAlias(department_id=row.id, jurisdiction_id=jurisdiction.id, alias=alias)
                )
            return row

        laiwu_fgj = department(laiwu, "区发展改革局", "区发改局", "发改局")
        laiwu_czj = department(laiwu, "区财政局", "财政局")
        laiwu_all = department(laiwu, "各部门", kind="collective", covers="bureau")
        weicheng_fgj = department(weicheng, "区发展改革局", "区发改局")

        def task(
            action: str,
            due: date | None,
            *units: tuple[Department, str],
            doc: Document = document,
            section: str = "第十五章 规划实施保障 > 第二节 强化责任落实",
        ) -> int:
            row = Task(
                plan_id=doc.plan_id,
                document_id=doc.id,
                section=section,
                action=action,
                evidence=f"{action}，确保按期完成。",
                evidence_key=action,
                search_grams=search_grams(action, f"{action}，确保按期完成。"),  # as storage.ingest writes it
                due_on=due,
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(row)
            session.flush()
            for unit, role in units:
                session.add(Assignment(task_id=row.id, department_id=unit.id, role=role))
            return row.id  # type: ignore[return-value]

        project = task("推进重点项目建设", date(2025, 6, 30), (laiwu_fgj, "lead"), (laiwu_czj, "co"))
        overdue = task("编制年度重点项目计划", date(2025, 5, 31), (laiwu_fgj, "lead"))
        collective = task("持续优化营商环境", date(2025, 12, 31), (laiwu_all, "lead"))
        finance = task("保障规划实施资金", date(2025, 7, 10), (laiwu_czj, "lead"))
        for n in range(8):
            task(f"推进第{n + 1}批产业项目落地", TODAY + timedelta(days=40 + n), (laiwu_fgj, "lead"))
        weicheng_task = task(
            "推进潍城区老旧小区改造",
            date(2025, 9, 30),
            (weicheng_fgj, "lead"),
            doc=weicheng_document,
            section="三、重点任务",
        )
        session.add_all(
            [
                ReviewEvent(plan_id=plan.id, kind="mid_term_review", due_on=date(2023, 6, 30), year=2023),
                ReviewEvent(plan_id=plan.id, kind="annual_monitoring", due_on=date(2026, 1, 31), year=2025),
                ReviewEvent(plan_id=plan.id, kind="final_review", due_on=date(2025, 12, 31), year=2025),
                Member(slack_user_id=FGJ_MEMBER, department_id=laiwu_fgj.id, role="member"),
                Member(slack_user_id=CZJ_MEMBER, department_id=laiwu_czj.id, role="member"),
            ]
        )
        session.commit()
        return Ledger(
            laiwu_fgj.id,
            laiwu_czj.id,
            laiwu_all.id,
            weicheng_fgj.id,
            project,
            overdue,  # type: ignore[arg-type]
            collective,
            finance,
            weicheng_task,
        )
