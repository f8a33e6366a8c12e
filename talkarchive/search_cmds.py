"""Commands that read the archive: ``search``, ``reindex``, ``embed`` and ``status``."""

from __future__ import annotations

import json

import click
from rich.console import Console

from archive.catalog import TalkStatus
from archive.errors import InputError
from archive.search import query, server
from archive.search.backfill import fill_archive
from archive.search.client import SearchClient
from archive.search.outbox import drain_outbox
from archive.search.reindex import ensure_index
from ingest import models

from .common import Context, open_catalog, pass_ctx, progress_bar, reindex_with_progress


@click.command()
@click.argument("text", metavar="QUERY")
@click.option("--event")
@click.option("--year", type=int)
@click.option("--town")
@click.option("--speaker")
@click.option("--language")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--exact", is_flag=True, help="Only the query's own words, not its meaning.")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as GET /api/search.")
@pass_ctx
def search(ctx: Context, text: str, event: str | None, year: int | None, town: str | None,
           speaker: str | None, language: str | None, page: int, exact: bool,
           as_json: bool) -> None:
    """Search all talks; every hit with the second its word was said, and sentences that mean
    what the query asks (marked "similar meaning") unless --exact."""
    settings = ctx.settings
    filters = query.Filters(event=event, year=year, town=town, speaker=speaker, language=language)
    with open_catalog(settings) as catalog, server.connect(settings) as client:
        ensure_index(settings, client, catalog)
        result = query.search(settings, client, text, filters, page, staff=True, exact=exact)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    out = Console()
    out.print(f"{result['total']} talk(s) for [bold]{text}[/bold]", highlight=False)
    for talk in result["talks"]:
        out.print(f"\n[bold]{talk['title']}[/bold]  {talk['id']}  "
                  f"{talk['event'] or ''} {talk['date'] or ''}", highlight=False)
        for seg in talk["segments"]:
            line = seg["text"].replace("<mark>", "[reverse]").replace("</mark>", "[/reverse]")
            minutes, seconds = divmod(int(seg["at"]), 60)
            tag = "  [dim](similar meaning)[/dim]" if seg["meaning"] else ""
            out.print(f"  {minutes:02d}:{seconds:02d}  {line}{tag}", highlight=False)


@click.command()
@click.option("-q", "--quiet", is_flag=True)
@pass_ctx
def reindex(ctx: Context, quiet: bool) -> None:
    """Rebuild the search index from the transcripts alone (swapped in when complete)."""
    settings = ctx.settings
    with open_catalog(settings) as catalog, server.connect(settings) as client:
        count = reindex_with_progress(settings, client, catalog, "indexing talks and segments",
                                      quiet)
    click.echo(f"reindexed {count} segments")


@click.command()
@click.option("-q", "--quiet", is_flag=True)
@pass_ctx
def embed(ctx: Context, quiet: bool) -> None:
    """Give the talks from before search by meaning their sentence vectors (only those
    missing are made), then bring them into the index. Vectors kept in the older ``.npz``
    format are rewritten in the current one on the way."""
    settings = ctx.settings
    if not settings.semantic:
        raise InputError("search by meaning is off (TALKARCHIVE_SEMANTIC=false)")
    with open_catalog(settings) as catalog:
        with progress_bar(quiet) as bar:
            task = bar.add_task("embedding sentences", total=None)
            changed, sentences = fill_archive(
                settings, catalog, lambda done, total: bar.update(task, completed=done, total=total))
        with server.connect(settings) as client:
            drain_outbox(settings, client, catalog)
    click.echo(f"embedded {sentences} sentences of {changed} talk(s)")


@click.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def status(ctx: Context, as_json: bool) -> None:
    """Talks, pending index changes, Meilisearch and models."""
    settings = ctx.settings
    with open_catalog(settings) as catalog:
        talks = catalog.talks()
        pending = len(catalog.pending_outbox(10000))
    up = SearchClient(settings.meili_url, None).healthy()
    info = {
        "data_dir": str(settings.data_dir.resolve()),
        "talks": len(talks),
        "ready": sum(t.status == TalkStatus.READY for t in talks),
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
