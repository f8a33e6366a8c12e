"""A talk's files: the transcript in every export format, the media with HTTP Range, the
poster frame."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from archive import formats
from archive import transcript as tr
from archive.errors import NotFound
from archive.paths import transcript_path

from .. import schemas
from ..deps import SettingsDep
from ..files import etag_for, file_response
from ..presenters import content_disposition, visible_talk

router = APIRouter()


@router.get("/api/talks/{talk_id}/transcript.{fmt}", responses={
    **schemas.ERRORS, 200: {"content": {t: {} for t in formats.FORMATS.values()},
                            "description": "The transcript"}})
def transcript(request: Request, settings: SettingsDep, talk_id: str, fmt: str) -> Response:
    """The transcript as txt, json (with word timings), srt, vtt (captions) or csv."""
    if fmt not in formats.FORMATS:
        raise NotFound(f"no export format {fmt!r}; use one of {', '.join(formats.FORMATS)}")
    talk = visible_talk(request, talk_id)
    path = transcript_path(settings, talk.id)
    if not path.is_file():
        raise NotFound("the transcript of this talk is missing")
    # the talk's row too: names for voices and details change the export, not the file
    etag = etag_for(path).rstrip('"') + f'-{fmt}-{talk.updated_at:%Y%m%d%H%M%S%f}"'
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


router.add_api_route("/api/talks/{talk_id}/media", media, methods=["HEAD"], include_in_schema=False)


@router.get("/api/talks/{talk_id}/poster.jpg", responses=schemas.ERRORS)
def poster(request: Request, talk_id: str) -> Response:
    """A frame of the video."""
    talk = visible_talk(request, talk_id)
    if not talk.poster_path:
        raise NotFound("this talk has no poster (audio only)")
    return file_response(request, Path(talk.poster_path), "image/jpeg",
                         cache="public, max-age=86400")


router.add_api_route("/api/talks/{talk_id}/poster.jpg", poster, methods=["HEAD"],
                     include_in_schema=False)
