"""The worker that runs ingest jobs: a Huey consumer that claims each job, beats a heartbeat
while it runs the pipeline, records stage and progress, and indexes the result; plus a watchdog
that queues again the jobs of workers that died and drains index changes left by an outage."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from archive import catalog as cat
from archive import jobs
from archive.catalog import JobState
from archive.clock import now
from archive.details import TalkDetails
from archive.errors import InputError, JobCancelled, SearchUnavailable, TalkarchiveError
from archive.queue import Queue
from archive.search import server
from archive.search.outbox import drain_outbox
from archive.settings import Settings

from . import dayrecording, pipeline

HEARTBEAT_SECONDS = 2.0
PROGRESS_SECONDS = 0.5
log = logging.getLogger("talkarchive.worker")


@contextlib.contextmanager
def _heartbeat(catalog: cat.Catalog, job_id: str) -> Iterator[None]:
    """Beat every HEARTBEAT_SECONDS while the block runs; a silent job is taken over."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            jobs.record(catalog, job_id, heartbeat_at=now())

    beater = threading.Thread(target=beat, daemon=True, name=f"heartbeat-{job_id[:8]}")
    beater.start()
    try:
        yield
    finally:
        stop.set()
        beater.join(5)


def _progress_recorder(catalog: cat.Catalog, job_id: str) -> pipeline.Progress:
    """Write stage and progress to the job, at most every PROGRESS_SECONDS within a stage."""
    last_time, last_stage = [0.0], [""]

    def progress(stage: str, done: float, total: float) -> None:
        moment = time.monotonic()
        if stage != last_stage[0] or moment - last_time[0] >= PROGRESS_SECONDS:
            last_time[0], last_stage[0] = moment, stage
            fraction = done / total if total else 0.0
            jobs.record(catalog, job_id, stage=stage, progress=min(max(fraction, 0.0), 1.0) * 0.95)

    return progress


def _ingest(settings: Settings, catalog: cat.Catalog, job: cat.Job) -> str | None:
    """The job's talk: one recording, or a room's day recording cut into its talks (then the
    job names its first talk)."""
    data = dict(job.meta)
    day = data.pop("day", None)
    progress = _progress_recorder(catalog, job.id)
    if day:
        starts = day.get("starts_at")
        found = dayrecording.ingest_day(
            settings, catalog, Path(job.upload_path), day["room"],
            dt.datetime.fromisoformat(starts) if starts else None, progress, job.file_name,
            job.id)
        return next(iter(found.talks.values()), None)
    meta = TalkDetails.model_validate(data)
    result = pipeline.ingest_file(settings, catalog, Path(job.upload_path), meta, progress,
                                  job.file_name, job.id)
    return result.talk.id


def _ingest_and_index(settings: Settings, catalog: cat.Catalog, job: cat.Job) -> None:
    talk_id = _ingest(settings, catalog, job)
    jobs.record(catalog, job.id, talk_id=talk_id, stage="indexing", progress=0.97)
    stage = "ready"
    try:
        with server.connect(settings) as client:
            drain_outbox(settings, client, catalog)
    except SearchUnavailable:
        stage = "ready (search index pending)"
    jobs.record(catalog, job.id, state=JobState.READY.value, stage=stage, progress=1.0, error=None)


def run(settings: Settings, catalog: cat.Catalog, job_id: str, worker: str | None = None) -> None:
    """Run one job to ready or failed. Returns quietly when another worker has it."""
    if not jobs.claim(catalog, job_id, worker or jobs.worker_name(), settings.job_stale_seconds):
        return
    job = jobs.get(catalog, job_id)
    upload = Path(job.upload_path)
    with _heartbeat(catalog, job_id):
        try:
            _ingest_and_index(settings, catalog, job)
            upload.unlink(missing_ok=True)
        except Exception as exc:  # noqa: BLE001 - recorded on the job (or it was deleted)
            _failed(catalog, job_id, upload, exc)


def _failed(catalog: cat.Catalog, job_id: str, upload: Path, exc: Exception) -> None:
    """A bad file keeps nothing; another failure keeps the upload for a retry; a job whose row
    is gone (its talk was deleted while it ran, GDPR) leaves nothing at all."""
    if isinstance(exc, JobCancelled) or not jobs.exists(catalog, job_id):
        upload.unlink(missing_ok=True)
        log.info("job %s: its talk was deleted while it ran; nothing kept", job_id)
    elif isinstance(exc, InputError):  # the file itself is bad: nothing is kept
        jobs.fail(catalog, job_id, exc.message)
        upload.unlink(missing_ok=True)
    elif isinstance(exc, TalkarchiveError):
        jobs.fail(catalog, job_id, exc.message)
    else:
        jobs.fail(catalog, job_id, f"{type(exc).__name__}: {exc}".splitlines()[0])


def _watchdog(settings: Settings, catalog: cat.Catalog, queue: Queue, halt: threading.Event) -> None:
    while not halt.wait(max(1.0, settings.job_stale_seconds / 3)):
        with contextlib.suppress(Exception):  # the next round tries again
            jobs.recover_stale(settings, catalog, queue)
        with contextlib.suppress(Exception):  # index changes left by an outage
            if catalog.pending_outbox(1):
                with server.connect(settings, start=False) as client:
                    drain_outbox(settings, client, catalog)


def serve_worker(settings: Settings, stop: threading.Event | None = None) -> None:
    """The worker loop: a Huey consumer plus a watchdog that requeues stale jobs."""
    catalog = cat.Catalog(settings)
    name = jobs.worker_name()
    queue = Queue(settings, handler=lambda job_id: run(settings, catalog, job_id, name))
    halt = stop or threading.Event()
    threading.Thread(target=_watchdog, args=(settings, catalog, queue, halt), daemon=True,
                     name="watchdog").start()
    consumer = queue.huey.create_consumer(workers=1, periodic=False, check_worker_health=True,
                                          max_delay=1.0)
    try:
        consumer.run()
    finally:
        halt.set()
        catalog.dispose()
