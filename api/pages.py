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

from archive import citations, clock, discovery, exports, formats, research, speakers
from archive import transcript as tr
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


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request) -> Response:
    qp = request.query_params
    q = qp.get("q", "")[: search_mod.MAX_QUERY]
    filters = search_mod.Filters(
        event=qp.get("event") or None, year=_int(qp.get("year"), 1900, 2100),
        town=qp.get("town") or None, speaker=qp.get("speaker") or None,
    )
    page = _int(qp.get("page"), 1, 1000) or 1
    state = request.app.state
    result: dict[str, Any] | None = None
    error = None
    try:
        result = await run_in_threadpool(
            search_mod.search, state.settings, state.search, q, filters, page
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
                              "town": filters.town, "speaker": filters.speaker}.items() if v}
    return render(request, "search.html", {
        "q": q, "filters": filters, "result": result, "facets": facets, "error": error,
        "page_url": lambda p: "/?" + urlencode({**base, "page": p}),
        "corpus_url": "/api/corpus.zip" + ("?" + urlencode(base) if base else ""),
        "mark": lambda html: Markup(html),  # noqa: S704 - text is escaped by archive.search.query
    }, status=503 if error else 200)


def _moment(talk: Any, raw: str | None) -> float:
    try:
        return max(0.0, min(float(raw or 0), talk.duration))
    except ValueError:
        return 0.0


def _citations(request: Request, talk: Any) -> dict[str, str]:
    """The German citation of the talk, and of a moment with ``__CLOCK__``/``__T__`` for the
    page to fill in (the page cites the second the player is at)."""
    settings = request.app.state.settings
    shown = exports.links(talk.public_dict(), settings.base_url(str(request.base_url)))
    today = clock.now().date()
    moment = citations.german_text(shown, shown["url"], 1.0, today)
    moment = moment.replace("?t=1 ", "?t=__T__ ").replace("Ab 00:01.", "Ab __CLOCK__.")
    return {"talk": citations.german_text(shown, shown["url"], None, today), "moment": moment}


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


@router.get("/talks/{talk_id}", response_class=HTMLResponse)
def talk_page(request: Request, talk_id: str) -> Response:
    found = _talk_with_transcript(request, talk_id)
    if isinstance(found, Response):
        return found
    talk, transcript = found
    t = _moment(talk, request.query_params.get("t"))
    who = staff(request)
    shown = talk_json(talk)
    voices = ([v.to_dict() for v in speakers.speakers_of(request.app.state.settings,
                                                         request.app.state.catalog, talk, transcript)]
              if who else [])
    return render(request, "talk.html", {
        "talk": shown, "segments": transcript.segments, "start": t,
        "turns": formats.turns(transcript, shown), "voices": voices,
        "slides": [{"start": s.start, "text": s.text,
                    "image": f"/api/talks/{talk.id}/slides/{s.image}" if s.image else None}
                   for s in transcript.slides],
        "formats": list(formats.FORMATS), "research_formats": list(research.FORMATS),
        "cite": _citations(request, talk), "licences": LICENCES,
        "staff": who, "csrf": who.csrf if who else None,
        "ld": _video_object(request, talk, transcript),
        **_embedding(request, talk),
    })


def _embedding(request: Request, talk: Any) -> dict[str, str]:
    base = request.app.state.settings.base_url(str(request.base_url))
    shown = talk.public_dict()
    url = f"{base}/talks/{talk.id}"
    return {"embed_code": discovery.embed_html(shown, base),
            "oembed_url": f"/oembed?{urlencode({'url': url, 'format': 'json'})}"}


@router.get("/embed/{talk_id}", response_class=HTMLResponse)
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


def _video_object(request: Request, talk: Any, transcript: tr.Transcript) -> dict[str, Any]:
    """schema.org JSON-LD for search engines (a data block: the CSP does not apply to it)."""
    base = request.app.state.settings.base_url(str(request.base_url))
    return discovery.video_object(exports.links(talk.public_dict(), base), transcript.text,
                                  talk.created_at)
