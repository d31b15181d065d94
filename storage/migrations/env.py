"""Alembic environment, wired to the SQLModel metadata of storage.models.

storage.db.upgrade() hands its connection in through `config.attributes["connection"]`; without one, the URL
comes from the config or from the settings (DATABASE_URL). New revision after a model change:

    python -c "from storage.db import alembic_config; from alembic import command; \
command.revision(alembic_config(), message='what changed', autogenerate=True)"

(with DATABASE_URL pointing at a database upgraded to head), then read and edit the generated file.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.db import include_object
from storage.types import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # migrations must not import application types: UTCDateTime is DateTime(timezone=True) in the schema
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_with(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        render_item=render_item,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from bot.settings import load_settings

        url = load_settings().database_url
    engine = engine_from_config({"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        run_with(connection)


if context.is_offline_mode():
    raise SystemExit("planbot migrations run online only: `planbot db upgrade`")
run_migrations_online()
