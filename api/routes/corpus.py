"""``GET /api/corpus.zip``: every published talk a search matches, in the chosen formats, with
metadata, sentences, citations and a README, streamed (:mod:`archive.corpus`)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from archive import corpus, exports
from archive.errors import Busy
from archive.search import query

from .. import schemas
from ..deps import CatalogDep, SearchDep, SettingsDep
from .search import FilterText, Language, Year

router = APIRouter()
MAX_BUILDS = 2  # a corpus keeps a core busy: at most this many at once, per server process
BUILDS = threading.BoundedSemaphore(MAX_BUILDS)


class _Slot:
    def __init__(self) -> None:
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            BUILDS.release()


def _released(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The stream, giving its build slot back when it ends, fails, the client leaves, or it is
    dropped before it started (a generator that never ran has no ``finally`` to run)."""
    slot = _Slot()

    def run() -> Iterator[bytes]:
        try:
            yield from chunks
        finally:
            slot.release()

    stream = run()
    weakref.finalize(stream, slot.release)
    return stream


@router.get("/api/corpus.zip", responses={
    **schemas.ERRORS, 200: {"content": {"application/zip": {}},
                            "description": "The corpus as a ZIP"}})
async def corpus_zip(
    request: Request,
    settings: SettingsDep,
    catalog: CatalogDep,
    client: SearchDep,
    q: Annotated[str, Query(max_length=query.MAX_QUERY)] = "",
    event: FilterText = None,
    year: Year = None,
    town: FilterText = None,
    speaker: FilterText = None,
    language: Language = None,
    formats: Annotated[str | None, Query(  # the pattern documents; parse_formats names the known
        max_length=200, json_schema_extra={"pattern": exports.FORMATS_PATTERN},
        description="e.g. json,tei,vtt")] = None,
) -> StreamingResponse:
    """All published talks that match (not one page), each in the chosen formats
    (default json, tei, vtt), with talks.csv/json, segments.jsonl, citations and a README.
    Unpublished talks are never in it, not even for staff."""
    fmts = exports.parse_formats(formats, corpus.DEFAULT_FORMATS)
    filters = query.Filters(event, year, town, speaker, language)
    if not BUILDS.acquire(blocking=False):
        raise Busy(f"{MAX_BUILDS} corpora are being built; try again in a minute", code="corpus_busy")
    try:
        selection = await run_in_threadpool(corpus.select, settings, catalog, client, q, filters,
                                            fmts)
    except BaseException:
        BUILDS.release()
        raise
    chunks = _released(corpus.stream(settings, selection, settings.base_url(str(request.base_url))))
    return StreamingResponse(chunks, media_type="application/zip", headers={
        "Content-Disposition": 'attachment; filename="talkarchive-korpus.zip"',
        "Cache-Control": "no-store",
        "X-Corpus-Talks": str(len(selection.talks)),
    })
