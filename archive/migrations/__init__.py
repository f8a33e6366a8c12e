"""Catalog migrations (Alembic). Opening a catalog runs :func:`upgrade`: a new catalog is
created at the newest revision, an older one is upgraded in place, one made before migrations
existed (its schema is revision 0001) is stamped and upgraded, and one written by a newer
talkarchive is refused with a one-line message.

New revision: ``.venv/bin/alembic -c archive/migrations/alembic.ini revision -m "what"``, then
set :data:`HEAD` (a unit test checks it against the scripts).
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import Engine

from ..errors import TalkarchiveError

HERE = Path(__file__).resolve().parent
BASELINE = "0001"
HEAD = "0008"
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")


class CatalogTooNew(TalkarchiveError):
    code = "catalog_too_new"
    status = 503


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


def current(connection: Connection) -> str | None:
    """The catalog's revision; None when it has no version table."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@contextlib.contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    """One process migrates at a time (serve, workers and CLI commands may start together)."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the catalog to ``revision`` (default the newest). Cheap when it is there already."""
    with engine.connect() as conn:
        if revision == "head" and current(conn) == HEAD:
            return
    with _exclusive(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7467617263)"))
        found = current(conn)
        if found is not None and found not in REVISIONS:
            raise CatalogTooNew(
                f"the catalog is at revision {found}, newer than this talkarchive knows "
                f"(newest {HEAD}): install the talkarchive that wrote it")
        if found is None and inspect(conn).has_table("talks"):
            command.stamp(config(conn), BASELINE)  # made before migrations: that was 0001
        command.upgrade(config(conn), revision)
