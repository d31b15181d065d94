"""Database fixtures: one `engine` fixture parametrized over SQLite and PostgreSQL.

Loaded for the whole suite through `pytest_plugins` in tests/conftest.py. Fixtures:

- `engine`: a migrated, empty database; runs the test twice, on a SQLite file and on PostgreSQL.
- `sqlite_engine`: the SQLite half only, for tests that do not care which database they talk to.
- `sessions` / `session`: a session factory for `engine`, and one session closed after the test.
- `database_url`: the URL of a migrated SQLite file (for CLI tests that read DATABASE_URL).
- `empty_engine`: a database with no tables at all (migration tests), on both engines.

PostgreSQL comes from PLANBOT_TEST_DATABASE_URL (a database the tests may wipe), or else a fresh database
created on postgresql+psycopg://postgres@127.0.0.1:5432 for the test session and dropped at its end. When no
server answers, the PostgreSQL half is skipped, unless PLANBOT_REQUIRE_POSTGRES=1 makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from storage.db import SessionFactory, create_engine_for, session_factory, upgrade

DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ENGINE_KINDS = ("sqlite", "postgresql")


def _require_postgres() -> bool:
    return os.environ.get("PLANBOT_REQUIRE_POSTGRES", "") not in ("", "0", "false", "no")


def _server_or_skip(url: str) -> None:
    """Skip (or fail, when PostgreSQL is required) if nobody answers at `url`."""
    import psycopg

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        psycopg.connect(plain, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        message = f"PostgreSQL at {make_url(url).render_as_string()} does not answer: {error}"
        if _require_postgres():
            pytest.fail(message + " (PLANBOT_REQUIRE_POSTGRES=1)")
        pytest.skip(message)


def _admin_execute(server_url: str, statement: str) -> None:
    admin = create_engine_for(server_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


class _FreshDatabases:
    """Creates throw-away databases on one server and drops them all at the end."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.created: list[str] = []

    def create(self) -> str:
        name = f"planbot_test_{uuid.uuid4().hex[:12]}"
        _admin_execute(self.server_url, f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        self.created.append(name)
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.created:
            _admin_execute(self.server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[_FreshDatabases]:
    server_url = DEFAULT_SERVER_URL
    _server_or_skip(server_url)
    databases = _FreshDatabases(server_url)
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest) -> str:
    """A migrated PostgreSQL database for this test session."""
    given = os.environ.get("PLANBOT_TEST_DATABASE_URL")
    if given:
        _server_or_skip(given)
        engine = create_engine_for(given)
        _wipe_postgres(engine)
        upgrade(engine)
        engine.dispose()
        return given
    databases: _FreshDatabases = request.getfixturevalue("postgres_databases")
    url = databases.create()
    engine = create_engine_for(url)
    upgrade(engine)
    engine.dispose()
    return url


def _wipe_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        SQLModel.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _truncate_postgres(engine: Engine) -> None:
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (cheaper than migrating per test)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "planbot.sqlite3"
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closing checkpoints the WAL into the file
    return path


def _sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / f"planbot-{uuid.uuid4().hex[:8]}.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    return _sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture
def sqlite_engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=ENGINE_KINDS, ids=ENGINE_KINDS)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = _sqlite_copy(request.getfixturevalue("sqlite_template"), request.getfixturevalue("tmp_path"))
        sqlite = create_engine_for(url)
        yield sqlite
        sqlite.dispose()
        return
    postgres = create_engine_for(request.getfixturevalue("postgres_url"))
    try:
        yield postgres
    finally:
        postgres.dispose()  # closes what the test left in the pool, so TRUNCATE is not blocked
        _truncate_postgres(postgres)
        postgres.dispose()


@pytest.fixture(params=ENGINE_KINDS, ids=ENGINE_KINDS)
def empty_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database without any table, for migration tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{request.getfixturevalue('tmp_path') / 'empty.sqlite3'}"
    else:
        databases: _FreshDatabases = request.getfixturevalue("postgres_databases")
        url = databases.create()
    fresh = create_engine_for(url)
    yield fresh
    fresh.dispose()


@pytest.fixture
def sessions(engine: Engine) -> SessionFactory:
    return session_factory(engine)


@pytest.fixture
def session(sessions: SessionFactory) -> Iterator[Session]:
    with sessions() as opened:
        yield opened
