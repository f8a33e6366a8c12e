"""Job records: an ingest job is created by an upload or the CLI, run by a worker
(:mod:`ingest.worker`), and visible with its stage and progress. A worker killed in the middle
of a job loses nothing: its heartbeat stops, another worker (or the same one restarted) claims
the job again, and the deterministic ids of the pipeline mean the result has no duplicates."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import uuid
from pathlib import Path

from sqlalchemy import or_, update

from . import catalog as cat
from .catalog import JobState
from .clock import now
from .details import TalkDetails
from .errors import Conflict, InputError, NotFound, QueueUnavailable
from .queue import Queue
from .settings import Settings


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def submit(catalog: cat.Catalog, queue: Queue, upload: Path, file_name: str,
           meta: TalkDetails, talk_id: str | None = None,
           day: dict[str, str | None] | None = None) -> cat.Job:
    """Queue a recording; ``day`` ({"room", "starts_at"}) makes it a room's day recording,
    cut along the programme."""
    data = meta.model_dump() | ({"day": day} if day else {})
    job = cat.Job(id=uuid.uuid4().hex, talk_id=talk_id, upload_path=str(upload),
                  file_name=file_name, meta=data, state=JobState.QUEUED.value,
                  stage="queued")
    with catalog.session() as s:
        s.add(job)
    try:
        queue.enqueue(job.id)
    except QueueUnavailable:  # nothing is left behind: no job that waits forever
        with catalog.session() as s:
            s.query(cat.Job).filter_by(id=job.id).delete()
        raise
    return job


def get(catalog: cat.Catalog, job_id: str) -> cat.Job:
    with catalog.session() as s:
        job = s.get(cat.Job, job_id) if len(job_id) <= 32 else None
        if job is None:
            raise NotFound(f"no job {job_id!r}")
        return job


def exists(catalog: cat.Catalog, job_id: str) -> bool:
    with catalog.session() as s:
        return s.get(cat.Job, job_id) is not None


def recent(catalog: cat.Catalog, limit: int = 100) -> list[cat.Job]:
    with catalog.session() as s:
        return list(s.query(cat.Job).order_by(cat.Job.created_at.desc()).limit(limit).all())


def claim(catalog: cat.Catalog, job_id: str, worker: str, stale: float) -> bool:
    """Take the job if it is queued, or running with a stale heartbeat (its worker died)."""
    cutoff = now() - dt.timedelta(seconds=stale)
    with catalog.session() as s:
        result = s.execute(
            update(cat.Job)
            .where(cat.Job.id == job_id)
            .where(or_(cat.Job.state == JobState.QUEUED,
                       (cat.Job.state == JobState.RUNNING) & (cat.Job.heartbeat_at < cutoff)))
            .values(state=JobState.RUNNING.value, stage="starting", worker=worker,
                    heartbeat_at=now(), attempts=cat.Job.attempts + 1, error=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def record(catalog: cat.Catalog, job_id: str, **values: object) -> None:
    """Update a job's row (state, stage, progress, heartbeat, error)."""
    with catalog.session() as s:
        s.execute(update(cat.Job).where(cat.Job.id == job_id).values(**values))


def fail(catalog: cat.Catalog, job_id: str, error: str) -> None:
    record(catalog, job_id, state=JobState.FAILED.value, stage="failed", error=error[:500])


def retry(catalog: cat.Catalog, queue: Queue, job_id: str) -> cat.Job:
    job = get(catalog, job_id)
    if job.state != JobState.FAILED:
        raise InputError(f"job {job_id} is {job.state}; only a failed job can be retried",
                         code="not_retryable")
    if not Path(job.upload_path).exists():
        raise InputError("the uploaded file is gone (it was not media); upload it again",
                         code="not_retryable")
    record(catalog, job_id, state=JobState.QUEUED.value, stage="queued", progress=0.0, error=None)
    try:
        queue.enqueue(job_id)
    except QueueUnavailable:
        fail(catalog, job_id, "the job queue did not answer; retry once it is back")
        raise
    return get(catalog, job_id)


def delete_failed(settings: Settings, catalog: cat.Catalog, job_id: str) -> cat.Job:
    """Delete a failed job: its row (with the talk's details it carried), its upload and what
    it left in the work dir. A queued or running job is a 409; so is a job of an existing talk
    (delete the talk, which deletes its jobs)."""
    with catalog.exclusive(cat.TALK_LOCK), catalog.session() as s:
        job = s.get(cat.Job, job_id) if len(job_id) <= 32 else None
        if job is None:
            raise NotFound(f"no job {job_id!r}")
        if job.state != JobState.FAILED:
            raise Conflict(f"job {job_id} is {job.state}; only a failed job can be deleted",
                           code="not_deletable")
        if job.talk_id and s.get(cat.Talk, job.talk_id) is not None:
            raise Conflict(f"job {job_id} belongs to talk {job.talk_id}; delete the talk",
                           code="not_deletable")
        others = s.query(cat.Job).filter(cat.Job.talk_id == job.talk_id,
                                         cat.Job.id != job_id).count() if job.talk_id else 0
        s.delete(job)
    catalog.scrub()
    if job.upload_path:
        Path(job.upload_path).unlink(missing_ok=True)
    if job.talk_id and not others:
        shutil.rmtree(settings.work_dir / job.talk_id, ignore_errors=True)
    return job


def recover_stale(settings: Settings, catalog: cat.Catalog, queue: Queue) -> list[str]:
    """Queue again every running job whose worker stopped beating (killed, machine gone)."""
    cutoff = now() - dt.timedelta(seconds=settings.job_stale_seconds)
    with catalog.session() as s:
        stale = [j.id for j in s.query(cat.Job).filter(cat.Job.state == JobState.RUNNING,
                                                       cat.Job.heartbeat_at < cutoff).all()]
    for job_id in stale:
        queue.enqueue(job_id)
    return stale
