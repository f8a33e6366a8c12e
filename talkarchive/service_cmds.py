"""Long-running commands: ``serve`` (pages, API, media, and a worker) and ``worker``."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from types import FrameType

import click

from archive import jobs
from archive.search import server
from archive.search.outbox import drain_outbox
from archive.search.reindex import needs_rebuild
from archive.settings import Settings

from .common import Context, err, open_catalog, pass_ctx, reindex_with_progress


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--worker/--no-worker", default=True, show_default=True,
              help="Also run a job worker (the embedded default).")
@click.option("--workers", "processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="API processes sharing the port (one job worker still serves them all).")
@pass_ctx
def serve(ctx: Context, host: str, port: int, worker: bool, processes: int) -> None:
    """Serve the API, pages and media (and the managed Meilisearch on the embedded defaults)."""
    import uvicorn

    from api.app import create_app

    settings = ctx.settings
    with server.connect(settings, supervise=lambda: _catch_up(settings)) as client:
        with open_catalog(settings) as catalog:  # a new archive, or one indexed by an older version
            if needs_rebuild(settings, client, catalog):
                reindex_with_progress(settings, client, catalog, "building the search index")
        # its own process group, so that stopping it also stops what its job runs (ffmpeg)
        child = subprocess.Popen([sys.executable, "-m", "talkarchive", "worker"],
                                 start_new_session=True) if worker else None

        def stop_worker() -> None:
            if child is not None and child.poll() is None:
                _signal_group(child, signal.SIGTERM)
                try:
                    child.wait(30)
                except subprocess.TimeoutExpired:
                    _signal_group(child, signal.SIGKILL)
                    child.wait()

        # uvicorn shuts down on SIGTERM, restores the handler it found and raises the signal
        # again: with this handler the blocks around unwind (the worker and a managed
        # Meilisearch are stopped) instead of the process dying on the spot.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            if processes == 1:
                uvicorn.run(create_app(settings, settle=True), host=host, port=port,
                            log_level="info", http="httptools", loop="uvloop")
            else:  # each process builds its app from the same environment
                uvicorn.run("api.app:app_from_environment", factory=True, workers=processes,
                            host=host, port=port, log_level="info", http="httptools",
                            loop="uvloop")
        finally:
            stop_worker()


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _catch_up(settings: Settings) -> None:
    """After the managed Meilisearch restarted: the index changes made while it was away."""
    with server.connect(settings, start=False) as client, open_catalog(settings) as catalog:
        done = drain_outbox(settings, client, catalog)
    if done:
        err.print(f"search index caught up: {done} talk(s)", highlight=False)


@click.command()
@pass_ctx
def worker(ctx: Context) -> None:
    """Run queued ingest jobs (any number of workers may share TALKARCHIVE_QUEUE_URL)."""
    from ingest.worker import serve_worker

    settings = ctx.settings
    err.print(f"worker {jobs.worker_name()} waiting for jobs", highlight=False)
    with server.connect(settings):
        serve_worker(settings)
