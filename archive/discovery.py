"""How search engines, feed readers and other sites find the talks: schema.org ``VideoObject``
JSON-LD for a talk page, the sitemap (sitemaps.org 0.9), an Atom feed (RFC 4287) of the newest
talks, and the embedded player's iframe code and oEmbed (1.0) answer.

Each takes talks as their public dicts with absolute links (:func:`archive.exports.links`); the
callers pass published talks only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
TRANSCRIPT_CHARS = 20_000  # enough for search engines; the full text is one link away


def iso_duration(seconds: float) -> str:
    """Seconds as an ISO 8601 duration: 754.2 -> 'PT12M34S'."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + \
        f"{secs}S"


def _day(value: dt.datetime | None) -> str | None:
    return value.replace(tzinfo=dt.UTC).isoformat(timespec="seconds") if value else None


def video_object(talk: dict[str, Any], transcript: str, uploaded: dt.datetime | None
                 ) -> dict[str, Any]:
    """The talk as a schema.org ``VideoObject`` (audio talks too: Google reads this type)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "VideoObject",
        "name": talk["title"],
        "description": talk.get("description") or _summary(talk),
        "uploadDate": _day(uploaded) or talk.get("date"),
        "duration": iso_duration(float(talk.get("duration") or 0)),
        "contentUrl": talk["media_url"], "url": talk["url"],
        "encodingFormat": talk.get("media_type"),
        "inLanguage": talk.get("language"),
        "transcript": transcript[:TRANSCRIPT_CHARS],
    }
    if talk.get("poster_url"):
        data["thumbnailUrl"] = talk["poster_url"]
    if talk.get("licence", {}).get("url"):
        data["license"] = talk["licence"]["url"]
    if talk.get("speakers"):
        data["actor"] = [{"@type": "Person", "name": n} for n in talk["speakers"]]
    if talk.get("event"):
        data["recordedAt"] = {"@type": "Event", "name": talk["event"],
                              **({"startDate": talk["date"]} if talk.get("date") else {}),
                              **({"location": {"@type": "Place", "name": talk["town"]}}
                                 if talk.get("town") else {})}
    return {k: v for k, v in data.items() if v is not None}


def _summary(talk: dict[str, Any]) -> str:
    parts = [", ".join(talk.get("speakers") or []), talk.get("event"), talk.get("town"),
             talk.get("date")]
    return " · ".join(p for p in parts if p) or talk["title"]


def sitemap(talks: list[tuple[dict[str, Any], dt.datetime | None]], home: str) -> bytes:
    """The home page and every talk page, with the date each last changed."""
    ET.register_namespace("", SITEMAP_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    entries = [(home, None)] + [(talk["url"], changed) for talk, changed in talks]
    for loc, changed in entries:
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = loc
        if changed is not None:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = _day(changed)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def atom_feed(talks: list[tuple[dict[str, Any], dt.datetime | None]], home: str, title: str
              ) -> bytes:
    """The newest talks (``talks`` newest first, at most :data:`FEED_SIZE`)."""
    ET.register_namespace("", ATOM_NS)
    a = f"{{{ATOM_NS}}}"
    root = ET.Element(f"{a}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "de"})
    ET.SubElement(root, f"{a}id").text = f"{home}/feed.xml"
    ET.SubElement(root, f"{a}title").text = title
    stamps = [changed for _, changed in talks if changed is not None]
    ET.SubElement(root, f"{a}updated").text = _day(max(stamps)) if stamps else \
        "1970-01-01T00:00:00+00:00"
    ET.SubElement(root, f"{a}link", {"rel": "self", "href": f"{home}/feed.xml",
                                     "type": "application/atom+xml"})
    ET.SubElement(root, f"{a}link", {"rel": "alternate", "href": f"{home}/", "type": "text/html"})
    ET.SubElement(ET.SubElement(root, f"{a}author"), f"{a}name").text = title
    for talk, changed in talks[:FEED_SIZE]:
        entry = ET.SubElement(root, f"{a}entry")
        ET.SubElement(entry, f"{a}id").text = talk["url"]
        ET.SubElement(entry, f"{a}title").text = talk["title"]
        ET.SubElement(entry, f"{a}updated").text = _day(changed) or "1970-01-01T00:00:00+00:00"
        ET.SubElement(entry, f"{a}link", {"rel": "alternate", "href": talk["url"],
                                          "type": "text/html"})
        ET.SubElement(entry, f"{a}link", {"rel": "enclosure", "href": talk["media_url"],
                                          "type": talk.get("media_type") or "video/mp4"})
        for name in talk.get("speakers") or []:
            ET.SubElement(ET.SubElement(entry, f"{a}author"), f"{a}name").text = name
        ET.SubElement(entry, f"{a}summary").text = talk.get("description") or _summary(talk)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


EMBED_WIDTH, EMBED_HEIGHT = 640, 560  # the player and a few lines of transcript below it


def embed_url(talk: dict[str, Any], base: str, t: float | None = None) -> str:
    return f"{base}/embed/{talk['id']}" + (f"?t={t:g}" if t else "")


def embed_html(talk: dict[str, Any], base: str, width: int = EMBED_WIDTH,
               height: int = EMBED_HEIGHT, t: float | None = None) -> str:
    """The iframe a town's page includes; the title is escaped for an attribute."""
    title = escape(talk["title"], {'"': "&quot;"})
    return (f'<iframe src="{embed_url(talk, base, t)}" width="{width}" height="{height}" '
            f'title="{title}" style="border:0" allow="fullscreen; autoplay" '
            f'loading="lazy"></iframe>')


def oembed(talk: dict[str, Any], base: str, site: str, maxwidth: int | None = None,
           maxheight: int | None = None) -> dict[str, Any]:
    """An oEmbed 1.0 ``video`` answer, fitted within maxwidth × maxheight."""
    width, height = EMBED_WIDTH, EMBED_HEIGHT
    if maxwidth and maxwidth < width:
        width, height = maxwidth, round(height * maxwidth / width)
    if maxheight and maxheight < height:
        width, height = round(width * maxheight / height), maxheight
    data: dict[str, Any] = {
        "version": "1.0", "type": "video", "provider_name": site, "provider_url": f"{base}/",
        "title": talk["title"], "html": embed_html(talk, base, width, height),
        "width": width, "height": height,
    }
    if talk.get("speakers"):
        data["author_name"] = ", ".join(talk["speakers"])
    if talk.get("poster_url"):
        data.update(thumbnail_url=talk["poster_url"], thumbnail_width=640)
    return data
