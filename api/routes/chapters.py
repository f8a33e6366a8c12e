"""A talk's chapters: WebVTT for ``<track kind="chapters">``, Podcasting 2.0 JSON chapters, the
video with chapter atoms, and for staff the chapters set by hand (or handed back to detection)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from archive import chapters as ch
from archive import transcript as tr
from archive.catalog import Talk
from archive.chapters import edits, formats
from archive.errors import NotFound
from archive.paths import transcript_path
from ingest import chaptered

from .. import schemas
from ..deps import CatalogDep, SettingsDep, Staff
from ..presenters import content_disposition, visible_talk
from .exports import cache_headers

router = APIRouter()

_BINARY = {"schema": {"type": "string", "format": "binary"}}


def talk_chapters(request: Request, talk_id: str) -> tuple[Talk, tr.Transcript, list[ch.Chapter]]:
    """The talk the asker may see, its transcript and the chapters it shows."""
    talk = visible_talk(request, talk_id)
    path = transcript_path(request.app.state.settings, talk.id)
    if not path.is_file():
        raise NotFound("the transcript of this talk is missing")
    transcript = tr.load(path)
    return talk, transcript, ch.for_talk(transcript)


def chapters_json(transcript: tr.Transcript, chapters: list[ch.Chapter]) -> dict[str, Any]:
    """The chapters with their ends and sources, and whether staff set them."""
    return {"chapters": [{**c.to_dict(), "end": round(end, 3)}
                         for c, end in ch.spans(chapters, transcript.duration)],
            "by_staff": ch.by_staff(transcript.chapters)}


@router.get("/api/talks/{talk_id}/chapters.vtt", responses={
    **schemas.ERRORS, 200: {"content": {"text/vtt": {}}, "description": "WebVTT chapters"}})
def chapters_vtt(request: Request, settings: SettingsDep, talk_id: str) -> Response:
    """The chapters as WebVTT (``<track kind="chapters">``); no cues when the talk has none."""
    talk, transcript, chapters = talk_chapters(request, talk_id)
    return Response(formats.to_vtt(chapters, transcript.duration).encode("utf-8"),
                    media_type=formats.VTT_TYPE, headers=cache_headers(settings, talk))


@router.get("/api/talks/{talk_id}/chapters.json", responses={
    **schemas.ERRORS, 200: {"content": {formats.JSON_TYPE: {}, "application/json": {}},
                            "description": "Podcasting 2.0 JSON chapters"}})
def chapters_podcast(request: Request, settings: SettingsDep, talk_id: str) -> Response:
    """The chapters as Podcasting 2.0 JSON chapters: ``{"version", "chapters": [{"startTime",
    "title"}]}``; an empty list when the talk has none."""
    talk, _, chapters = talk_chapters(request, talk_id)
    return Response(formats.podcast_json(chapters, talk.title).encode("utf-8"),
                    media_type=formats.JSON_TYPE, headers=cache_headers(settings, talk))


@router.get("/api/talks/{talk_id}/video.mp4", responses={
    **schemas.ERRORS, 200: {"content": {"video/mp4": _BINARY},
                            "description": "The video with chapters (fragmented MP4)"}})
def video(request: Request, talk_id: str) -> Response:
    """The video to download, with its title, speakers and chapters as MP4 chapter atoms: the
    web rendition's streams copied as they stream (no Range; nothing is kept on disk)."""
    talk, transcript, chapters = talk_chapters(request, talk_id)
    path = Path(talk.media_path)
    if not talk.has_video:
        raise NotFound("this talk has no video (audio only): use /media")
    if not path.is_file():
        raise NotFound("the file of this talk is missing")
    metadata = formats.to_ffmetadata(chapters, transcript.duration, talk.title,
                                     ", ".join(talk.speakers or []) or None)
    return StreamingResponse(chaptered.with_chapters(path, metadata), media_type="video/mp4", headers={
        "Content-Disposition": content_disposition(talk.title, "mp4"),
        "Cache-Control": "public, max-age=3600" if talk.published else "private, no-store"})


Seconds = Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)]
Clock = Annotated[str, Field(pattern=edits.CLOCK_PATTERN, max_length=20)]


class ChapterIn(BaseModel):
    start: Seconds | Clock = Field(description="Seconds, or a time such as 1:23 or 1:02:03")
    title: str = Field(min_length=1, max_length=ch.MAX_TITLE, pattern=r"\S")


class ChaptersIn(BaseModel):
    chapters: list[ChapterIn] = Field(max_length=ch.MAX_CHAPTERS, description=(
        "The talk's chapters; an empty list: the talk has none"))


class ChapterOut(BaseModel):
    start: float
    end: float
    title: str
    source: str = Field(description="slides | programme | staff | topics")


class ChaptersOut(BaseModel):
    chapters: list[ChapterOut]
    by_staff: bool = Field(description="Set by staff: a new detection leaves them as they are")


@router.put("/api/talks/{talk_id}/chapters", response_model=ChaptersOut, responses={
    **schemas.STAFF_ERRORS, 422: {"model": schemas.ErrorResponse,
                                  "description": "Chapters that do not fit the talk"}})
def put_chapters(settings: SettingsDep, catalog: CatalogDep, talk_id: str, body: ChaptersIn,
                 who: Staff) -> dict[str, Any]:
    """Set the talk's chapters by hand (source ``staff``); they win over chapters from slides
    or the programme and survive a new detection. A chapter after the end of the talk, or two
    in the same second, is a 422."""
    items = [c.model_dump() for c in body.chapters]
    transcript = edits.replace(settings, catalog, talk_id, items)
    return chapters_json(transcript, ch.for_talk(transcript))


@router.delete("/api/talks/{talk_id}/chapters", response_model=ChaptersOut,
               responses=schemas.STAFF_ERRORS)
def reset_chapters(settings: SettingsDep, catalog: CatalogDep, talk_id: str,
                   who: Staff) -> dict[str, Any]:
    """Drop the chapters set by hand: the talk shows the detected ones again (from its slides)."""
    transcript = edits.replace(settings, catalog, talk_id, None)
    return chapters_json(transcript, ch.for_talk(transcript))
