"""Commands that bring recordings in: ``ingest`` (here, or queued for workers), ``watch`` (a
folder) and ``demo`` (our own demo talks into an empty archive)."""

from __future__ import annotations

import shutil
import sys
import time
import uuid
from pathlib import Path

import click

from archive import catalog as cat
from archive import details, jobs
from archive.details import TalkDetails
from archive.errors import InputError, QueueUnavailable, SearchUnavailable, TalkarchiveError
from archive.queue import Queue
from archive.search import server
from archive.search.outbox import drain_outbox
from archive.settings import Settings
from ingest import media, pipeline

from . import day_cmds
from .common import (
    EXIT_ERROR,
    EXIT_INDEX_PENDING,
    Context,
    err,
    open_catalog,
    pass_ctx,
    progress_bar,
    stage_reporter,
)


def _files(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
            if not found:
                raise InputError(f"no recordings in {p}")
            files.extend(found)
        else:
            files.append(p)
    return files


def _ingest_one(settings: Settings, catalog: cat.Catalog, path: Path, meta: TalkDetails,
                quiet: bool) -> bool:
    """Transcribe one file here with a progress bar; prints its line. False when it failed."""
    try:
        with progress_bar(quiet) as bar:
            task = bar.add_task(f"{path.name}: probing", total=1.0)
            result = pipeline.ingest_file(settings, catalog, path, meta,
                                          stage_reporter(bar, task, path.name))
            bar.update(task, description=f"{path.name}: done", completed=1, total=1)
    except TalkarchiveError as exc:
        message = exc.message if str(path) in exc.message else f"{path}: {exc.message}"
        click.echo(f"error: {message}", err=True)
        return False
    except (OSError, RuntimeError, ValueError) as exc:  # an engine or disk failure
        click.echo(f"error: {path}: {type(exc).__name__}: {exc}".splitlines()[0], err=True)
        return False
    talk = result.talk
    state = "transcribed" if result.created else "already in the archive"
    click.echo(f"{talk.id}  {state}: {talk.title} ({talk.segment_count} segments, "
               f"{talk.duration:.0f} s)")
    return True


def _index(settings: Settings, catalog: cat.Catalog, quiet: bool) -> None:
    try:
        with server.connect(settings) as client:
            done = drain_outbox(settings, client, catalog)
            if done and not quiet:
                err.print(f"indexed {done} talk(s)", highlight=False)
    except SearchUnavailable as exc:
        click.echo(f"warning: transcripts are kept but not yet searchable: {exc.message} "
                   f"({settings.meili_url}); run `talkarchive reindex` once Meilisearch is back",
                   err=True)
        sys.exit(EXIT_INDEX_PENDING)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title", help="Title (default: the file name).")
@click.option("--event", help="Event, e.g. 'Smart Cities Konferenz 2025'.")
@click.option("--date", help="Date of the talk, YYYY-MM-DD.")
@click.option("--speaker", "speakers", multiple=True, help="A speaker; repeat for several.")
@click.option("--town", help="Town, e.g. Soest.")
@click.option("--language", help="Spoken language code (default: TALKARCHIVE_LANGUAGE, de).")
@click.option("--glossary", help="Comma-separated names and terms that help the engine.")
@click.option("--unpublished", is_flag=True, help="Keep the talk out of public search.")
@click.option("--room", help="A room's day recording: cut it into that room's talks of the "
              "imported programme (`talkarchive programme import`).")
@click.option("--starts-at", help="With --room: when the recording started, e.g. "
              "2025-09-18T09:00+02:00 (default: the file's creation_time).")
@click.option("--wait/--no-wait", default=True,
              help="Transcribe here and wait until searchable (default), or only queue jobs "
                   "for the workers (`talkarchive worker` or `serve`).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@pass_ctx
def ingest(ctx: Context, paths: tuple[Path, ...], title: str | None, event: str | None,
           date: str | None, speakers: tuple[str, ...], town: str | None,
           language: str | None, glossary: str | None, unpublished: bool, room: str | None,
           starts_at: str | None, wait: bool, quiet: bool) -> None:
    """Transcribe recordings and make them searchable."""
    settings = ctx.settings
    files = _files(paths)
    if room or starts_at:
        _day(settings, files, room, starts_at, wait, quiet)
        return
    meta = details.parse({  # a title only names a single file
        "title": title if len(files) == 1 else None, "event": event, "date": date,
        "speakers": list(speakers), "town": town, "language": language,
        "glossary": details.split_list(glossary), "published": not unpublished})
    if not wait:
        _enqueue(settings, files, meta)
        return
    with open_catalog(settings) as catalog:
        failed = sum(not _ingest_one(settings, catalog, path, meta, quiet) for path in files)
        _index(settings, catalog, quiet)
    if failed:
        sys.exit(EXIT_ERROR)


def _day(settings: Settings, files: list[Path], room: str | None, starts_at: str | None,
         wait: bool, quiet: bool) -> None:
    """A day recording: one file, its room, cut along the programme."""
    if not room:
        raise InputError("--starts-at goes with --room (a room's day recording)")
    if len(files) != 1:
        raise InputError("--room takes one day recording at a time")
    if not wait:
        raise InputError("--room runs here (--wait); queue a day recording through /admin")
    with open_catalog(settings) as catalog:
        day_cmds.ingest_day(settings, catalog, files[0], room, starts_at, quiet)
        _index(settings, catalog, quiet)


def _enqueue(settings: Settings, files: list[Path], meta: TalkDetails,
             exit_on_error: bool = True) -> None:
    """Queue a job per file; the file is copied below DATA_DIR first (the original stays)."""
    failed = 0
    queue = Queue(settings)
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    with open_catalog(settings) as catalog:
        for path in files:
            try:
                media.probe(path)
            except TalkarchiveError as exc:
                failed += 1
                click.echo(f"error: {exc.message}", err=True)
                continue
            copy = uploads / f"{uuid.uuid4().hex}{path.suffix.lower()}"
            shutil.copyfile(path, copy)
            try:
                job = jobs.submit(catalog, queue, copy, path.name, meta)
            except QueueUnavailable as exc:  # nothing left behind; the original stays
                copy.unlink(missing_ok=True)
                failed += 1
                click.echo(f"error: {path}: {exc.message}", err=True)
                continue
            click.echo(f"{job.id}  queued: {path.name}")
    if failed and exit_on_error:
        sys.exit(EXIT_ERROR)


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--interval", default=2.0, show_default=True, help="Seconds between looks.")
@click.option("--event")
@click.option("--town")
@pass_ctx
def watch(ctx: Context, folder: Path, interval: float, event: str | None,
          town: str | None) -> None:
    """Queue every recording that appears in FOLDER (once its size has settled)."""
    settings = ctx.settings
    meta = details.parse({"event": event, "town": town})
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
            _enqueue(settings, [path], meta, exit_on_error=False)
            seen.add(key)
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            with seen_file.open("a") as f:
                f.write(key + "\n")
        time.sleep(interval)


@click.command()
@click.argument("talk_id", required=False)
@click.option("--all", "every", is_flag=True, help="Every talk in the archive.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@pass_ctx
def rediarize(ctx: Context, talk_id: str | None, every: bool, quiet: bool) -> None:
    """Find the speaker turns of stored talks again (corrections and names are kept)."""
    settings = ctx.settings
    if bool(talk_id) == every:
        raise InputError("name one talk id, or --all")
    with open_catalog(settings) as catalog:
        ids = [t.id for t in catalog.talks()] if every else [str(talk_id)]
        with progress_bar(quiet) as bar:
            overall = bar.add_task("rediarizing", total=len(ids))
            for talk in ids:
                task = bar.add_task(talk, total=1.0)
                transcript = pipeline.rediarize(settings, catalog, talk, stage_reporter(bar, task, talk))
                bar.update(task, completed=1, total=1)
                bar.advance(overall)
                click.echo(f"{talk}  {len(transcript.voices)} speaker(s), "
                           f"{len(transcript.segments)} segments")
        _index(settings, catalog, quiet)


@click.command()
@click.option("-q", "--quiet", is_flag=True)
@pass_ctx
def demo(ctx: Context, quiet: bool) -> None:
    """Ingest the demo talks into an empty archive (nothing happens when it has talks)."""
    from ingest import demo as demo_mod

    settings = ctx.settings
    with open_catalog(settings) as catalog:
        if catalog.talks():
            click.echo("the archive has talks already; no demo talks added")
            return
        folder = settings.data_dir / "demo"
        for talk in demo_mod.DEMO_TALKS:
            path, _ = demo_mod.render_demo(talk, folder)
            meta = TalkDetails(title=talk.title, event=talk.event, date=talk.date,
                               speakers=list(talk.speakers), town=talk.town,
                               glossary=list(talk.glossary))
            with progress_bar(quiet) as bar:
                task = bar.add_task(talk.title, total=1.0)
                pipeline.ingest_file(settings, catalog, path, meta, stage_reporter(bar, task))
                bar.update(task, completed=1, total=1)
            path.unlink()
        with server.connect(settings) as client:
            drain_outbox(settings, client, catalog)
    click.echo(f"added {len(demo_mod.DEMO_TALKS)} demo talks")
