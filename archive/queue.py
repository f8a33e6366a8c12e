"""The job queue (Huey): SQLite storage below DATA_DIR by default, Redis when
``TALKARCHIVE_QUEUE_URL=redis://…`` so any number of ``talkarchive worker`` processes on other
machines share the work. Jobs themselves live in the catalog (:mod:`archive.jobs`); the queue
only carries their ids."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import redis
from huey import Huey, RedisHuey, SqliteHuey

from .errors import QueueUnavailable
from .queue_messages import JsonSerializer
from .settings import Settings

TASK = "talkarchive.ingest"
DOWN = (redis.RedisError, sqlite3.Error, OSError)  # what an unreachable queue raises


def make_huey(settings: Settings) -> Huey:
    """Messages are JSON (:mod:`archive.queue_messages`), never pickles: anyone who can write
    to Redis could otherwise run code in every worker."""
    url = settings.queue_url
    serializer = JsonSerializer()
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        # bounded waits: an unreachable host would otherwise hang the upload (dequeue blocks
        # for read_timeout=1 s, so the socket timeout stays above it)
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=3, socket_timeout=10)
        return RedisHuey("talkarchive", connection_pool=pool, results=False, serializer=serializer)
    if url and url.startswith("sqlite:///"):
        filename = url.removeprefix("sqlite:///")
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        filename = str((settings.data_dir / "queue.sqlite3").resolve())
    return SqliteHuey("talkarchive", filename=filename, results=False, serializer=serializer)


class Queue:
    """Enqueue job ids; in a worker, ``handler`` runs each one."""

    def __init__(self, settings: Settings, handler: Callable[[str], None] | None = None) -> None:
        self.huey = make_huey(settings)

        def ingest(job_id: str) -> None:
            if handler is None:
                raise RuntimeError("this process only enqueues")
            handler(job_id)

        self._task = self.huey.task(retries=0, name=TASK)(ingest)

    def enqueue(self, job_id: str) -> None:
        try:
            self._task(job_id)
        except DOWN as exc:
            raise QueueUnavailable("the job queue does not answer; try again shortly") from exc

    def pending(self) -> int:
        try:
            return int(self.huey.pending_count())
        except DOWN as exc:
            raise QueueUnavailable("the job queue does not answer; try again shortly") from exc

    def healthy(self) -> bool:
        try:
            self.pending()
        except QueueUnavailable:
            return False
        return True
