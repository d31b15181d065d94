"""Benchmark of the ledger queries the bot runs most, on SQLite and PostgreSQL. Prints figures; not a test.

Builds 100,000 tasks across 1,000 departments in 50 jurisdictions (one lead and, for half the tasks, one
co-operating unit; each jurisdiction also has a collective addressee 各部门 with some tasks), then times:

- tasks of a department (including what 各部门 is asked to do),
- open tasks due within 30 days (the whole ledger, first 50; and one department's),
- a Chinese substring search (first 100 matches; a common and a rare word).

    python bench/ledger.py                      # SQLite in a temp dir, and PostgreSQL if one answers
    python bench/ledger.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python bench/ledger.py --seeds ../shared/seeds   # also time ingesting the seed documents

Then the command line on the same ledger: what `planbot depts` and `planbot export --dept` spend beyond
start-up (in this process, so start-up is left out), and the start-up itself: `planbot tasks --dept` run as a
fresh process against `python -c "import sqlalchemy.orm"`, the least any ledger command must import.

Targets: p99 < 20 ms for each query; ingesting the five seeds < 3 s; depts and a department's export
< 300 ms beyond start-up; `planbot tasks --dept` <= 2.5x the import of sqlalchemy.orm.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_postgres import temporary_postgres_database  # beside this file

from storage.db import create_engine_for, session_factory, upgrade
from storage.ingest import evidence_key
from storage.models import Assignment, Department, DepartmentAlias, Document, Jurisdiction, Plan, Task
from storage.queries import search_tasks, tasks_due_within, tasks_for_department
from storage.search import search_grams

JURISDICTIONS = 50
DEPARTMENTS = 1000
TASKS = 100_000
TODAY = date(2024, 3, 15)
VERBS = ["推进", "加快", "完善", "健全", "深化", "实施", "打造", "培育", "建设", "提升", "落实", "组织开展"]
OBJECTS = [
    "产业链供应链",
    "营商环境",
    "科技创新平台",
    "乡村振兴示范片区",
    "城市更新项目",
    "养老服务体系",
    "生态修复工程",
    "数字政府建设",
    "高标准农田",
    "职业技能培训",
    "公共卫生应急体系",
    "重点项目审批",
    "黄河流域生态保护",
    "新型基础设施",
    "文化旅游融合",
    "农村人居环境",
    "智慧交通",
    "招商引资",
]
UNIT_WORDS = [
    "发展改革局",
    "财政局",
    "工业和信息化局",
    "科技局",
    "教育和体育局",
    "民政局",
    "人力资源社会保障局",
    "自然资源局",
    "住房城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康局",
    "应急管理局",
    "审计局",
    "市场监管局",
    "行政审批服务局",
    "医疗保障局",
]
RARE_WORD = "氢能重卡示范线"


def build(engine: Engine, rng: random.Random) -> list[int]:
    """Fill an empty, migrated database; returns the ids of the ordinary departments."""
    now = datetime(2024, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Jurisdiction), [{"id": j + 1, "name": f"第{j + 1}区"} for j in range(JURISDICTIONS)]
        )
        departments, aliases, plans, documents = [], [], [], []
        per_place = DEPARTMENTS // JURISDICTIONS
        for j in range(1, JURISDICTIONS + 1):
            plans.append(
                {
                    "id": j,
                    "jurisdiction_id": j,
                    "title": f"第{j}区十四五规划",
                    "title_key": f"第{j}区十四五规划",
                    "identity_key": f"five_year_plan|P2021-2025|第{j}区十四五规划",
                    "kind": "five_year_plan",
                    "period_start": 2021,
                    "period_end": 2025,
                    "year": 2021,
                    "reminders_paused": False,
                    "created_at": now,
                }
            )
            documents.append(
                {
                    "id": j,
                    "plan_id": j,
                    "source": f"{j}.txt",
                    "sha256": uuid.uuid4().hex,
                    "format": "txt",
                    "title": plans[-1]["title"],
                    "kind": "five_year_plan",
                    "text": "",
                    "ingested_at": now,
                }
            )
            for d in range(per_place - 1):
                department_id = len(departments) + 1
                name = f"区{UNIT_WORDS[d % len(UNIT_WORDS)]}{'' if d < len(UNIT_WORDS) else d}"
                departments.append(
                    {"id": department_id, "jurisdiction_id": j, "name": name, "kind": "bureau"}
                )
                aliases.append({"department_id": department_id, "jurisdiction_id": j, "alias": name})
            department_id = len(departments) + 1
            departments.append(
                {
                    "id": department_id,
                    "jurisdiction_id": j,
                    "name": "各部门",
                    "kind": "collective",
                    "covers_kind": "bureau",
                }
            )
            aliases.append({"department_id": department_id, "jurisdiction_id": j, "alias": "各部门"})
        connection.execute(insert(Department), departments)
        connection.execute(insert(DepartmentAlias), aliases)
        connection.execute(insert(Plan), plans)
        connection.execute(insert(Document), documents)

        by_place: dict[int, list[dict[str, object]]] = {}
        for department in departments:
            by_place.setdefault(int(department["jurisdiction_id"]), []).append(department)  # type: ignore[arg-type]
        start = date(2021, 1, 1)
        tasks, assignments = [], []
        for task_id in range(1, TASKS + 1):
            place = rng.randint(1, JURISDICTIONS)
            action = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}{rng.choice(OBJECTS)}"
            if task_id % 5000 == 0:
                action += RARE_WORD
            evidence = (
                f"到{rng.randint(2021, 2025)}年，{action}，确保取得明显成效，形成一批可复制可推广的经验做法。"
            )
            tasks.append(
                {
                    "id": task_id,
                    "plan_id": place,
                    "document_id": place,
                    "section": "第四章 > 第一节",
                    "action": action,
                    "evidence": evidence,
                    "evidence_key": evidence_key(evidence),
                    "search_grams": search_grams(action, evidence),
                    "due_on": start + timedelta(days=rng.randint(0, 6 * 365)),
                    "kind": "task",
                    "status": rng.choice(["open", "open", "in_progress", "done"]),
                    "percent": 0,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            units = rng.sample(by_place[place], 2)
            assignments.append({"task_id": task_id, "department_id": units[0]["id"], "role": "lead"})
            if task_id % 2 == 0:
                assignments.append({"task_id": task_id, "department_id": units[1]["id"], "role": "co"})
            if len(tasks) == 5000:
                connection.execute(insert(Task), tasks)
                connection.execute(insert(Assignment), assignments)
                tasks, assignments = [], []
        if tasks:
            connection.execute(insert(Task), tasks)
            connection.execute(insert(Assignment), assignments)
        if engine.dialect.name == "postgresql":
            for table in ("jurisdiction", "department", "departmentalias", "plan", "document", "task"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    return [int(d["id"]) for d in departments if d["kind"] == "bureau"]  # type: ignore[arg-type]


def timed(label: str, runs: int, call: Callable[[int], int]) -> None:
    call(0)  # warm the caches and the statement cache
    samples, rows = [], 0
    for index in range(runs):
        started = time.perf_counter()
        rows += call(index)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    flag = "ok" if p99 < 20 else "SLOW"
    print(f"  {label:<44} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   ({rows / runs:.0f} rows/query)  {flag}")


def bench(engine: Engine, runs: int) -> None:
    rng = random.Random(7)
    started = time.perf_counter()
    department_ids = build(engine, rng)
    print(
        f"  built {TASKS:,} tasks / {DEPARTMENTS:,} departments / {JURISDICTIONS} jurisdictions "
        f"in {time.perf_counter() - started:.1f} s"
    )
    sessions = session_factory(engine)
    picks = [rng.choice(department_ids) for _ in range(runs)]
    with sessions() as session:
        timed(
            "tasks of a department (+ 各部门)",
            runs,
            lambda i: len(tasks_for_department(session=session, department_id=picks[i])),
        )
        timed(
            "due within 30 days, whole ledger, first 50",
            runs,
            lambda i: len(
                tasks_due_within(session=session, today=TODAY + timedelta(days=i % 300), days=30, limit=50)
            ),
        )
        timed(
            "due within 30 days, one department",
            runs,
            lambda i: len(
                tasks_due_within(
                    session=session, today=TODAY + timedelta(days=i % 300), days=30, department_id=picks[i]
                )
            ),
        )
        timed(
            "search a common word (养老服务体系), first 100",
            runs,
            lambda i: len(search_tasks(session=session, text="养老服务体系", limit=100)),
        )
        timed(
            f"search a rare word ({RARE_WORD}), first 100",
            runs,
            lambda i: len(search_tasks(session=session, text=RARE_WORD, limit=100)),
        )
        timed(
            "search a 2-character word (养老), first 100",
            runs,
            lambda i: len(search_tasks(session=session, text="养老", limit=100)),
        )


def bench_commands(engine: Engine, url: str, whole_export: bool) -> None:
    """The work of `planbot depts` and `planbot export` beyond start-up, and the CLI's start-up itself."""
    from storage.export import write_ledger_xlsx
    from storage.queries import department_summaries

    sessions = session_factory(engine)
    with sessions() as session, tempfile.TemporaryDirectory() as directory:
        department_summaries(session=session)  # warm, as the second run of a command would be
        started = time.perf_counter()
        summaries = department_summaries(session=session)
        depts_ms = (time.perf_counter() - started) * 1000
        print(
            f"  depts: {len(summaries):,} departments in {depts_ms:.0f} ms  {'ok' if depts_ms < 300 else 'SLOW'}"
        )
        busiest = max(summaries, key=lambda summary: summary.lead + summary.co)
        started = time.perf_counter()
        exported = write_ledger_xlsx(
            session=session, path=Path(directory) / "one.xlsx", department_id=busiest.id
        )
        export_ms = (time.perf_counter() - started) * 1000
        print(
            f"  export --dept (the busiest, {exported.rows} tasks): {export_ms:.0f} ms  "
            f"{'ok' if export_ms < 300 else 'SLOW'}"
        )
        if whole_export:
            started = time.perf_counter()
            exported = write_ledger_xlsx(session=session, path=Path(directory) / "all.xlsx")
            print(f"  export, whole ledger ({exported.rows:,} rows): {time.perf_counter() - started:.1f} s")
    baseline = median_seconds([sys.executable, "-c", "import sqlalchemy.orm"], url)
    query = median_seconds(
        [str(Path(sys.executable).parent / "planbot"), "tasks", "--region", "第1区", "--dept", "区财政局"],
        url,
    )
    ratio = query / baseline
    print(
        f"  start-up: planbot tasks --dept {query * 1000:.0f} ms, import sqlalchemy.orm {baseline * 1000:.0f} ms: "
        f"{ratio:.1f}x  {'ok' if ratio <= 2.5 else 'SLOW'}"
    )


def median_seconds(command: list[str], url: str, runs: int = 5) -> float:
    environment = {**os.environ, "DATABASE_URL": url}
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            command, env=environment, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def bench_seeds(url: str, seeds: Path) -> None:
    from ingest.load import load_source
    from ingest.pipeline import extract_document
    from ingest.units import default_alias_table
    from storage.ingest import ingest_document

    engine = create_engine_for(url)
    upgrade(engine)
    paths = sorted(seeds.glob("*.txt"))
    started = time.perf_counter()
    with session_factory(engine)() as session:
        tasks = 0
        for path in paths:
            loaded = load_source(str(path), max_bytes=20 * 2**20, allow_private=False, timeout=10)
            report = ingest_document(
                session=session,
                document=extract_document(loaded, aliases=default_alias_table()),
                aliases=default_alias_table(),
            )
            tasks += len(report.added)
    elapsed = time.perf_counter() - started
    engine.dispose()
    print(
        f"  ingest of {len(paths)} seeds (load + extract + store): {elapsed:.2f} s, {tasks} tasks  "
        f"{'ok' if elapsed < 3 else 'SLOW'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seeds", type=Path, default=None)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--whole-export", action="store_true", help="also time exporting all 100,000 tasks")
    args = parser.parse_args()

    # other work on the machine shows in p99 first: print the load beside the figures
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, {args.runs} runs per query")
    with tempfile.TemporaryDirectory() as directory:
        print("SQLite")
        url = f"sqlite:///{directory}/bench.sqlite3"
        engine = create_engine_for(url)
        upgrade(engine)
        bench(engine, args.runs)
        bench_commands(engine, url, args.whole_export)
        engine.dispose()
        if args.seeds:
            bench_seeds(f"sqlite:///{directory}/seeds.sqlite3", args.seeds)

    if args.skip_postgres:
        return
    created = temporary_postgres_database(args.postgres_url)
    if created is None:
        return
    url, drop = created
    try:
        print("PostgreSQL")
        engine = create_engine_for(url)
        upgrade(engine)
        bench(engine, args.runs)
        bench_commands(engine, url, args.whole_export)
        engine.dispose()
        if args.seeds:
            bench_seeds(url, args.seeds)
    finally:
        drop()


if __name__ == "__main__":
    main()
