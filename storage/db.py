"""Engine and sessions, built by functions from a URL (never at import), and schema upgrades.

SQLite is the default (one file, no set-up); PostgreSQL serves teams and several bot processes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, create_engine

if TYPE_CHECKING:  # Alembic costs a tenth of a second to import; only migrations need it
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SessionFactory = Callable[[], Session]
# A database that stalls must not hold the bot's threads for ever. A server that accepts connections and
# never answers is given up after CONNECT_TIMEOUT_SECONDS; a statement the server runs longer than
# STATEMENT_TIMEOUT_MS is cancelled by the server (a 100 K-task export takes well under a second); and a
# thread waits at most POOL_TIMEOUT_SECONDS for a free connection when every pooled one is stuck.
CONNECT_TIMEOUT_SECONDS = 5
STATEMENT_TIMEOUT_MS = 60_000
POOL_TIMEOUT_SECONDS = 10


def create_engine_for(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; a SQLite file gets its directory created and WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        in_memory = database in ("", ":memory:")
        if not in_memory and not database.startswith("file:"):
            _create_private_file(Path(database).expanduser())
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            # an in-memory database has one connection per thread, and no pool to wait for
            **({} if in_memory else {"pool_timeout": POOL_TIMEOUT_SECONDS}),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
    event.listen(engine, "connect", _postgres_statement_timeout)
    return engine


def _postgres_statement_timeout(dbapi_connection: Any, _record: Any) -> None:
    """Set by a statement, not by the `options` start-up parameter, which PgBouncer refuses by default."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
    dbapi_connection.commit()  # a SET inside a transaction that rolls back would be undone


def _create_private_file(path: Path) -> None:
    """A new SQLite file readable by its owner only (0600), in a new folder only its owner can open (0700).

    The ledger holds who belongs to which department and their progress notes; other accounts on a shared
    server must not read it. SQLite gives its -wal and -shm files the database file's permissions. An existing
    folder keeps its own (it may be shared, like /tmp).
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the bot read while an ingest writes; SQLite leaves foreign keys off unless asked
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: Engine) -> SessionFactory:
    """Sessions whose rows stay readable after commit (handlers render them after storage commits)."""
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's filter: the search index is made by hand (SQLite FTS5 tables in 0002, PostgreSQL
    tasksearch.search_vector and its GIN index in 0005), so autogenerate must not see it as drift."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith("task_fts")
    return name not in ("search_vector", "ix_task_search_vector")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic), on the engine's own connection."""
    from alembic import command

    _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config(engine)
    with engine.connect() as connection:
        _foreign_keys(connection, enabled=False)
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config, revision)
        finally:
            _foreign_keys(connection, enabled=True)


def _foreign_keys(connection: Any, *, enabled: bool) -> None:
    """SQLite migrations copy tables (batch mode); with foreign keys on, dropping the old copy would delete
    or refuse rows that reference it. The pragma only takes effect outside a transaction."""
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    connection.commit()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def open_database(url: str, *, auto_upgrade_sqlite: bool = True) -> Engine:
    """The engine the bot and the CLI use: a SQLite file is migrated on start, PostgreSQL by `planbot db upgrade`."""
    engine = create_engine_for(url)
    if auto_upgrade_sqlite and is_sqlite(engine) and not at_newest_revision(engine):
        upgrade(engine)
    return engine


REVISION = re.compile(r'^revision\s*(?::\s*str)?\s*=\s*"([^"]+)"', re.M)
DOWN_REVISION = re.compile(r'^down_revision\s*(?::[^=\n]*)?=\s*(?:None|"([^"]+)")\s*$', re.M)


def newest_revision_on_disk() -> str | None:
    """The one head of the migrations, read from their `revision` lines without Alembic; None when unsure.

    Every CLI command opens the database, and asking Alembic whether a migration is due costs more than the
    command's own query (importing it and its templates, reading every migration). A branch or a merge
    (a tuple of down revisions) is not read here: None sends the caller to Alembic.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = REVISION.search(source), DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def at_newest_revision(engine: Engine) -> bool:
    """True when the database's recorded revision is the newest migration (so no migration is due)."""
    newest = newest_revision_on_disk()
    if newest is None:
        return False
    try:
        with engine.connect() as connection:
            recorded = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    except DBAPIError:  # no alembic_version table yet: a new database
        return False
    return recorded == {newest}
