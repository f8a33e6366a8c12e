"""``/sitemap.xml`` (every published talk page), ``/feed.xml`` (an Atom feed of the newest
talks), ``/robots.txt`` (naming the sitemap) and ``/oembed`` (the embedded player of a talk),
for search engines, feed readers and other sites; the talk page carries its JSON-LD itself."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from archive import catalog as cat
from archive import discovery, exports
from archive.errors import NotFound, TalkarchiveError

from ..deps import CatalogDep, SettingsDep

router = APIRouter(include_in_schema=False)


def _public(catalog: cat.Catalog, base: str) -> list[tuple[dict[str, Any], dt.datetime | None]]:
    """Published, ready talks as public dicts with links, newest upload first."""
    talks = [t for t in catalog.talks() if t.published and t.status == cat.TalkStatus.READY]
    talks.sort(key=lambda t: (t.created_at or dt.datetime.min, t.id), reverse=True)
    return [(exports.links(t.public_dict(), base), t.updated_at) for t in talks]


def _headers(settings: Any) -> dict[str, str]:
    headers = {"Cache-Control": "public, max-age=300"}
    if not settings.public_url:
        headers["Vary"] = "Host"  # the links follow the address asked
    return headers


@router.api_route("/sitemap.xml", methods=["GET", "HEAD"])
def sitemap(request: Request, settings: SettingsDep, catalog: CatalogDep) -> Response:
    base = settings.base_url(str(request.base_url))
    body = discovery.sitemap(_public(catalog, base), f"{base}/")
    return Response(body, media_type="application/xml; charset=utf-8", headers=_headers(settings))


class FormatNotImplemented(TalkarchiveError):
    code = "format_not_implemented"
    status = 501  # what oEmbed 1.0 (2.2.4) asks for a format the provider does not offer


@router.get("/oembed")
def oembed(request: Request, settings: SettingsDep, catalog: CatalogDep,
           url: Annotated[str, Query(max_length=2000)] = "",
           format: Annotated[str, Query(max_length=10)] = "json",  # noqa: A002 - oEmbed's name
           maxwidth: Annotated[int | None, Query(ge=1, le=10_000)] = None,
           maxheight: Annotated[int | None, Query(ge=1, le=10_000)] = None) -> Response:
    """oEmbed 1.0 for a talk page or an embed URL of this archive (JSON only)."""
    if format != "json":
        raise FormatNotImplemented("only format=json is offered")
    base = settings.base_url(str(request.base_url))
    found = re.fullmatch(rf"{re.escape(base)}/(?:talks|embed)/([0-9A-Za-z_-]{{1,64}})(?:[?#].*)?",
                         url.strip())
    talk = catalog.get(found.group(1)) if found else None
    if talk is None or not talk.published or talk.status != cat.TalkStatus.READY:
        raise NotFound("no published talk of this archive at that URL")
    data = discovery.oembed(exports.links(talk.public_dict(), base), base, "Talkarchiv",
                            maxwidth, maxheight)
    return JSONResponse(data, headers=_headers(settings))


@router.api_route("/robots.txt", methods=["GET", "HEAD"])
def robots(request: Request, settings: SettingsDep) -> Response:
    base = settings.base_url(str(request.base_url))
    text = f"User-agent: *\nDisallow: /admin\nSitemap: {base}/sitemap.xml\n"
    return Response(text, media_type="text/plain", headers=_headers(settings))


@router.api_route("/feed.xml", methods=["GET", "HEAD"])
def feed(request: Request, settings: SettingsDep, catalog: CatalogDep) -> Response:
    base = settings.base_url(str(request.base_url))
    talks = _public(catalog, base)[: discovery.FEED_SIZE]
    body = discovery.atom_feed(talks, base, "Talkarchiv – neue Vorträge")
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers=_headers(settings))
