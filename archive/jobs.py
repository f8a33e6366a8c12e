"""Ingest jobs: created by an upload or the CLI, run by a worker, visible with their stage and
progress. A worker killed in the middle of a job (SIGKILL) loses nothing: its heartbeat stops,
another worker (or the same one restarted) takes the job again, and the deterministic ids of the
pipeline mean the result has no duplicates."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import threading
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import or_, update

from . import catalog as cat
from . import index, meili, pipeline
from .errors import InputError, NotFound, SearchUnavailable, TalkarchiveError
from .queue import Queue
from .settings import Settings

HEARTBEAT_SECONDS = 2.0
PROGRESS_SECONDS = 0.5


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def submit(catalog: cat.Catalog, queue: Queue, upload: Path, file_name: str,
           meta: pipeline.TalkMeta, talk_id: str | None = None) -> cat.Job:
    job = cat.Job(id=uuid.uuid4().hex, talk_id=talk_id, upload_path=str(upload),
                  file_name=file_name, meta=asdict(meta), state="queued", stage="queued")
    with catalog.session() as s:
        s.add(job)
    queue.enqueue(job.id)
    return job


def get(catalog: cat.Catalog, job_id: str) -> cat.Job:
    with catalog.session() as s:
        job = s.get(cat.Job, job_id) if len(job_id) <= 32 else None
        if job is None:
            raise NotFound(f"no job {job_id!r}")
        return job


def recent(catalog: cat.Catalog, limit: int = 100) -> list[cat.Job]:
    with catalog.session() as s:
        return list(s.query(cat.Job).order_by(cat.Job.created_at.desc()).limit(limit).all())


def _claim(catalog: cat.Catalog, job_id: str, worker: str, stale: float) -> bool:
    """Take the job if it is queued, or running with a stale heartbeat (its worker died)."""
    cutoff = _now() - dt.timedelta(seconds=stale)
    with catalog.session() as s:
        result = s.execute(
            update(cat.Job)
            .where(cat.Job.id == job_id)
            .where(or_(cat.Job.state == "queued",
                       (cat.Job.state == "running") & (cat.Job.heartbeat_at < cutoff)))
            .values(state="running", stage="starting", worker=worker, heartbeat_at=_now(),
                    attempts=cat.Job.attempts + 1, error=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _set(catalog: cat.Catalog, job_id: str, **values: object) -> None:
    with catalog.session() as s:
        s.execute(update(cat.Job).where(cat.Job.id == job_id).values(**values))


def run(settings: Settings, catalog: cat.Catalog, job_id: str, worker: str | None = None) -> None:
    """Run one job to ready or failed. Returns quietly when another worker has it."""
    worker = worker or worker_name()
    if not _claim(catalog, job_id, worker, settings.job_stale_seconds):
        return
    job = get(catalog, job_id)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            _set(catalog, job_id, heartbeat_at=_now())

    beater = threading.Thread(target=beat, daemon=True, name=f"heartbeat-{job_id[:8]}")
    beater.start()
    last_time = [0.0]
    last_stage = [""]

    def progress(stage: str, done: float, total: float) -> None:
        now = time.monotonic()
        if stage != last_stage[0] or now - last_time[0] >= PROGRESS_SECONDS:
            last_time[0], last_stage[0] = now, stage
            fraction = done / total if total else 0.0
            _set(catalog, job_id, stage=stage, progress=min(max(fraction, 0.0), 1.0) * 0.95)

    upload = Path(job.upload_path)
    try:
        meta = pipeline.TalkMeta(**job.meta)
        result = pipeline.ingest_file(settings, catalog, upload, meta, progress, job.file_name)
        _set(catalog, job_id, talk_id=result.talk.id, stage="indexing", progress=0.97)
        stage = "ready"
        try:
            with meili.connect(settings) as client:
                index.drain_outbox(settings, client, catalog)
        except SearchUnavailable:
            stage = "ready (search index pending)"
        _set(catalog, job_id, state="ready", stage=stage, progress=1.0, error=None)
        upload.unlink(missing_ok=True)
    except InputError as exc:  # the file itself is bad: nothing is kept
        _set(catalog, job_id, state="failed", stage="failed", error=exc.message)
        upload.unlink(missing_ok=True)
    except TalkarchiveError as exc:
        _set(catalog, job_id, state="failed", stage="failed", error=exc.message)
    except Exception as exc:  # noqa: BLE001 - recorded on the job; the upload stays for a retry
        _set(catalog, job_id, state="failed", stage="failed",
             error=f"{type(exc).__name__}: {exc}".splitlines()[0][:500])
    finally:
        stop.set()
        beater.join(5)


def retry(catalog: cat.Catalog, queue: Queue, job_id: str) -> cat.Job:
    job = get(catalog, job_id)
    if job.state != "failed":
        raise InputError(f"job {job_id} is {job.state}; only a failed job can be retried",
                         code="not_retryable")
    if not Path(job.upload_path).exists():
        raise InputError("the uploaded file is gone (it was not media); upload it again",
                         code="not_retryable")
    _set(catalog, job_id, state="queued", stage="queued", progress=0.0, error=None)
    queue.enqueue(job_id)
    return get(catalog, job_id)


def recover_stale(settings: Settings, catalog: cat.Catalog, queue: Queue) -> list[str]:
    """Queue again every running job whose worker stopped beating (killed, machine gone)."""
    cutoff = _now() - dt.timedelta(seconds=settings.job_stale_seconds)
    with catalog.session() as s:
        stale = [j.id for j in s.query(cat.Job).filter(cat.Job.state == "running",
                                                       cat.Job.heartbeat_at < cutoff).all()]
    for job_id in stale:
        queue.enqueue(job_id)
    return stale


def serve_worker(settings: Settings, stop: threading.Event | None = None) -> None:
    """The worker loop: a Huey consumer plus a watchdog that requeues stale jobs."""
    catalog = cat.Catalog(settings)
    name = worker_name()
    queue = Queue(settings, handler=lambda job_id: run(settings, catalog, job_id, name))
    halt = stop or threading.Event()

    def watchdog() -> None:
        while not halt.wait(max(1.0, settings.job_stale_seconds / 3)):
            with contextlib.suppress(Exception):  # the next round tries again
                recover_stale(settings, catalog, queue)
            with contextlib.suppress(Exception):  # index changes left by an outage
                if catalog.pending_outbox(1):
                    with meili.connect(settings, start=False) as client:
                        index.drain_outbox(settings, client, catalog)

    threading.Thread(target=watchdog, daemon=True, name="watchdog").start()
    consumer = queue.huey.create_consumer(workers=1, periodic=False, check_worker_health=True,
                                          max_delay=1.0)
    try:
        consumer.run()
    finally:
        halt.set()
        catalog.dispose()
