"""`planbot serve`'s reply processes: the ack comes from the server, the answer from a worker process.

Worker processes start by importing planbot (a few seconds on a busy machine), so these tests share one app
for the module and wait longer than the in-process tests do.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

import pytest

from bot.after_ack import ReplyProcesses, ThreadedWork, WorkerSpec, work_for_serving
from bot.app import build_app, close_app
from bot.deps import Deps
from bot.http_server import SlackHttpServer
from bot.settings import Settings
from storage.db import create_engine_for, session_factory, upgrade
from tests.bot.conftest import SECRET, text_of
from tests.fakes import payloads
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.ledger import COORDINATOR, CZJ_MEMBER, NOW, build_ledger

STARTING = 120.0  # seconds a worker may take to import planbot and answer its first request


def fixed_now() -> datetime:
    """The ledger's 'now', as a module-level function: a worker process receives the clock pickled."""
    return NOW


@dataclass
class Served:
    server: SlackHttpServer
    fake: FakeSlackApi
    work: ReplyProcesses
    settings: Settings

    def command(self, text: str, *, user_id: str, name: str) -> dict:  # type: ignore[type-arg]
        """`/plan text`: acked empty at once, then answered on the response_url by a worker."""
        response_url = self.fake.response_url(name)
        body = payloads.slash_command("/plan", text, user_id=user_id, response_url=response_url)
        assert payloads.post_signed(self.server.url, body, SECRET) == (200, "")
        self.fake.wait_until(lambda: len(self.fake.responses(name)) == 1, timeout=STARTING)
        return self.fake.responses(name)[0]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('reply-processes') / 'ledger.sqlite3'}"
    engine = create_engine_for(database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    build_ledger(sessions)
    with FakeSlackApi() as fake:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token="xoxb-test-token",
            slack_signing_secret=SECRET,
            slack_api_url=fake.api_url,
            coordinators=COORDINATOR,
            database_url=database_url,
        )
        work = work_for_serving(settings, clock=fixed_now, processes=2)
        assert isinstance(work, ReplyProcesses)
        deps = Deps(settings=settings, session_factory=sessions, clock=fixed_now)
        app = build_app(settings, deps=deps, after_ack=work)
        try:
            with SlackHttpServer(app) as server:
                yield Served(server, fake, work, settings)
        finally:
            close_app(app)  # waits for the worker to finish and exit
            engine.dispose()


def test_slash_command_is_acked_at_once_and_answered_by_a_worker(served):
    text = text_of(served.command("任务", user_id=CZJ_MEMBER, name="p1"))
    assert "莱芜区财政局" in text and "保障规划实施资金" in text


def test_mention_is_answered_in_its_thread_by_a_worker(served):
    before = len(served.fake.calls("chat.postMessage"))
    body = payloads.app_mention("<@UBOT> 帮助", user_id=COORDINATOR, ts="1700000000.000200")
    assert payloads.post_signed(served.server.url, body, SECRET)[0] == 200
    [*_, sent] = served.fake.wait_for("chat.postMessage", count=before + 1, timeout=STARTING)
    assert sent.body["thread_ts"] == "1700000000.000200"
    assert "/plan" in text_of(sent.body)


def test_a_worker_that_died_is_replaced_and_the_others_keep_answering(served):
    killed, _ = served.work.pids
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + STARTING
    while killed in served.work.pids and time.monotonic() < deadline:
        time.sleep(0.05)  # the watcher replaces the worker on its own, with no request to prompt it
    assert killed not in served.work.pids and len(served.work.pids) == 2
    for number in range(4):  # enough to reach both workers
        assert "planbot 命令" in text_of(
            served.command("帮助", user_id=COORDINATOR, name=f"after-kill-{number}")
        )


def test_the_requests_a_dead_worker_had_not_taken_are_answered_by_its_replacement(served):
    work = ReplyProcesses(WorkerSpec(served.settings, fixed_now), processes=1)
    try:
        [pid] = work.pids
        os.kill(pid, signal.SIGSTOP)  # the worker reads nothing more: what follows waits for it
        names = [f"orphan-{number}" for number in range(3)]
        for name in names:
            form = payloads.slash_command(
                "/plan", "帮助", user_id=COORDINATOR, response_url=served.fake.response_url(name)
            )
            work.run(lambda: None, what="/plan 帮助", payload=dict(parse_qsl(form)))
        os.kill(pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        for name in names:
            served.fake.wait_until(lambda name=name: served.fake.responses(name), timeout=STARTING)
        assert [len(served.fake.responses(name)) for name in names] == [1, 1, 1]
        assert all("planbot 命令" in text_of(served.fake.responses(name)[0]) for name in names)
        assert pid not in work.pids and len(work.pids) == 1
    finally:
        work.shutdown()


def test_a_sigterm_to_the_workers_loses_no_queued_reply_and_starts_no_replacement(served):
    """systemd and docker stop a service with SIGTERM to each of its processes. The workers must outlive it:
    the serving process stops them in order, once they have answered everything queued."""
    work = ReplyProcesses(WorkerSpec(served.settings, fixed_now), processes=1)
    [pid] = work.pids
    os.kill(pid, signal.SIGTERM)  # at once: the worker is still starting, before it could set SIG_IGN
    names = [f"sigterm-{number}" for number in range(3)]
    for name in names:
        response_url = served.fake.response_url(name)
        form = payloads.slash_command("/plan", "帮助", user_id=COORDINATOR, response_url=response_url)
        work.run(lambda: None, what="/plan 帮助", payload=dict(parse_qsl(form)))
    os.kill(pid, signal.SIGTERM)  # again, with the replies queued
    work.shutdown()  # returns once the worker has sent every queued reply and exited on the end marker
    assert work.pids == [pid]  # the watcher saw no crash, so started no replacement
    assert [len(served.fake.responses(name)) for name in names] == [1, 1, 1]
    assert all("planbot 命令" in text_of(served.fake.responses(name)[0]) for name in names)


def test_a_database_in_memory_keeps_the_work_in_threads():
    settings = Settings(_env_file=None, database_url="sqlite://")  # type: ignore[call-arg]
    work = work_for_serving(settings, clock=fixed_now, processes=2)
    assert isinstance(work, ThreadedWork)
    work.shutdown()


def test_a_clock_that_cannot_reach_a_worker_fails_at_start_up():
    settings = Settings(_env_file=None, database_url=f"sqlite:///{os.devnull}")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="picklable clock"):
        ReplyProcesses(WorkerSpec(settings, clock=lambda: NOW))
