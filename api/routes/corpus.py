"""``GET /api/corpus.zip``: every published talk a search matches, in the chosen formats, with
metadata, sentences, citations and a README, streamed (:mod:`archive.corpus`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from archive import corpus, exports
from archive.search import query

from .. import schemas
from ..deps import CatalogDep, SearchDep, SettingsDep
from .search import FilterText, Language, Year

router = APIRouter()


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
    formats: Annotated[str | None, Query(max_length=200, description="e.g. json,tei,vtt")] = None,
) -> StreamingResponse:
    """All published talks that match (not one page), each in the chosen formats
    (default json, tei, vtt), with talks.csv/json, segments.jsonl, citations and a README.
    Unpublished talks are never in it, not even for staff."""
    fmts = exports.parse_formats(formats, corpus.DEFAULT_FORMATS)
    filters = query.Filters(event, year, town, speaker, language)
    selection = await run_in_threadpool(corpus.select, settings, catalog, client, q, filters, fmts)
    chunks = corpus.stream(settings, selection, settings.base_url(str(request.base_url)))
    return StreamingResponse(chunks, media_type="application/zip", headers={
        "Content-Disposition": 'attachment; filename="talkarchive-korpus.zip"',
        "Cache-Control": "no-store",
        "X-Corpus-Talks": str(len(selection.talks)),
    })
