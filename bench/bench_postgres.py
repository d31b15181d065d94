"""A throw-away PostgreSQL database for a benchmark run, dropped when the run ends (shared by the benches)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import create_engine_for


def temporary_postgres_database(server_url: str) -> tuple[str, Callable[[], None]] | None:
    admin = create_engine_for(server_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"planbot_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
    except Exception as error:
        print(f"PostgreSQL: skipped ({type(error).__name__}: {str(error).splitlines()[0]})")
        admin.dispose()
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server_url).set(database=name).render_as_string(hide_password=False), drop
