"""Hand-built ExtractedDocuments for storage tests (the sentences are made up for the tests)."""

from __future__ import annotations

import hashlib
from datetime import date

from ingest.records import ExtractedDocument, Section, TaskRecord
from ingest.units import AliasTable

MECHANISM = ("第十三章 规划实施保障", "第二节 监测评估")
INDUSTRY = ("第四章 现代产业", "第一节 制造业")


def aliases() -> AliasTable:
    table = AliasTable()
    table.add("区发展改革局", "区发改局", "区发展和改革局", "发展改革局")
    table.add("区财政局", "财政局")
    table.add("区工业和信息化局", "区工信局")
    table.add("区科技局", "区科学技术局")
    return table


def record(
    department: str | None,
    task: str,
    evidence: str,
    *,
    role: str = "lead",
    section: tuple[str, ...] = INDUSTRY,
    due: date | None = None,
    recurrence: str | None = None,
    kind: str = "task",
    review: str | None = None,
    unit_kind: str | None = None,
) -> TaskRecord:
    return TaskRecord(
        department=department,
        role=role if department else None,
        task=task,
        evidence=evidence,
        section=" > ".join(section),
        due=due,
        recurrence=recurrence,
        starts=None,
        kind=kind,
        review=review,
        unit_kind=unit_kind,
    )


def five_year_plan(
    records: list[TaskRecord],
    *,
    jurisdiction: str = "莱芜区",
    title: str = "莱芜区国民经济和社会发展第十四个五年规划纲要",
    version: str = "v1",
) -> ExtractedDocument:
    text = "\n".join(r.evidence for r in records)
    return ExtractedDocument(
        source=f"{jurisdiction}-{version}.txt",
        format="txt",
        sha256=hashlib.sha256(f"{jurisdiction}{title}{version}{text}".encode()).hexdigest(),
        title=title,
        kind="five_year_plan",
        jurisdiction=jurisdiction,
        period=(2021, 2025),
        year=2021,
        text=text,
        sections=[Section(INDUSTRY, 0, 10, False), Section(MECHANISM, 10, 20, True)],
        records=records,
    )


def first_version() -> list[TaskRecord]:
    return [
        record(
            "区工业和信息化局",
            "培育规模以上工业企业",
            "到2025年，区工信局牵头培育规模以上工业企业400家。",
            due=date(2025, 12, 31),
        ),
        record(
            "区科技局",
            "培育高新技术企业",
            "区科技局牵头，区财政局配合，培育高新技术企业200家。",
            due=date(2024, 6, 30),
        ),
        record(
            "区财政局",
            "培育高新技术企业",
            "区科技局牵头，区财政局配合，培育高新技术企业200家。",
            role="co",
            due=date(2024, 6, 30),
        ),
        record(
            "区发展改革局",
            "开展规划实施动态监测",
            "区发展改革局会同有关部门，按年度开展规划实施动态监测。",
            section=MECHANISM,
            recurrence="yearly",
            kind="review",
            review="annual_monitoring",
        ),
        record(
            "各部门",
            "制定分年度工作计划",
            "各部门要提出规划任务实施的分年度工作计划安排。",
            section=MECHANISM,
            role="co",
            unit_kind="collective",
        ),
        record(
            "各镇（街道）",
            "优先纳入重大项目清单",
            "各镇（街道）要将清单内项目优先纳入本地区重大项目清单。",
            section=MECHANISM,
            role="co",
            unit_kind="collective",
        ),
    ]
