"""Commands for researchers: ``export`` (one talk in any format), ``corpus`` (every matching
talk in one ZIP) and ``cite`` (a talk or a moment as CSL-JSON, BibTeX, RIS or text)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from archive import citations, clock, corpus, exports
from archive import transcript as tr
from archive.catalog import Catalog, Talk, TalkStatus
from archive.errors import InputError, NotFound
from archive.paths import transcript_path
from archive.search import query, server
from archive.search.reindex import ensure_index

from .common import Context, open_catalog, pass_ctx, progress_bar


def _ready(catalog: Catalog, talk_id: str) -> Talk:
    talk = catalog.get(talk_id) if len(talk_id) <= 64 else None
    if talk is None or talk.status != TalkStatus.READY:
        raise NotFound(f"no talk {talk_id[:64]!r}")
    return talk


def _write(data: bytes, output: Path | None) -> None:
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@click.command()
@click.argument("talk_id")
@click.option("--format", "fmt", type=click.Choice(list(exports.MEDIA_TYPES)), required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to a file.")
@pass_ctx
def export(ctx: Context, talk_id: str, fmt: str, output: Path | None) -> None:
    """Print a talk's transcript: txt, json, srt, vtt, csv, or tei, eaf, textgrid, iiif."""
    settings = ctx.settings
    with open_catalog(settings) as catalog:
        talk = _ready(catalog, talk_id)
        path = transcript_path(settings, talk.id)
        if not path.is_file():
            raise NotFound(f"the transcript of {talk.id} is missing ({path})")
        shown = exports.links(talk.public_dict(), settings.base_url())
        data = exports.render(tr.load(path), shown, fmt).encode("utf-8")
    _write(data, output)


@click.command()
@click.argument("talk_id")
@click.option("-t", "--at", "t", type=click.FloatRange(0, 86_400), help="A moment, in seconds.")
@click.option("--format", "fmt", type=click.Choice(["text", "csl.json", "bib", "ris"]),
              default="text", show_default=True)
@pass_ctx
def cite(ctx: Context, talk_id: str, t: float | None, fmt: str) -> None:
    """Cite a talk, or the moment at --at seconds."""
    settings = ctx.settings
    with open_catalog(settings) as catalog:
        talk = _ready(catalog, talk_id)
    shown = exports.links(talk.public_dict(), settings.base_url())
    today = clock.now().date()
    if fmt == "text":
        click.echo(citations.german_text(shown, shown["url"], t, today))
    elif fmt == "csl.json":
        click.echo(json.dumps([citations.csl_json(shown, shown["url"], t, today)],
                              ensure_ascii=False, indent=1))
    else:
        writer = citations.bibtex if fmt == "bib" else citations.ris
        click.echo(writer(shown, shown["url"], t, today), nl=False)


@click.command(name="corpus")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The ZIP to write.")
@click.option("--q", "text", default="", help="Search words (all published talks without).")
@click.option("--event")
@click.option("--year", type=int)
@click.option("--town")
@click.option("--speaker")
@click.option("--language")
@click.option("--formats", "fmts", default=",".join(corpus.DEFAULT_FORMATS), show_default=True,
              help=f"Comma separated: {', '.join(exports.MEDIA_TYPES)}.")
@click.option("-q", "--quiet", is_flag=True)
@pass_ctx
def corpus_cmd(ctx: Context, output: Path, text: str, event: str | None, year: int | None,
               town: str | None, speaker: str | None, language: str | None, fmts: str,
               quiet: bool) -> None:
    """Every published talk that matches, in one ZIP: the transcripts in the chosen formats,
    talks.csv/json, segments.jsonl, citations and a README."""
    settings = ctx.settings
    chosen = exports.parse_formats(fmts, corpus.DEFAULT_FORMATS)
    if output.suffix.lower() != ".zip":
        raise InputError(f"{output} should end in .zip")
    filters = query.Filters(event=event, year=year, town=town, speaker=speaker, language=language)
    with open_catalog(settings) as catalog, server.connect(settings) as client:
        ensure_index(settings, client, catalog)
        selection = corpus.select(settings, catalog, client, text, filters, chosen)
    part = output.with_name(output.name + ".part")
    with progress_bar(quiet) as bar:
        task = bar.add_task("corpus", total=max(1, len(selection.talks)))

        def report(stage: str, done: float, total: float) -> None:
            bar.update(task, description=stage, completed=done)

        try:
            with part.open("wb") as out:
                for chunk in corpus.stream(settings, selection, settings.base_url(),
                                           progress=report):
                    out.write(chunk)
            os.replace(part, output)
        finally:
            part.unlink(missing_ok=True)
    click.echo(f"{output}: {len(selection.talks)} talk(s), {output.stat().st_size:,} bytes")
