"""Server-rendered pages: search (works without JavaScript) and the talk page."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from archive import chapters as ch
from archive import citations, clock, discovery, exports, formats, research, speakers
from archive import transcript as tr
from archive.chapters import formats as chapter_formats
from archive.chapters import youtube
from archive.errors import InputError, NotFound, SearchUnavailable
from archive.licences import LICENCES
from archive.paths import transcript_path
from archive.search import query as search_mod

from . import i18n
from .deps import staff
from .presenters import talk_json, visible_talk

WEB = Path(__file__).resolve().parents[1] / "web"
templates = Jinja2Templates(directory=str(WEB / "templates"))
templates.env.filters["clock"] = i18n.clock
templates.env.filters["voice"] = i18n.voice


def _day(iso: str | None, lang: str = "de") -> str:
    """A talk's date as the page's language writes it (18.09.2025), the stored text if odd."""
    try:
        return citations.day_text(iso, lang) if iso else ""
    except ValueError:
        return iso or ""


templates.env.filters["day"] = _day
router = APIRouter(include_in_schema=False)
log = logging.getLogger("talkarchive.pages")


def _same_site(path: str) -> str:
    """A path that stays on this site: '//evil.example/' would be a link to that host."""
    return "/" + path.lstrip("/\\")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    lang = i18n.language(request)
    texts = i18n.TEXTS[lang]
    other = "en" if lang == "de" else "de"
    params = dict(request.query_params)
    params["lang"] = other
    response = templates.TemplateResponse(
        request, name,
        {"t": texts, "lang": lang, "switch_url": f"{_same_site(request.url.path)}?{urlencode(params)}",
         **context},
        status_code=status,
    )
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie("lang", lang, max_age=31536000, samesite="lax")
    return response


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and low <= number <= high else None


def _with_details(request: Request, result: dict[str, Any] | None) -> dict[str, Any] | None:
    """The hits with what their thumbnails show: duration, and whether there is video."""
    if not result or not result["talks"]:
        return result
    catalog = request.app.state.catalog
    known = {t.id: t for t in catalog.talks([t["id"] for t in result["talks"]])}
    talks = []
    for talk in result["talks"]:
        row = known.get(talk["id"])
        talks.append({**talk, "duration": row.duration if row else None,
                      "has_video": row.has_video if row else bool(talk.get("poster_url"))})
    return {**result, "talks": talks}


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def search_page(request: Request) -> Response:
    qp = request.query_params
    q = qp.get("q", "")[: search_mod.MAX_QUERY]
    filters = search_mod.Filters(
        event=qp.get("event") or None, year=_int(qp.get("year"), 1900, 2100),
        town=qp.get("town") or None, speaker=qp.get("speaker") or None,
    )
    page = _int(qp.get("page"), 1, 1000) or 1
    exact = qp.get("exact") in ("1", "true", "on")
    state = request.app.state
    result: dict[str, Any] | None = None
    error = None
    try:
        result = await run_in_threadpool(
            lambda: search_mod.search(state.settings, state.search, q, filters, page, exact=exact)
        )
    except SearchUnavailable:
        error = "unavailable"
    except InputError:
        result = None
    facets = result["facets"] if result else {}
    if q and result is not None:
        # the facet lists come from the whole archive, so a filter can be widened again
        everything = await run_in_threadpool(
            search_mod.search, state.settings, state.search, "", None, 1
        )
        facets = everything["facets"]
    base = {k: v for k, v in {"q": q, "event": filters.event, "year": filters.year,
                              "town": filters.town, "speaker": filters.speaker,
                              "exact": "1" if exact else None}.items() if v}
    result = await run_in_threadpool(_with_details, request, result)
    return render(request, "search.html", {
        "q": q, "filters": filters, "result": result, "facets": facets, "error": error,
        "exact": exact, "semantic": state.settings.semantic,
        "active_filters": len(base) - (1 if q else 0) - (1 if exact else 0),
        "reset_url": "/?" + urlencode({"q": q}) if q else "/",
        "page_url": lambda p: "/?" + urlencode({**base, "page": p}),
        "corpus_url": "/api/corpus.zip" + ("?" + urlencode(corpus) if (corpus := {
            k: v for k, v in base.items() if k != "exact"}) else ""),
        "mark": lambda html: Markup(html),  # noqa: S704 - text is escaped by archive.search.query
    }, status=503 if error else 200)


def _moment(talk: Any, raw: str | None) -> float:
    try:
        return max(0.0, min(float(raw or 0), talk.duration))
    except ValueError:
        return 0.0


def _citations(request: Request, talk: Any) -> dict[str, str]:
    """The citation of the talk in the page's language, and of a moment with
    ``__CLOCK__``/``__T__`` for the page to fill in (the page cites the second the player is at)."""
    settings = request.app.state.settings
    lang = i18n.language(request)
    shown = exports.links(talk.public_dict(), settings.base_url(str(request.base_url)))
    today = clock.now().date()
    moment = citations.text(shown, shown["url"], 1.0, today, lang)
    moment = moment.replace("?t=1 ", "?t=__T__ ").replace(" 00:01.", " __CLOCK__.")
    return {"talk": citations.text(shown, shown["url"], None, today, lang), "moment": moment}


def _media_download(request: Request, talk: Any, chaptered: bool = False) -> dict[str, Any]:
    """The recording as a download: its link, a file name, its kind and size; a video with
    chapters comes with them (``video.mp4``: the same streams, streamed with chapter atoms)."""
    ext = "mp4" if talk.has_video else "m4a"
    try:
        size = Path(talk.media_path).stat().st_size
    except OSError:
        size = 0
    mb = f"{size / 1_000_000:.1f}"
    if i18n.language(request) == "de":
        mb = mb.replace(".", ",")
    name = "".join(c if c.isalnum() or c in " -_." else "_" for c in talk.title).strip() or talk.id
    with_chapters = chaptered and talk.has_video
    return {"url": f"/api/talks/{talk.id}/{'video.mp4' if with_chapters else 'media'}",
            "name": f"{name}.{ext}", "chapters": with_chapters,
            "kind": "video" if talk.has_video else "audio", "ext": ext.upper(),
            "size": f"{mb} MB" if size else "",
            # a video's sound alone, to listen to like a podcast (streamed: its size is unknown)
            "audio_url": f"/api/talks/{talk.id}/audio.m4a" if talk.has_video else None,
            "audio_name": f"{name}.m4a"}


def _talk_with_transcript(request: Request, talk_id: str) -> tuple[Any, tr.Transcript] | Response:
    """The talk the asker may see and its transcript, or the 404 page (a missing transcript
    is logged: the catalog and the files disagree)."""
    try:
        talk = visible_talk(request, talk_id)
    except NotFound:
        return render(request, "not_found.html", {}, status=404)
    path = transcript_path(request.app.state.settings, talk.id)
    if not path.is_file():
        log.warning("talk %s: its transcript %s is missing", talk.id, path)
        return render(request, "not_found.html", {}, status=404)
    return talk, tr.load(path)


@router.api_route("/talks/{talk_id}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def talk_page(request: Request, talk_id: str) -> Response:
    found = _talk_with_transcript(request, talk_id)
    if isinstance(found, Response):
        return found
    talk, transcript = found
    t = _moment(talk, request.query_params.get("t"))
    who = staff(request)
    shown = talk_json(talk)
    q = request.query_params.get("q", "")[: search_mod.MAX_QUERY].strip()
    voices = ([v.to_dict() for v in speakers.speakers_of(request.app.state.settings,
                                                         request.app.state.catalog, talk, transcript)]
              if who else [])
    chapters = ch.for_talk(transcript)
    return render(request, "talk.html", {
        "talk": shown, "segments": transcript.segments, "start": t,
        "turns": formats.turns(transcript, shown), "voices": voices,
        "slides": [{"start": s.start, "text": s.text,
                    "image": f"/api/talks/{talk.id}/slides/{s.image}" if s.image else None}
                   for s in transcript.slides],
        "formats": list(formats.FORMATS), "research_formats": list(research.FORMATS),
        "cite": _citations(request, talk), "licences": LICENCES,
        "q": q, "back_url": "/?" + urlencode({"q": q}) if q else "/",
        "media": _media_download(request, talk, bool(chapters)),
        "staff": who, "csrf": who.csrf if who else None,
        "ld": _video_object(request, talk, transcript, chapters),
        **_chapters(chapters, transcript.duration),
        **_embedding(request, talk),
    })


def _embedding(request: Request, talk: Any) -> dict[str, str]:
    """The code to embed the talk, and the same from a second (``__T__``, filled in by the page)."""
    base = request.app.state.settings.base_url(str(request.base_url))
    shown = talk.public_dict()
    url = f"{base}/talks/{talk.id}"
    at = discovery.embed_html(shown, base, t=1).replace(f"/embed/{talk.id}?t=1\"",
                                                        f"/embed/{talk.id}?t=__T__\"")
    return {"embed_code": discovery.embed_html(shown, base), "embed_code_at": at,
            "oembed_url": f"/oembed?{urlencode({'url': url, 'format': 'json'})}"}


@router.api_route("/embed/{talk_id}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def embed_page(request: Request, talk_id: str) -> Response:
    """The minimal player with captions and the transcript, for an iframe on another site."""
    found = _talk_with_transcript(request, talk_id)
    if isinstance(found, Response):
        return found
    talk, transcript = found
    shown = talk_json(talk)
    base = request.app.state.settings.base_url(str(request.base_url))
    return render(request, "embed.html", {
        "talk": shown, "segments": transcript.segments,
        "start": _moment(talk, request.query_params.get("t")),
        "turns": formats.turns(transcript, shown), "talk_url": f"{base}/talks/{talk.id}"})


def _video_object(request: Request, talk: Any, transcript: tr.Transcript,
                  chapters: list[ch.Chapter] | None = None) -> dict[str, Any]:
    """schema.org JSON-LD for search engines (a data block: the CSP does not apply to it);
    chapters as its ``hasPart`` clips (Google's "key moments")."""
    base = request.app.state.settings.base_url(str(request.base_url))
    shown = exports.links(talk.public_dict(), base)
    data = discovery.video_object(shown, transcript.text, talk.created_at)
    if chapters:
        data["hasPart"] = chapter_formats.clips(chapters, transcript.duration, shown["url"])
    return data


def _chapters(chapters: list[ch.Chapter], duration: float) -> dict[str, Any]:
    """The chapter list and marks (each with its end), and the text for YouTube or why not."""
    return {"chapters": [{"start": c.start, "end": end, "title": c.title, "share": end - c.start}
                         for c, end in ch.spans(chapters, duration)],
            "youtube": youtube.youtube_text(chapters, duration)}
