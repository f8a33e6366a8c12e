"""Conference pages and feeds: ``/events`` (every event), ``/events/{slug}`` (its programme per
day in programme order, each slot with its talk or its status), ``/speakers/{slug}`` (a person's
talks across events, with the voice staff named), and per event an Atom feed
(``/events/{slug}/feed.atom``) and a podcast (``/events/{slug}/podcast.xml``).

Citizens see public talks only (:mod:`archive.programme.listing`); signed-in staff see every
talk, marked unpublished, and their pages are never kept by a shared cache (``api.headers``).
Also the page helpers other templates use: ``speaker_href(name)`` and ``event_href(request,
name)`` link a talk's speakers and event (``_meta.html``)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from archive import catalog as cat
from archive import exports
from archive import transcript as tr
from archive.errors import NotFound
from archive.paths import transcript_path
from archive.programme import feeds, listing, people

from . import i18n
from .deps import CatalogDep, SettingsDep, staff
from .pages import render, templates

router = APIRouter(include_in_schema=False)
log = logging.getLogger("talkarchive.pages")
WEEKDAYS = {"de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
            "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}


def speaker_href(name: str | None) -> str | None:
    """The page of a person, or None for a name that gets none."""
    slug = people.person_slug(name)
    return f"/speakers/{slug}" if slug else None


def event_href(request: Request, name: str | None) -> str | None:
    """The page of the event a talk names (its free-text event is an event's title), or None;
    the events are read once per request."""
    if not name:
        return None
    slugs = getattr(request.state, "event_slugs", None)
    if slugs is None:
        slugs = listing.event_slugs(request.app.state.catalog)
        request.state.event_slugs = slugs
    slug = slugs.get(name)
    return f"/events/{slug}" if slug else None


def long_day(iso: str, lang: str = "de") -> str:
    """'Donnerstag, 18.09.2025' / 'Thursday, 18 September 2025'."""
    from archive.citations import day_text

    day = dt.date.fromisoformat(iso)
    return f"{WEEKDAYS['en' if lang == 'en' else 'de'][day.weekday()]}, {day_text(day, lang)}"


def short_day(iso: str, lang: str = "de") -> str:
    """'Do 18.09.' / 'Thu 18 Sep' for the day links."""
    day = dt.date.fromisoformat(iso)
    name = WEEKDAYS["en" if lang == "en" else "de"][day.weekday()][:2 if lang != "en" else 3]
    return f"{name} {day:%d.%m.}" if lang != "en" else f"{name} {day.day} {day:%b}"


def date_range(event: dict[str, Any], lang: str = "de") -> str:
    """An event's days: '18.09.2025' or '18.09.2025 – 19.09.2025'."""
    from archive.citations import day_text

    first, last = day_text(event["start"], lang), day_text(event["end"], lang)
    return first if first == last else f"{first} – {last}"


templates.env.globals.update(speaker_href=speaker_href, event_href=event_href)
templates.env.filters.update(long_day=long_day, short_day=short_day)


def _not_found(request: Request, what: str) -> Response:
    return render(request, "not_found.html", {"not_found_text": i18n.TEXTS[i18n.language(request)][what]},
                  status=404)


@router.api_route("/events", methods=["GET", "HEAD"], response_class=HTMLResponse)
def events_page(request: Request, catalog: CatalogDep) -> Response:
    events = listing.events_overview(catalog)
    lang = i18n.language(request)
    return render(request, "events.html", {
        "events": [{**e, "dates": date_range(e, lang)} for e in events]})


@router.api_route("/events/{slug}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def event_page(request: Request, catalog: CatalogDep, slug: str) -> Response:
    who = staff(request)
    try:
        event = listing.programme(catalog, slug, staff=who is not None)
    except NotFound:
        return _not_found(request, "event_not_found")
    return render(request, "event.html", {
        "event": event, "dates": date_range(event, i18n.language(request)), "staff": who})


def _first_turns(settings: Any, shown: list[dict[str, Any]]) -> None:
    """Where each named voice first speaks in its talk (a link to that second)."""
    for talk in shown:
        if not talk["voices"]:
            continue
        path = transcript_path(settings, talk["id"])
        try:
            segments = tr.load(path).segments if path.is_file() else []
        except (OSError, ValueError) as exc:
            log.warning("talk %s: its transcript cannot be read: %s", talk["id"], exc)
            segments = []
        for voice in talk["voices"]:
            first = next((s.start for s in segments if s.speaker == voice["label"]), None)
            voice["first"] = first


@router.api_route("/speakers/{slug}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def speaker_page(request: Request, settings: SettingsDep, catalog: CatalogDep, slug: str) -> Response:
    who = staff(request)
    try:
        person = people.person(catalog, slug, staff=who is not None)
    except NotFound:
        return _not_found(request, "speaker_not_found")
    _first_turns(settings, person["talks"])
    return render(request, "speaker.html", {"person": person, "staff": who})


def _episodes(request: Request, settings: Any, catalog: cat.Catalog, slug: str
              ) -> tuple[dict[str, Any], list[feeds.Episode], str]:
    event, found = listing.recordings(catalog, slug)
    base = settings.base_url(str(request.base_url))
    episodes = []
    for talk, slot in found:
        try:
            size = Path(talk.media_path).stat().st_size
        except OSError:
            size = 0
        episodes.append(feeds.Episode(exports.links(talk.public_dict(), base), talk.updated_at,
                                      size, slot))
    return event, episodes, base


def _feed_headers(settings: Any) -> dict[str, str]:
    headers = {"Cache-Control": "public, max-age=300"}
    if not settings.public_url:
        headers["Vary"] = "Host"  # the links follow the address asked
    return headers


@router.api_route("/events/{slug}/feed.atom", methods=["GET", "HEAD"])
async def event_atom(request: Request, settings: SettingsDep, catalog: CatalogDep, slug: str
                     ) -> Response:
    """The event's public recordings as an Atom feed, in programme order."""
    event, episodes, base = await run_in_threadpool(_episodes, request, settings, catalog, slug)
    body = feeds.atom(event, episodes, base, i18n.TEXTS["de"]["site"])
    return Response(body, media_type="application/atom+xml; charset=utf-8",
                    headers=_feed_headers(settings))


@router.api_route("/events/{slug}/podcast.xml", methods=["GET", "HEAD"])
async def event_podcast(request: Request, settings: SettingsDep, catalog: CatalogDep, slug: str
                        ) -> Response:
    """The event's public recordings as a podcast (RSS 2.0, Podcasting 2.0)."""
    event, episodes, base = await run_in_threadpool(_episodes, request, settings, catalog, slug)
    body = feeds.podcast(event, episodes, base, i18n.TEXTS["de"]["site"])
    return Response(body, media_type="application/rss+xml; charset=utf-8",
                    headers=_feed_headers(settings))
