"""``GET /api/search``: talks ranked by how well they match, with the moments of each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from archive.search import query

from .. import schemas
from ..deps import MaybeStaff, SearchDep, SettingsDep

router = APIRouter()

FilterText = Annotated[str | None, Query(max_length=200)]
Language = Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$")]
Year = Annotated[int | None, Query(ge=1900, le=2100)]


@router.get("/api/search", response_model=schemas.SearchResult, responses=schemas.ERRORS)
async def search(
    settings: SettingsDep,
    client: SearchDep,
    who: MaybeStaff,
    q: Annotated[str, Query(max_length=query.MAX_QUERY, description="Words or \"a phrase\"")] = "",
    event: FilterText = None,
    year: Year = None,
    town: FilterText = None,
    speaker: FilterText = None,
    language: Language = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> JSONResponse:
    """Talks ranked by how well the talk matches (all query words, fewest typos, words close
    together in one sentence), each with its best matching segments and the second the first
    matched word was said; facet counts count talks. Without a query, newest talks first."""
    filters = query.Filters(event, year, town, speaker, language)
    result = await run_in_threadpool(query.search, settings, client, q, filters, page,
                                     staff=who is not None)
    return JSONResponse(result)  # built to the schema already; no second validation
