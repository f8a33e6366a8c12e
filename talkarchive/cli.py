"""The ``talkarchive`` command line. Errors are one line on stderr and a non-zero exit."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from . import catalog as cat
from . import formats, index, meili, models, pipeline
from . import search as search_mod
from . import transcript as tr
from .errors import InputError, NotFound, SearchUnavailable, TalkarchiveError
from .settings import Settings

err = Console(stderr=True)
EXIT_ERROR = 1
EXIT_INDEX_PENDING = 3


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
        transient=False,
    )


@contextmanager
def _catalog(settings: Settings) -> Iterator[cat.Catalog]:
    catalog = cat.Catalog(settings)
    try:
        yield catalog
    finally:
        catalog.dispose()


class Context:
    def __init__(self) -> None:
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = Settings()
            except ValidationError as exc:
                first = exc.errors()[0]
                name = "TALKARCHIVE_" + str(first["loc"][0]).upper()
                raise TalkarchiveError(f"setting {name}: {first['msg']}") from None
        return self._settings


pass_ctx = click.make_pass_decorator(Context, ensure=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """talkarchive: conference recordings with searchable, timestamped German transcripts."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title", help="Title (default: the file name).")
@click.option("--event", help="Event, e.g. 'Smart Cities Konferenz 2025'.")
@click.option("--date", help="Date of the talk, YYYY-MM-DD.")
@click.option("--speaker", "speakers", multiple=True, help="A speaker; repeat for several.")
@click.option("--town", help="Town, e.g. Soest.")
@click.option("--language", help="Spoken language code (default: TALKARCHIVE_LANGUAGE, de).")
@click.option("--glossary", help="Comma-separated names and terms that help the engine.")
@click.option("--unpublished", is_flag=True, help="Keep the talk out of public search.")
@click.option("--wait/--no-wait", default=True,
              help="Transcribe here and wait until searchable (default), or only queue jobs "
                   "for the workers (`talkarchive worker` or `serve`).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@pass_ctx
def ingest(ctx: Context, paths: tuple[Path, ...], title: str | None, event: str | None,
           date: str | None, speakers: tuple[str, ...], town: str | None,
           language: str | None, glossary: str | None, unpublished: bool, wait: bool,
           quiet: bool) -> None:
    """Transcribe recordings and make them searchable."""
    settings = ctx.settings
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.is_file()))
        else:
            files.append(p)
    meta = _talk_meta(len(files), title, event, date, speakers, town, language, glossary,
                      unpublished)
    if not wait:
        _enqueue(settings, files, meta)
        return
    failed = 0
    with _catalog(settings) as catalog:
        for path in files:
            try:
                with _progress(quiet) as bar:
                    task = bar.add_task(f"{path.name}: probing", total=1.0)

                    def report(stage: str, done: float, total: float,
                               task: Any = task, bar: Progress = bar, name: str = path.name) -> None:
                        bar.update(task, description=f"{name}: {stage}", completed=done,
                                   total=total or 1.0)

                    result = pipeline.ingest_file(settings, catalog, path, meta, report)
                    bar.update(task, description=f"{path.name}: done", completed=1, total=1)
            except TalkarchiveError as exc:
                failed += 1
                message = exc.message if str(path) in exc.message else f"{path}: {exc.message}"
                click.echo(f"error: {message}", err=True)
                continue
            except (OSError, RuntimeError, ValueError) as exc:  # an engine or disk failure
                failed += 1
                click.echo(f"error: {path}: {type(exc).__name__}: {exc}".splitlines()[0], err=True)
                continue
            talk = result.talk
            state = "transcribed" if result.created else "already in the archive"
            click.echo(f"{talk.id}  {state}: {talk.title} ({talk.segment_count} segments, "
                       f"{talk.duration:.0f} s)")
        try:
            with meili.connect(settings) as client:
                done = index.drain_outbox(settings, client, catalog)
                if done and not quiet:
                    err.print(f"indexed {done} talk(s)", highlight=False)
        except SearchUnavailable as exc:
            click.echo(f"warning: transcripts are kept but not yet searchable: {exc.message}; "
                       "run `talkarchive reindex` once Meilisearch is back", err=True)
            sys.exit(EXIT_INDEX_PENDING)
    if failed:
        sys.exit(EXIT_ERROR)


def _talk_meta(count: int, title: str | None, event: str | None, date: str | None,
               speakers: tuple[str, ...], town: str | None, language: str | None,
               glossary: str | None, unpublished: bool) -> pipeline.TalkMeta:
    """The metadata given on the command line; a title only names a single file."""
    return pipeline.TalkMeta(
        title=title if count == 1 else None, event=event, date=date, speakers=list(speakers),
        town=town, language=language,
        glossary=[g.strip() for g in (glossary or "").split(",") if g.strip()],
        published=not unpublished,
    )


def _enqueue(settings: Settings, files: list[Path], meta: pipeline.TalkMeta,
             exit_on_error: bool = True) -> None:
    """Queue a job per file; the file is copied below DATA_DIR first (the original stays)."""
    import shutil
    import uuid

    from . import jobs, media
    from .queue import Queue

    failed = 0
    queue = Queue(settings)
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    with _catalog(settings) as catalog:
        for path in files:
            try:
                meta.validate()
                media.probe(path)
            except TalkarchiveError as exc:
                failed += 1
                click.echo(f"error: {exc.message}", err=True)
                continue
            copy = uploads / f"{uuid.uuid4().hex}{path.suffix.lower()}"
            shutil.copyfile(path, copy)
            job = jobs.submit(catalog, queue, copy, path.name, meta)
            click.echo(f"{job.id}  queued: {path.name}")
    if failed and exit_on_error:
        sys.exit(EXIT_ERROR)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks.")
@click.option("--event")
@click.option("--town")
@pass_ctx
def watch(ctx: Context, folder: Path, interval: float, event: str | None,
          town: str | None) -> None:
    """Queue every recording that appears in FOLDER (once its size has settled)."""
    import time

    settings = ctx.settings
    seen_file = settings.data_dir / "watch-seen.txt"
    seen = set(seen_file.read_text().splitlines()) if seen_file.exists() else set()
    sizes: dict[Path, int] = {}
    click.echo(f"watching {folder} (Ctrl+C to stop)")
    while True:
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            key = f"{path.resolve()}:{path.stat().st_size}:{path.stat().st_mtime_ns}"
            if key in seen or path.name.startswith("."):
                continue
            size = path.stat().st_size
            if sizes.get(path) != size:  # still being written
                sizes[path] = size
                continue
            _enqueue(settings, [path], pipeline.TalkMeta(event=event, town=town), exit_on_error=False)
            seen.add(key)
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            with seen_file.open("a") as f:
                f.write(key + "\n")
        time.sleep(interval)


@cli.command()
@click.argument("query")
@click.option("--event")
@click.option("--year", type=int)
@click.option("--town")
@click.option("--speaker")
@click.option("--language")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as GET /api/search.")
@pass_ctx
def search(ctx: Context, query: str, event: str | None, year: int | None, town: str | None,
           speaker: str | None, language: str | None, page: int, as_json: bool) -> None:
    """Search all talks; every hit with the second its word was said."""
    settings = ctx.settings
    filters = search_mod.Filters(event=event, year=year, town=town, speaker=speaker,
                                 language=language)
    with _catalog(settings) as catalog, meili.connect(settings) as client:
        index.ensure_index(settings, client, catalog)
        result = search_mod.search(settings, client, query, filters, page, staff=True)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    out = Console()
    out.print(f"{result['total']} talk(s) for [bold]{query}[/bold]", highlight=False)
    for talk in result["talks"]:
        out.print(f"\n[bold]{talk['title']}[/bold]  {talk['id']}  "
                  f"{talk['event'] or ''} {talk['date'] or ''}", highlight=False)
        for seg in talk["segments"]:
            text = seg["text"].replace("<mark>", "[reverse]").replace("</mark>", "[/reverse]")
            minutes, seconds = divmod(int(seg["at"]), 60)
            out.print(f"  {minutes:02d}:{seconds:02d}  {text}", highlight=False)


@cli.command()
@click.argument("talk_id")
@click.option("--format", "fmt", type=click.Choice(sorted(formats.FORMATS)), required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to a file.")
@pass_ctx
def export(ctx: Context, talk_id: str, fmt: str, output: Path | None) -> None:
    """Print a talk's transcript as txt, json, srt, vtt or csv."""
    settings = ctx.settings
    with _catalog(settings) as catalog:
        talk = catalog.get(talk_id)
        if talk is None or talk.status != "ready":
            raise NotFound(f"no talk {talk_id!r}")
        transcript = tr.load(settings.transcripts_dir / f"{talk.id}.json")
        data = formats.render(transcript, talk.public_dict(), fmt).encode("utf-8")
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@cli.command()
@click.option("-q", "--quiet", is_flag=True)
@pass_ctx
def reindex(ctx: Context, quiet: bool) -> None:
    """Rebuild the search index from the transcripts alone (swapped in when complete)."""
    settings = ctx.settings
    with _catalog(settings) as catalog, meili.connect(settings) as client:
        count = _reindex(settings, client, catalog, "indexing talks and segments", quiet)
    click.echo(f"reindexed {count} segments")


def _reindex(settings: Settings, client: meili.MeiliClient, catalog: cat.Catalog, description: str,
             quiet: bool = False) -> int:
    """index.reindex with a progress bar."""
    with _progress(quiet) as bar:
        task = bar.add_task(description, total=None)
        count = index.reindex(settings, client, catalog,
                              lambda done, total: bar.update(task, completed=done, total=total))
        bar.update(task, completed=count, total=max(count, 1))
    return count


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def status(ctx: Context, as_json: bool) -> None:
    """Talks, pending index changes, Meilisearch and models."""
    settings = ctx.settings
    with _catalog(settings) as catalog:
        talks = catalog.talks()
        pending = len(catalog.pending_outbox(10000))
    client = meili.MeiliClient(settings.meili_url, None)
    try:
        up = client.healthy()
    finally:
        client.close()
    info = {
        "data_dir": str(settings.data_dir.resolve()),
        "talks": len(talks),
        "ready": sum(t.status == "ready" for t in talks),
        "segments": sum(t.segment_count for t in talks),
        "index_pending": pending,
        "meilisearch": settings.meili_url + (" (up)" if up else " (not running)"),
        "engine": f"{settings.engine} / {settings.model} / {settings.device}",
        "models": [m["name"] for m in models.installed(settings)],
    }
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=1))
    else:
        for key, value in info.items():
            click.echo(f"{key:14} {value}")


@cli.group(name="models")
def models_group() -> None:
    """Whisper model files (verified by sha256)."""


@models_group.command("fetch")
@pass_ctx
def models_fetch(ctx: Context) -> None:
    """Install the base model for both engines (idempotent)."""
    files = models.fetch_base(ctx.settings, log=lambda m: err.print(m, highlight=False))
    click.echo(f"base model ready: {files.directory} (sha256 {files.sha256})")


@models_group.command("list")
@pass_ctx
def models_list(ctx: Context) -> None:
    """Installed models."""
    rows = models.installed(ctx.settings)
    if not rows:
        click.echo("no models installed: run `talkarchive models fetch`")
        return
    table = Table("name", "engines", "MB", "sha256", "path")
    for r in rows:
        table.add_row(r["name"], r["engines"], r["size_mb"], r["sha256"][:16] + "…", r["path"])
    Console().print(table)


@cli.group(name="meilisearch")
def meili_group() -> None:
    """The pinned Meilisearch binary."""


@meili_group.command("fetch")
@pass_ctx
def meili_fetch(ctx: Context) -> None:
    """Install the pinned Meilisearch binary, verified by sha256 (idempotent)."""
    path = meili.fetch_binary(ctx.settings, log=lambda m: err.print(m, highlight=False))
    click.echo(f"Meilisearch {meili.MEILI_VERSION} ready: {path}")


@cli.group(name="swagger-ui")
def swagger_group() -> None:
    """Swagger UI for the API docs at /docs, served from this machine."""


@swagger_group.command("fetch")
@pass_ctx
def swagger_fetch(ctx: Context) -> None:
    """Install the pinned Swagger UI files, verified by sha256 (idempotent)."""
    from . import docs_ui

    path = docs_ui.fetch(ctx.settings, log=lambda m: err.print(m, highlight=False))
    click.echo(f"Swagger UI {docs_ui.SWAGGER_VERSION} ready: {path}")


@cli.command()
@click.option("-q", "--quiet", is_flag=True)
@pass_ctx
def demo(ctx: Context, quiet: bool) -> None:
    """Ingest the demo talks into an empty archive (nothing happens when it has talks)."""
    from . import demo as demo_mod

    settings = ctx.settings
    with _catalog(settings) as catalog:
        if catalog.talks():
            click.echo("the archive has talks already; no demo talks added")
            return
        folder = settings.data_dir / "demo"
        for talk in demo_mod.DEMO_TALKS:
            path, _ = demo_mod.render_demo(talk, folder)
            meta = pipeline.TalkMeta(title=talk.title, event=talk.event, date=talk.date,
                                     speakers=list(talk.speakers), town=talk.town)
            with _progress(quiet) as bar:
                task = bar.add_task(talk.title, total=1.0)

                def report(stage: str, done: float, total: float, task: Any = task,
                           bar: Progress = bar) -> None:
                    bar.update(task, completed=done, total=total or 1.0)

                pipeline.ingest_file(settings, catalog, path, meta, report)
                bar.update(task, completed=1, total=1)
            path.unlink()
        with meili.connect(settings) as client:
            index.drain_outbox(settings, client, catalog)
    click.echo(f"added {len(demo_mod.DEMO_TALKS)} demo talks")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--worker/--no-worker", default=True, show_default=True,
              help="Also run a job worker (the embedded default).")
@pass_ctx
def serve(ctx: Context, host: str, port: int, worker: bool) -> None:
    """Serve the API, pages and media (and the managed Meilisearch on the embedded defaults)."""
    import subprocess

    import uvicorn

    from api.app import create_app

    settings = ctx.settings
    with meili.connect(settings) as client:
        with _catalog(settings) as catalog:  # a new archive, or one indexed by an older version
            if index.needs_rebuild(settings, client, catalog):
                _reindex(settings, client, catalog, "building the search index")
        child = None
        if worker:
            child = subprocess.Popen([sys.executable, "-m", "ingest.cli", "worker"])
        try:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        finally:
            if child is not None:
                child.terminate()
                try:
                    child.wait(30)
                except subprocess.TimeoutExpired:
                    child.kill()


@cli.command()
@pass_ctx
def worker(ctx: Context) -> None:
    """Run queued ingest jobs (any number of workers may share TALKARCHIVE_QUEUE_URL)."""
    from . import jobs

    settings = ctx.settings
    err.print(f"worker {jobs.worker_name()} waiting for jobs", highlight=False)
    with meili.connect(settings):
        jobs.serve_worker(settings)


@cli.group()
def token() -> None:
    """Staff tokens (shown once, stored hashed)."""


@token.command("create")
@click.option("--name", required=True, help="Who the token is for.")
@pass_ctx
def token_create(ctx: Context, name: str) -> None:
    """Create a token and print it (the last word of the output)."""
    from . import auth

    with _catalog(ctx.settings) as catalog:
        value = auth.create_token(catalog, name)
    click.echo(f"token for {name} (shown only now): {value}")


@token.command("list")
@pass_ctx
def token_list(ctx: Context) -> None:
    """Tokens with their state (never the token itself)."""
    from . import auth

    with _catalog(ctx.settings) as catalog:
        rows = auth.list_tokens(catalog)
    table = Table("id", "name", "created", "last used", "state")
    for t in rows:
        table.add_row(str(t.id), t.name, f"{t.created_at:%Y-%m-%d %H:%M}",
                      f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-",
                      "revoked" if t.revoked_at else "active")
    Console().print(table)


@token.command("revoke")
@click.argument("name_or_id")
@pass_ctx
def token_revoke(ctx: Context, name_or_id: str) -> None:
    """Revoke the active token(s) with this name or id; their sessions end."""
    from . import auth

    with _catalog(ctx.settings) as catalog:
        count = auth.revoke_token(catalog, name_or_id)
    click.echo(f"revoked {count} token(s)")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        err.print("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TalkarchiveError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2 if isinstance(exc, InputError) else EXIT_ERROR)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - one line, never a stack trace
        click.echo(f"error: unexpected {type(exc).__name__}: {exc}".splitlines()[0], err=True)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
