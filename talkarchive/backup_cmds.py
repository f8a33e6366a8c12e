"""``backup`` (catalog, transcripts, optionally media, in one tar file) and ``restore`` (into an
empty data dir, then the search index is rebuilt)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from archive import backup as backups
from archive.errors import SearchUnavailable
from archive.search import server

from .common import (
    EXIT_INDEX_PENDING,
    Context,
    open_catalog,
    pass_ctx,
    progress_bar,
    reindex_with_progress,
)


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The backup file (a .tar.gz).")
@click.option("--media/--no-media", default=False, show_default=True,
              help="Also the recordings, web renditions and posters.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@pass_ctx
def backup(ctx: Context, output: Path, media: bool, quiet: bool) -> None:
    """Write the catalog and the transcripts (and with --media the media) to one file. The
    search index is not in it: `restore` rebuilds it."""
    settings = ctx.settings
    part = output.with_name(output.name + ".part")  # a reader never sees half a backup
    try:
        with open_catalog(settings) as catalog, part.open("wb") as out, \
                progress_bar(quiet) as bar:
            task = bar.add_task("backing up", total=None)
            manifest = backups.backup(settings, catalog, out, media=media,
                                      progress=lambda _s, d, t: bar.update(task, completed=d,
                                                                           total=t))
        os.replace(part, output)
    finally:
        part.unlink(missing_ok=True)
    rows = manifest["rows"]
    click.echo(f"{output}: {rows.get('talks', 0)} talk(s), {manifest['files']} file(s)"
               f"{' with media' if media else ''}, {output.stat().st_size:,} bytes")


@click.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@pass_ctx
def restore(ctx: Context, file: Path, quiet: bool) -> None:
    """Restore a backup into an empty TALKARCHIVE_DATA_DIR and rebuild the search index."""
    settings = ctx.settings
    with progress_bar(quiet) as bar:
        task = bar.add_task("restoring", total=None)
        manifest = backups.restore(settings, file, lambda _s, d, t: bar.update(
            task, completed=d, total=t))
    click.echo(f"restored {manifest['rows'].get('talks', 0)} talk(s) from {file} "
               f"(made {manifest['created'][:10]}) into {settings.data_dir}")
    try:
        with server.connect(settings) as client, open_catalog(settings) as catalog:
            reindex_with_progress(settings, client, catalog, "building the search index", quiet)
    except SearchUnavailable as exc:
        click.echo(f"warning: restored, but not yet searchable: {exc.message}; run "
                   "`talkarchive reindex` once Meilisearch is reachable", err=True)
        sys.exit(EXIT_INDEX_PENDING)
