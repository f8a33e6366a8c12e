"""HTTP routes: health, search, talks, transcript exports, media, poster, captions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ingest import catalog as cat
from ingest import formats
from ingest import search as search_mod
from ingest import transcript as tr
from ingest.errors import NotFound, SearchUnavailable

from . import schemas
from .auth import staff
from .files import etag_for, file_response

router = APIRouter()

FilterText = Annotated[str | None, Query(max_length=200)]
Language = Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$")]
Year = Annotated[int | None, Query(ge=1900, le=2100)]


def talk_json(talk: cat.Talk) -> dict[str, Any]:
    data = talk.public_dict()
    base = f"/api/talks/{talk.id}"
    data.update(
        media_url=f"{base}/media",
        poster_url=f"{base}/poster.jpg" if talk.poster_path else None,
        captions_url=f"{base}/transcript.vtt",
        url=f"/talks/{talk.id}",
    )
    return data


def content_disposition(title: str, ext: str, kind: str = "attachment") -> str:
    """RFC 6266 with an ASCII fallback and the UTF-8 name (RFC 5987)."""
    name = f"{title}.{ext}".replace("/", "_").replace("\\", "_")
    fallback = (name.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("Ä", "Ae")
                .replace("Ö", "Oe").replace("Ü", "Ue").replace("ß", "ss"))
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
                       for c in fallback)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def visible_talk(request: Request, talk_id: str) -> cat.Talk:
    """A ready talk that the asker may see, or 404 (unpublished talks exist only for staff)."""
    talk = request.app.state.catalog.get(talk_id) if len(talk_id) <= 64 else None
    if talk is None or talk.status != "ready" or (not talk.published and staff(request) is None):
        raise NotFound(f"no talk {talk_id!r}")
    return talk


@router.get("/api/health", response_model=schemas.Health, responses=schemas.ERRORS)
def health(request: Request) -> dict[str, str]:
    """200 when the API, the catalog and Meilisearch answer."""
    request.app.state.catalog.talks([])
    if not request.app.state.meili.healthy():
        raise SearchUnavailable("Meilisearch does not answer")
    return {"status": "ok"}


@router.get("/api/search", response_model=schemas.SearchResult, responses=schemas.ERRORS)
async def search(
    request: Request,
    q: Annotated[str, Query(max_length=search_mod.MAX_QUERY, description="Words or \"a phrase\"")] = "",
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
    filters = search_mod.Filters(event, year, town, speaker, language)
    state = request.app.state
    result = await run_in_threadpool(
        search_mod.search, state.settings, state.meili, q, filters, page,
        staff=staff(request) is not None,
    )
    return JSONResponse(result)  # built to the schema already; no second validation


@router.get("/api/talks", response_model=schemas.TalkList, responses=schemas.ERRORS)
def list_talks(
    request: Request,
    event: FilterText = None,
    year: Year = None,
    town: FilterText = None,
    speaker: FilterText = None,
    language: Language = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Published talks, newest first."""
    filters = search_mod.Filters(event, year, town, speaker, language)
    total, talks = request.app.state.catalog.list_talks(filters, page, per_page,
                                                        staff=staff(request) is not None)
    return {"total": total, "page": page, "per_page": per_page,
            "talks": [talk_json(t) for t in talks]}


@router.get("/api/talks/{talk_id}", response_model=schemas.Talk, responses=schemas.ERRORS)
def get_talk(request: Request, talk_id: str) -> dict[str, Any]:
    """A talk's metadata, duration and links."""
    return talk_json(visible_talk(request, talk_id))


@router.get("/api/talks/{talk_id}/transcript.{fmt}", responses={
    **schemas.ERRORS, 200: {"content": {t: {} for t in formats.FORMATS.values()},
                            "description": "The transcript"}})
def transcript(request: Request, talk_id: str, fmt: str) -> Response:
    """The transcript as txt, json (with word timings), srt, vtt (captions) or csv."""
    if fmt not in formats.FORMATS:
        raise NotFound(f"no export format {fmt!r}; use one of {', '.join(formats.FORMATS)}")
    talk = visible_talk(request, talk_id)
    path = request.app.state.settings.transcripts_dir / f"{talk.id}.json"
    if not path.is_file():
        raise NotFound("the transcript of this talk is missing")
    etag = etag_for(path).rstrip('"') + f'-{fmt}"'
    headers = {
        "Content-Disposition": content_disposition(talk.title, fmt,
                                                   "inline" if fmt == "vtt" else "attachment"),
        "ETag": etag,
        "Cache-Control": "public, max-age=60",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    data = formats.render(tr.load(path), talk.public_dict(), fmt)
    return Response(data.encode("utf-8"), media_type=formats.FORMATS[fmt], headers=headers)


@router.get("/api/talks/{talk_id}/media", responses={
    **schemas.ERRORS, 206: {"description": "One byte range"},
    416: {"model": schemas.ErrorResponse, "description": "Range not satisfiable"}})
def media(request: Request, talk_id: str) -> Response:
    """The web rendition (H.264/AAC MP4, or AAC audio), with HTTP Range."""
    talk = visible_talk(request, talk_id)
    kind = "video/mp4" if talk.has_video else "audio/mp4"
    return file_response(request, Path(talk.media_path), kind)


@router.get("/api/talks/{talk_id}/poster.jpg", responses=schemas.ERRORS)
def poster(request: Request, talk_id: str) -> Response:
    """A frame of the video."""
    talk = visible_talk(request, talk_id)
    if not talk.poster_path:
        raise NotFound("this talk has no poster (audio only)")
    return file_response(request, Path(talk.poster_path), "image/jpeg",
                         cache="public, max-age=86400")
