"""Benchmark: 10,000 reminders across 1,000 Slack channels through the fake Web API at 1 message/s/channel.

    python bench/reminders.py [--channels 1000] [--per-channel 10] [--workers 8] [--database-url URL]

The fake Slack server runs in a process of its own (as Slack would), enforcing one message per second per
channel with 429 + Retry-After. The deliveries sit pending in a SQLite file (or DATABASE_URL) and one
dispatcher run sends them all. Printed: total time, messages accepted, 429s, duplicates and losses (both
must be 0), and the ratio to the rate-limit floor: with n messages per channel the last one cannot go out
before (n - 1) seconds after the first, so the floor is (n - 1) s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from slack_sdk import WebClient  # noqa: E402

from bot.notifiers import NotifierRouter  # noqa: E402
from bot.notifiers.dispatch import Dispatcher, DispatchOptions  # noqa: E402
from bot.notifiers.slack import SlackNotifier  # noqa: E402
from handlers.reminders import Reminder  # noqa: E402
from storage.db import create_engine_for, session_factory, upgrade  # noqa: E402
from storage.reminder_queries import delivery_counts, insert_deliveries  # noqa: E402

SERVER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from tests.fakes.slack_api import FakeSlackApi
fake = FakeSlackApi(rate_limit_per_channel=1.0).start()
print(fake.api_url, flush=True)
sys.stdin.readline()
posts = fake.calls("chat.postMessage")
keys = [m["metadata"]["event_payload"]["delivery_key"] for c in fake.channels() for m in fake.messages(c)]
accepted = sorted(c.at for c in posts if c.status == 200)
print(json.dumps({"keys": keys, "rate_limited": sum(c.status == 429 for c in posts),
                  "accepted": [at - accepted[0] for at in accepted]}), flush=True)
fake.stop()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--per-channel", type=int, default=10)
    # the dispatcher's own default, as `planbot serve` and `planbot remind` run it
    parser.add_argument("--workers", type=int, default=DispatchOptions().workers)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        engine = create_engine_for(url)
        upgrade(engine)
        sessions = session_factory(engine)
        now = datetime.now(UTC)
        reminders = [
            Reminder(
                rule="deadline-7",
                kind="deadline",
                subject_key=f"task:{n}",
                occurrence_on=date(2025, 3, 20),
                fire_on=date(2025, 3, 13),
                target=f"slack:C{channel:05d}",
                text=f"🟡黄灯 【任务到期提醒】区第{channel}局：任务 #{n}「推进重点项目建设」将于 2025-03-20 到期，还剩 7 天。",
            )
            for channel in range(args.channels)  # channel by channel: the worst order for a naive sender
            for n in range(args.per_channel)
        ]
        with sessions() as session:
            stored = insert_deliveries(
                session=session, reminders=reminders, now=now, not_before=now - timedelta(hours=1)
            )

        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(REPO_ROOT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        api_url = server.stdout.readline().strip()
        notifier = NotifierRouter({"slack": SlackNotifier(WebClient(token="xoxb-bench", base_url=api_url))})
        dispatcher = Dispatcher(
            session_factory=sessions,
            notifier=notifier,
            clock=lambda: datetime.now(UTC),
            options=DispatchOptions(workers=args.workers),
        )
        started = time.perf_counter()
        cpu_started = time.process_time()
        report = dispatcher.run_once()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        server.stdin.write("report\n")
        server.stdin.flush()
        seen = json.loads(server.stdout.readline())
        server.wait(timeout=30)
        with sessions() as session:
            statuses = delivery_counts(session=session)
        engine.dispose()

    counts = Counter(seen["keys"])
    duplicates = sum(seen_times - 1 for seen_times in counts.values() if seen_times > 1)
    losses = stored - len(counts)
    floor = float(args.per_channel - 1)
    print(
        f"reminders           {stored} across {args.channels} channels ({args.per_channel} each), {args.workers} workers"
    )
    print(f"database            {url.split(':', 1)[0]}")
    accepted = seen["accepted"]
    print(f"total time          {elapsed:.2f} s (first to last accepted message: {accepted[-1]:.2f} s)")
    rounds = [accepted[min(len(accepted), args.channels * n) - 1] for n in range(1, args.per_channel + 1)]
    print("rounds done at      " + " ".join(f"{at:.2f}" for at in rounds) + "  (s after the first message)")
    print(f"dispatcher CPU      {cpu:.2f} s ({cpu / max(1, report.sent) * 1000:.2f} ms per message)")
    print(f"sent / recorded     {report.sent} / {statuses.get('sent', 0)}")
    print(f"429 answers         {seen['rate_limited']}")
    print(f"duplicates          {duplicates}")
    print(f"losses              {losses}")
    print(f"rate-limit floor    {floor:.0f} s ((per-channel - 1) × 1 s)")
    print(f"ratio to floor      {elapsed / floor:.3f}  (target <= 1.2)")
    load = os.getloadavg()
    print(
        f"machine load        {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores (the fake server shares them)"
    )


if __name__ == "__main__":
    main()
