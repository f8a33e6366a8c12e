"""A talk's files: the transcript in every export format, citations (CSL-JSON, BibTeX, RIS),
the media with HTTP Range, its audio track alone, the poster frame, slide thumbnails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as FastPath
from fastapi.responses import Response, StreamingResponse

from archive import catalog as cat
from archive import citations, clock, exports
from archive import transcript as tr
from archive.errors import InputError, NotFound
from archive.paths import slides_dir, transcript_path
from archive.settings import Settings
from ingest import media as media_mod

from .. import schemas
from ..deps import SettingsDep
from ..files import etag_for, file_response
from ..presenters import content_disposition, visible_talk

router = APIRouter()


@router.get("/api/talks/{talk_id}/transcript.{fmt}", responses={
    **schemas.ERRORS, 200: {"content": {t: {} for t in exports.MEDIA_TYPES.values()},
                            "description": "The transcript"}})
def transcript(request: Request, settings: SettingsDep, talk_id: str, fmt: str) -> Response:
    """The transcript as txt, json (with word timings), srt, vtt (captions), csv, or for
    research: tei (ISO 24624), eaf (ELAN), textgrid (Praat), iiif (IIIF manifest)."""
    if fmt not in exports.MEDIA_TYPES:
        raise NotFound(f"no export format {fmt[:20]!r}; use one of {', '.join(exports.MEDIA_TYPES)}")
    talk = visible_talk(request, talk_id)
    path = transcript_path(settings, talk.id)
    if not path.is_file():
        raise NotFound("the transcript of this talk is missing")
    # the talk's row too: names for voices and details change the export, not the file
    etag = etag_for(path).rstrip('"') + f'-{fmt}-{talk.updated_at:%Y%m%d%H%M%S%f}"'
    headers = {
        "Content-Disposition": content_disposition(talk.title, exports.EXTENSIONS[fmt],
                                                   "inline" if fmt == "vtt" else "attachment"),
        "ETag": etag, **cache_headers(settings, talk)}
    if fmt == "iiif" and talk.published:  # IIIF viewers on other sites fetch manifests
        headers["Access-Control-Allow-Origin"] = "*"
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    shown = exports.links(talk.public_dict(), settings.base_url(str(request.base_url)))
    data = exports.render(tr.load(path), shown, fmt)
    return Response(data.encode("utf-8"), media_type=exports.MEDIA_TYPES[fmt], headers=headers)


@router.get("/api/talks/{talk_id}/cite.{kind}", responses={
    **schemas.ERRORS, 200: {"content": {t: {} for t in citations.CITATIONS.values()},
                            "description": "A citation of the talk, or of one moment"}})
def cite(request: Request, settings: SettingsDep, talk_id: str, kind: str,
         t: Annotated[float | None, Query(ge=0, le=86_400, description="seconds")] = None
         ) -> Response:
    """The talk, or the moment at ``t`` seconds, as CSL-JSON (``cite.csl.json``), BibTeX
    (``cite.bib``) or RIS (``cite.ris``)."""
    if kind not in citations.CITATIONS:
        raise NotFound(f"no citation format {kind[:20]!r}; use cite.csl.json, cite.bib or cite.ris")
    talk = visible_talk(request, talk_id)
    shown = exports.links(talk.public_dict(), settings.base_url(str(request.base_url)))
    if t is not None and t > talk.duration:
        raise InputError(f"t={t:g} is beyond the end of the talk ({talk.duration:.0f} s)",
                         code="bad_time")
    today = clock.now().date()
    if kind == "csl.json":
        body = json.dumps([citations.csl_json(shown, shown["url"], t, today)],
                          ensure_ascii=False, indent=1) + "\n"
    elif kind == "bib":
        body = citations.bibtex(shown, shown["url"], t, today)
    else:
        body = citations.ris(shown, shown["url"], t, today)
    name = content_disposition(talk.title, {"csl.json": "json"}.get(kind, kind), "inline")
    return Response(body.encode("utf-8"), media_type=citations.CITATIONS[kind],
                    headers={"Content-Disposition": name, **cache_headers(settings, talk)})


def cache_headers(settings: Settings, talk: cat.Talk) -> dict[str, str]:
    """Public for a published talk (varying by Host where links follow the address asked);
    a staff member's view of an unpublished one is never kept by a shared cache."""
    if not talk.published:
        return {"Cache-Control": "private, no-store"}
    headers = {"Cache-Control": "public, max-age=60"}
    if not settings.public_url:
        headers["Vary"] = "Host"
    return headers


_BINARY = {"schema": {"type": "string", "format": "binary"}}
_MEDIA = {"video/mp4": _BINARY, "audio/mp4": _BINARY}


@router.get("/api/talks/{talk_id}/media", responses={
    **schemas.ERRORS, 200: {"content": _MEDIA, "description": "The recording (MP4)"},
    206: {"content": {**_MEDIA, "multipart/byteranges": _BINARY},
          "description": "One byte range (several: multipart/byteranges)"},
    304: {"description": "Not modified (If-None-Match)"},
    416: {"model": schemas.ErrorResponse, "description": "Range not satisfiable"}})
def media(request: Request, talk_id: str) -> Response:
    """The web rendition (H.264/AAC MP4, or AAC audio), with HTTP Range."""
    talk = visible_talk(request, talk_id)
    kind = "video/mp4" if talk.has_video else "audio/mp4"
    return file_response(request, Path(talk.media_path), kind,
                         cache="public, max-age=3600" if talk.published else "private, no-store")


router.add_api_route("/api/talks/{talk_id}/media", media, methods=["HEAD"], include_in_schema=False)


@router.get("/api/talks/{talk_id}/audio.m4a", responses={
    **schemas.ERRORS, 200: {"content": {"audio/mp4": _BINARY}, "description": "The audio track (M4A)"}})
def audio(request: Request, talk_id: str) -> Response:
    """The audio of the talk alone, for listening without the picture: the web rendition's AAC
    track copied into M4A as it streams (no Range; the whole file is a few MB an hour)."""
    talk = visible_talk(request, talk_id)
    path = Path(talk.media_path)
    if not path.is_file():
        raise NotFound("the file of this talk is missing")
    return StreamingResponse(media_mod.audio_track(path), media_type="audio/mp4", headers={
        "Content-Disposition": content_disposition(talk.title, "m4a"),
        "Cache-Control": "public, max-age=3600" if talk.published else "private, no-store"})


@router.get("/api/talks/{talk_id}/poster.jpg", responses={
    **schemas.ERRORS, 200: {"content": {"image/jpeg": _BINARY}, "description": "A JPEG frame"},
    304: {"description": "Not modified (If-None-Match)"},
    416: {"model": schemas.ErrorResponse, "description": "Range not satisfiable"}})
def poster(request: Request, talk_id: str) -> Response:
    """A frame of the video."""
    talk = visible_talk(request, talk_id)
    if not talk.poster_path:
        raise NotFound("this talk has no poster (audio only)")
    return file_response(request, Path(talk.poster_path), "image/jpeg",
                         cache="public, max-age=86400" if talk.published else "private, no-store")


router.add_api_route("/api/talks/{talk_id}/poster.jpg", poster, methods=["HEAD"],
                     include_in_schema=False)

SlideName = Annotated[str, FastPath(pattern=r"^[0-9]{3}\.jpg$", max_length=7,
                                    description="A slide's image, as its transcript names it")]


@router.get("/api/talks/{talk_id}/slides/{name}", responses={
    **schemas.ERRORS, 200: {"content": {"image/jpeg": _BINARY}, "description": "A slide's thumbnail"},
    304: {"description": "Not modified (If-None-Match)"},
    416: {"model": schemas.ErrorResponse, "description": "Range not satisfiable"}})
def slide(request: Request, settings: SettingsDep, talk_id: str, name: SlideName) -> Response:
    """A thumbnail of one of the talk's slides (320 pixels wide)."""
    talk = visible_talk(request, talk_id)
    path = slides_dir(settings, talk.id) / name
    if not path.is_file():
        raise NotFound("this talk has no such slide")
    return file_response(request, path, "image/jpeg",
                         cache="public, max-age=86400" if talk.published else "private, no-store")


router.add_api_route("/api/talks/{talk_id}/slides/{name}", slide, methods=["HEAD"],
                     include_in_schema=False)
