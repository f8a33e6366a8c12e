"""Long-running commands: ``serve`` (pages, API, media, and a worker) and ``worker``."""

from __future__ import annotations

import subprocess
import sys

import click

from archive import jobs
from archive.search import server
from archive.search.reindex import needs_rebuild

from .common import Context, err, open_catalog, pass_ctx, reindex_with_progress


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--worker/--no-worker", default=True, show_default=True,
              help="Also run a job worker (the embedded default).")
@pass_ctx
def serve(ctx: Context, host: str, port: int, worker: bool) -> None:
    """Serve the API, pages and media (and the managed Meilisearch on the embedded defaults)."""
    import uvicorn

    from api.app import create_app

    settings = ctx.settings
    with server.connect(settings) as client:
        with open_catalog(settings) as catalog:  # a new archive, or one indexed by an older version
            if needs_rebuild(settings, client, catalog):
                reindex_with_progress(settings, client, catalog, "building the search index")
        child = None
        if worker:
            child = subprocess.Popen([sys.executable, "-m", "talkarchive", "worker"])
        try:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                        http="httptools", loop="uvloop")
        finally:
            if child is not None:
                child.terminate()
                try:
                    child.wait(30)
                except subprocess.TimeoutExpired:
                    child.kill()


@click.command()
@pass_ctx
def worker(ctx: Context) -> None:
    """Run queued ingest jobs (any number of workers may share TALKARCHIVE_QUEUE_URL)."""
    from ingest.worker import serve_worker

    settings = ctx.settings
    err.print(f"worker {jobs.worker_name()} waiting for jobs", highlight=False)
    with server.connect(settings):
        serve_worker(settings)
