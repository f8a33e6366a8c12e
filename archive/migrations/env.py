"""Alembic environment: runs on the connection :func:`archive.migrations.upgrade` hands over,
or on ``sqlalchemy.url`` from alembic.ini when a developer runs the ``alembic`` command."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from archive.catalog import Base

connection = context.config.attributes.get("connection")
if connection is None:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as own:
        context.configure(connection=own, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
