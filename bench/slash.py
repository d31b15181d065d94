"""Benchmark of /plan acknowledgements under load, on SQLite and PostgreSQL. Prints figures; not a test.

Sends 2,000 signed `/plan 任务` requests, 50 at a time over keep-alive connections, to planbot serving a ledger of
100,000 tasks (built by bench/ledger.py's builder: 1,000 departments in 50 jurisdictions), and the same load to a
bare Bolt app whose listener only acks "ok" (process_before_response, as planbot's), served by the same HTTP
server (bot/http_server.py: waitress). Each app runs in its own process, as in production; planbot is set up
as `planbot serve` sets it up (its reply processes, PLANBOT_REPLY_PROCESSES to change their number, and its
start-up heap frozen). The fake Slack Web API (which receives the replies posted to the response_url after the
ack) runs in a process of its own, and the load generator in this one, its own garbage collector off while it
measures. Each app first serves a warm-up of 100 requests, not measured. The 50 connections are open before the
first request is sent, so no ack's latency holds a TCP handshake or the start of a client thread.

Printed per database: p50/p99/max ack latency (request sent -> HTTP answer read) for planbot and for the bare
app, the ratio of the p50s, and the p50/p99 of the full answer (request sent -> reply received on the response_url).
Target: ack p99 < 100 ms, and ack p50 within 3x the bare app's.

    python bench/slash.py                        # SQLite in a temp dir, and PostgreSQL if one answers
    python bench/slash.py --requests 500 --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import gc
import http.client
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_postgres import temporary_postgres_database  # beside this file

SECRET = "bench-signing-secret"
USERS = 50
WARM_UP = 100  # requests per app before measuring: a server in service has its connections and caches warm
SHOW_SLOW = False  # --show-slow: print every ack slower than 100 ms with when it was sent
TIMELINE = False  # --timeline: ack latency per 100 ms of the run, to see when the slow acks happen
FROZEN_NOW = datetime(2024, 3, 15, 2, 0, tzinfo=UTC)  # bench/ledger.py's TODAY, 10:00 in Shanghai


# -- the apps, each in a child process -------------------------------------------------------------------


def frozen_clock() -> datetime:
    return FROZEN_NOW


def serve_planbot(
    database_url: str, api_url: str, ports: multiprocessing.Queue, stop: multiprocessing.Event
) -> None:
    from bot.after_ack import work_for_serving
    from bot.app import build_app, close_app, freeze_startup_heap
    from bot.deps import Deps
    from bot.settings import Settings
    from storage.db import create_engine_for, session_factory

    engine = create_engine_for(database_url)
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET,  # type: ignore[call-arg]
        slack_api_url=api_url,
        database_url=database_url,
    )
    deps = Deps(settings=settings, session_factory=session_factory(engine), clock=frozen_clock)
    # as `planbot serve` builds it: the work after each ack in reply processes
    after_ack = work_for_serving(settings, clock=frozen_clock, processes=settings.reply_processes)
    app = build_app(settings, deps=deps, after_ack=after_ack)
    freeze_startup_heap()  # as `planbot serve` does before serving
    _serve(app, ports, stop)
    close_app(app)
    engine.dispose()


def serve_bare(api_url: str, ports: multiprocessing.Queue, stop: multiprocessing.Event) -> None:
    from slack_bolt import App
    from slack_sdk import WebClient

    app = App(
        signing_secret=SECRET,
        client=WebClient(token="xoxb-bench", base_url=api_url),
        token_verification_enabled=False,
        # Bolt's fastest ack, as planbot's: the answer leaves when the listener returns. Bolt's default runs the
        # listener on a pool and polls for its ack, which on waitress costs ~130 ms and would flatter the ratio.
        process_before_response=True,
    )

    @app.command("/plan")
    def plan(ack) -> None:  # type: ignore[no-untyped-def]
        ack("ok")

    _serve(app, ports, stop)


def _serve(app, ports, stop) -> None:  # type: ignore[no-untyped-def]
    import logging

    from bot.http_server import SlackHttpServer

    logging.disable(logging.WARNING)
    server = SlackHttpServer(app).start()
    ports.put(server.port)
    stop.wait()
    server.stop()


# -- the load ---------------------------------------------------------------------------------------------


def body_for(index: int, user: str, response_url: str) -> str:
    return urlencode(
        {
            "token": "x",
            "team_id": "T0001",
            "team_domain": "bench",
            "channel_id": "C0BENCH",
            "channel_name": "bench",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/plan",
            "text": "任务",
            "api_app_id": "A0001",
            "response_url": f"{response_url}{index}",
            "trigger_id": f"t{index}",
        }
    )


def load(
    port: int, requests: int, concurrency: int, response_url: str
) -> tuple[list[float], dict[int, float], list[tuple[float, float]]]:
    """Send `requests` signed commands over `concurrency` connections.

    Returns the ack latencies, the send times by index, and (seconds into the run, latency) per request.
    """
    from slack_sdk.signature import SignatureVerifier

    verifier = SignatureVerifier(SECRET)
    latencies: list[float] = []
    sent_at: dict[int, float] = {}
    timeline: list[tuple[float, float]] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))
    first_start = time.monotonic()

    # every connection is open before the first request: an ack's latency is measured on a kept-alive
    # connection, as Slack's are, not with a TCP handshake and a thread's start inside it
    ready = threading.Barrier(concurrency + 1)

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.connect()
        ready.wait()
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            body = body_for(index, f"U{index % USERS:04d}", response_url)
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
            }
            started = time.monotonic()
            connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.monotonic() - started
            with lock:
                sent_at[index] = started
                latencies.append(elapsed)
                timeline.append((started - first_start, elapsed))
                if elapsed > 0.1 and SHOW_SLOW:
                    print(f"slow ack #{index} at +{started - first_start:.3f}s: {elapsed * 1000:.0f} ms")
                if response.status != 200:
                    failures.append(str(response.status))
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    # The load generator is the measuring instrument: a collection of its own heap (which holds the ledger
    # builder's leftovers) would stall all of its threads at once and count as slow acks of the app.
    gc.collect()
    gc.disable()
    try:
        for thread in threads:
            thread.start()
        ready.wait()
        for thread in threads:
            thread.join()
    finally:
        gc.enable()
    if failures:
        print(f"  ! {len(failures)} requests failed: {sorted(set(failures))}")
    return latencies, sent_at, timeline


def print_timeline(name: str, timeline: list[tuple[float, float]], bucket: float = 0.1) -> None:
    buckets: dict[int, list[float]] = {}
    for offset, latency in timeline:
        buckets.setdefault(int(offset / bucket), []).append(latency)
    print(f"  {name}: acks by send time ({bucket * 1000:.0f} ms buckets): count, p50, max")
    for number in sorted(buckets):
        samples = buckets[number]
        print(
            f"    +{number * bucket:5.1f}s {len(samples):4d}  {statistics.median(samples) * 1000:6.1f} ms"
            f"  {max(samples) * 1000:6.1f} ms"
        )


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def serve_fake(connection) -> None:  # type: ignore[no-untyped-def]
    """The fake Slack Web API in a process of its own, so that recording replies costs the load generator nothing."""
    from tests.fakes.slack_api import FakeSlackApi

    with FakeSlackApi() as fake:
        connection.send(fake.base_url)
        while (request := connection.recv()) != "stop":
            prefix = "/response/" + request
            connection.send(
                [
                    (c.path.removeprefix(prefix), c.at)
                    for c in fake.calls("response_url")
                    if c.path.startswith(prefix)
                ]
            )


class FakeSlackProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=serve_fake, args=(child,), daemon=True)
        self._process.start()
        if not self._connection.poll(120):
            raise RuntimeError("the fake Slack Web API did not start")
        self.base_url: str = self._connection.recv()
        self.api_url = self.base_url + "api/"

    def response_url(self, prefix: str) -> str:
        return f"{self.base_url}response/{prefix}"

    def replies(self, prefix: str) -> list[tuple[str, float]]:
        """(suffix of the response_url, monotonic arrival time) of every reply under `prefix`."""
        self._connection.send(prefix)
        return self._connection.recv()

    def stop(self) -> None:
        self._connection.send("stop")
        self._process.join(timeout=30)


def run_app(
    name: str,
    target: Callable[..., None],
    args: tuple,
    requests: int,
    concurrency: int,  # type: ignore[type-arg]
    fake: FakeSlackProcess,
) -> dict:  # type: ignore[type-arg]
    context = multiprocessing.get_context("spawn")
    ports: multiprocessing.Queue = context.Queue()
    stop = context.Event()
    # not a daemon: planbot's app starts reply processes of its own, as under `planbot serve`
    process = context.Process(target=target, args=(*args, ports, stop))
    process.start()
    try:
        port = ports.get(timeout=120)
        warm = min(WARM_UP, requests)
        load(port, warm, concurrency, fake.response_url(f"warm-{name}-"))  # warm caches and pools
        if name == "planbot":  # start measuring from an idle app, not behind the warm-up's replies
            _wait_for_replies(fake, f"warm-{name}-", warm)
        started = time.monotonic()
        latencies, sent_at, timeline = load(port, requests, concurrency, fake.response_url(f"{name}-"))
        wall = time.monotonic() - started
        if TIMELINE:
            print_timeline(name, timeline)
        answers: list[float] = []
        if name == "planbot":
            replies = _wait_for_replies(fake, f"{name}-", requests)
            answers = [at - sent_at[int(index)] for index, at in replies]
        return {"ack": latencies, "answers": answers, "wall": wall}
    finally:
        stop.set()
        process.join(timeout=60)


def _wait_for_replies(fake: FakeSlackProcess, prefix: str, count: int) -> list[tuple[str, float]]:
    deadline = time.monotonic() + 600
    while len(replies := fake.replies(prefix)) < count and time.monotonic() < deadline:
        time.sleep(0.2)  # a benchmark, not a test: waiting for the backlog of replies to drain
    return replies


def add_members(database_url: str, department_ids: list[int], rng: random.Random) -> None:
    from storage.db import create_engine_for
    from storage.models import Member

    engine = create_engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(
            insert(Member),
            [
                {"slack_user_id": f"U{n:04d}", "department_id": rng.choice(department_ids), "role": "member"}
                for n in range(USERS)
            ],
        )
    engine.dispose()


def bench_database(label: str, database_url: str, requests: int, concurrency: int) -> None:
    from bench.ledger import build
    from storage.db import create_engine_for, upgrade

    rng = random.Random(20240315)
    engine = create_engine_for(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        existing = connection.execute(text("SELECT count(*) FROM task")).scalar_one()
    if existing:
        print(f"{label}: reusing the ledger of {existing:,} tasks already in the database")
    else:
        built = time.monotonic()
        department_ids = build(engine, rng)
        add_members(database_url, department_ids, rng)
        print(f"{label}: ledger of 100,000 tasks built in {time.monotonic() - built:.1f} s")
    engine.dispose()
    fake = FakeSlackProcess()
    try:
        planbot = run_app("planbot", serve_planbot, (database_url, fake.api_url), requests, concurrency, fake)
        bare = run_app("bare", serve_bare, (fake.api_url,), requests, concurrency, fake)
    finally:
        fake.stop()
    ms = 1000.0
    for name, result in (("planbot /plan 任务", planbot), ("bare Bolt ack", bare)):
        acks = result["ack"]
        print(
            f"  {name:<20} ack p50 {percentile(acks, 0.5) * ms:6.1f} ms   p99 {percentile(acks, 0.99) * ms:6.1f} ms"
            f"   max {max(acks) * ms:6.1f} ms   ({len(acks)} requests, {len(acks) / result['wall']:.0f}/s)"
        )
    ratio = statistics.median(planbot["ack"]) / statistics.median(bare["ack"])
    p99 = percentile(planbot["ack"], 0.99) * ms
    print(
        f"  ack p50 ratio planbot/bare: {ratio:.2f}x (target <= 3x)   ack p99 {p99:.1f} ms (target < 100 ms)"
        f"   -> {'OK' if ratio <= 3 and p99 < 100 else 'MISSED'}"
    )
    answers = planbot["answers"]
    print(
        f"  full answer on the response_url: p50 {percentile(answers, 0.5) * ms:.1f} ms, "
        f"p99 {percentile(answers, 0.99) * ms:.1f} ms ({len(answers)} replies)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--sqlite-file", type=Path, help="build the SQLite ledger here once and reuse it")
    parser.add_argument("--show-slow", action="store_true", help="print each ack slower than 100 ms")
    parser.add_argument("--timeline", action="store_true", help="print ack latency per 100 ms of the run")
    options = parser.parse_args()
    global SHOW_SLOW, TIMELINE
    SHOW_SLOW = options.show_slow
    TIMELINE = options.timeline
    from bot.settings import Settings

    processes = Settings(_env_file=None).reply_processes  # type: ignore[call-arg]  (PLANBOT_REPLY_PROCESSES)
    print(
        f"/plan 任务: {options.requests} signed requests, {options.concurrency} concurrent, after a warm-up of"
        f" {WARM_UP} per app; planbot as `planbot serve` runs it: {processes} reply processes"
        " (PLANBOT_REPLY_PROCESSES), start-up heap frozen"
    )
    if options.sqlite_file:  # keep the built ledger between runs
        bench_database("SQLite", f"sqlite:///{options.sqlite_file}", options.requests, options.concurrency)
    else:
        with tempfile.TemporaryDirectory(prefix="planbot-bench-") as directory:
            sqlite_url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
            bench_database("SQLite", sqlite_url, options.requests, options.concurrency)
    if not options.skip_postgres:
        created = temporary_postgres_database(options.postgres_url)
        if created is not None:
            url, drop = created
            try:
                bench_database("PostgreSQL", url, options.requests, options.concurrency)
            finally:
                drop()


if __name__ == "__main__":
    main()
