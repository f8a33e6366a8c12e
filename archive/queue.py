"""The job queue (Huey): SQLite storage below DATA_DIR by default, Redis when
``TALKARCHIVE_QUEUE_URL=redis://…`` so any number of ``talkarchive worker`` processes on other
machines share the work. Jobs themselves live in the catalog (:mod:`archive.jobs`); the queue
only carries their ids."""

from __future__ import annotations

from collections.abc import Callable

from huey import Huey, RedisHuey, SqliteHuey

from .queue_messages import JsonSerializer
from .settings import Settings

TASK = "talkarchive.ingest"


def make_huey(settings: Settings) -> Huey:
    """Messages are JSON (:mod:`archive.queue_messages`), never pickles: anyone who can write
    to Redis could otherwise run code in every worker."""
    url = settings.queue_url
    serializer = JsonSerializer()
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("talkarchive", url=url, results=False, serializer=serializer)
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
        self._task(job_id)

    def pending(self) -> int:
        return int(self.huey.pending_count())
