"""Debian's PostgreSQL (15) started by the tests in a temp dir on a free 127.0.0.1 port, as
the Redis tests start redis-server. ``initdb`` refuses to run as root, so as root the cluster
belongs to the ``postgres`` user the package creates. About 3 s to start."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres(port: int) -> Iterator[str]:
    """A running cluster; yields a base URL (``postgresql+psycopg://…/``) without a database."""
    if not (BIN / "initdb").exists():
        pytest.fail("PostgreSQL 15 is missing (make test installs Debian's postgresql)")
    root = Path(tempfile.mkdtemp(prefix="talkarchive-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    subprocess.run(_as_owner([str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U",
                              "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"]),
                   check=True, capture_output=True)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                              str(root / "log"), "-w", "start"]), check=True,
                   capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/"
    finally:
        subprocess.run(_as_owner([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                  "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def new_database(base_url: str) -> str:
    """A fresh, empty database on the cluster; its URL."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base_url + "postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return base_url + name
