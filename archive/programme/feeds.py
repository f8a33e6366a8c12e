"""An event's recordings as feeds, built as the site's Atom feed is (:mod:`archive.discovery`,
ElementTree): an Atom feed (RFC 4287) and a podcast (RSS 2.0 with the Apple ``itunes`` and the
Podcasting 2.0 ``podcast`` namespaces).

Each takes the event (:func:`.listing.recordings`) and its public talks as :class:`Episode`;
the callers pass published talks only.

**The podcast's enclosure is sound**: an audio talk's own file (its length known), a video
talk's audio track (``/api/talks/{id}/audio.m4a``, copied out as it streams, so its length is
unknown and given as 0, as the RSS Best Practices Profile asks) with the video beside it as
``podcast:alternateEnclosure`` (with its length). Every episode links its transcript
(``podcast:transcript``, WebVTT, ``rel="captions"``) and its chapters (``podcast:chapters``,
Podcasting 2.0 JSON chapters), and names its speakers (``podcast:person``, role guest, linked
to their pages) and licence (``podcast:license``).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import uuid
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from ..citations import day_text
from .people import person_slug

ATOM = "http://www.w3.org/2005/Atom"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Podcasting 2.0 podcast:guid: uuid5 of the feed URL without its scheme, in this namespace
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
CHAPTERS_TYPE = "application/json+chapters"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass
class Episode:
    """One public talk of the event, with absolute links (:func:`archive.exports.links`)."""

    talk: dict[str, Any]  # the public dict with url, media_url, media_type, poster_url, captions_url
    updated: dt.datetime | None  # when the talk last changed (naive UTC, as the catalog keeps it)
    media_size: int  # bytes of the media file, 0 when unknown
    slot: dict[str, Any] | None = None  # its programme slot (views.slot_json), None if not in it

    @property
    def given(self) -> dt.datetime:
        """When the talk was given: its slot's start, else its date at noon (UTC), else when it
        was uploaded."""
        if self.slot:
            return dt.datetime.fromisoformat(self.slot["start"])
        if self.talk.get("date"):
            try:
                return dt.datetime.combine(dt.date.fromisoformat(self.talk["date"]), dt.time(12),
                                           dt.UTC)
            except ValueError:
                pass
        return _aware(self.updated) or EPOCH


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    elem = ET.SubElement(parent, tag, attrs)
    if text is not None:
        elem.text = text
    return elem


def _summary(episode: Episode) -> str:
    talk = episode.talk
    text = talk.get("description") or (episode.slot or {}).get("abstract")
    if text:
        return str(text)
    parts = [", ".join(talk.get("speakers") or []), talk.get("event"), talk.get("town"),
             talk.get("date")]
    return " · ".join(p for p in parts if p) or talk["title"]


def _updated(event: dict[str, Any], episodes: list[Episode]) -> dt.datetime:
    stamps = [_aware(e.updated) for e in episodes] + [_aware(event.get("imported_at"))]
    return max((s for s in stamps if s is not None), default=EPOCH)


def atom(event: dict[str, Any], episodes: list[Episode], base: str, site: str) -> bytes:
    """The event's recordings as an Atom feed, programme order (the order of ``episodes``)."""
    ET.register_namespace("", ATOM)
    a = f"{{{ATOM}}}"
    page = f"{base}/events/{event['slug']}"
    root = ET.Element(f"{a}feed", {XML_LANG: "de"})
    _sub(root, f"{a}id", f"{page}/feed.atom")
    _sub(root, f"{a}title", event["title"])
    where = " · ".join(p for p in (event.get("place"), _dates(event)) if p)
    _sub(root, f"{a}subtitle", where)
    _sub(root, f"{a}updated", _iso(_updated(event, episodes)))
    _sub(root, f"{a}link", rel="self", href=f"{page}/feed.atom", type="application/atom+xml")
    _sub(root, f"{a}link", rel="alternate", href=page, type="text/html")
    _sub(root, f"{a}link", rel="related", href=f"{page}/podcast.xml", type="application/rss+xml")
    _sub(_sub(root, f"{a}author"), f"{a}name", site)
    _sub(root, f"{a}generator", "talkarchive")
    for episode in episodes:
        talk = episode.talk
        entry = _sub(root, f"{a}entry")
        _sub(entry, f"{a}id", talk["url"])
        _sub(entry, f"{a}title", talk["title"])
        _sub(entry, f"{a}updated", _iso(_aware(episode.updated) or episode.given))
        _sub(entry, f"{a}published", _iso(episode.given))
        _sub(entry, f"{a}link", rel="alternate", href=talk["url"], type="text/html")
        _sub(entry, f"{a}link", rel="enclosure", href=talk["media_url"],
             type=talk.get("media_type") or "video/mp4", length=str(episode.media_size))
        _sub(entry, f"{a}link", rel="alternate", href=talk["captions_url"], type="text/vtt",
             title="Transkript (WebVTT)")
        for name in talk.get("speakers") or []:
            author = _sub(entry, f"{a}author")
            _sub(author, f"{a}name", name)
            if person_slug(name):
                _sub(author, f"{a}uri", f"{base}/speakers/{person_slug(name)}")
        if episode.slot and episode.slot.get("track"):
            _sub(entry, f"{a}category", term=episode.slot["track"])
        _sub(entry, f"{a}summary", _summary(episode))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _dates(event: dict[str, Any]) -> str:
    """'18.09.2025' or '18.09.2025 – 19.09.2025'."""
    first, last = day_text(event["start"]), day_text(event["end"])
    return first if first == last else f"{first} – {last}"


def podcast_guid(feed_url: str) -> str:
    """Podcasting 2.0 ``podcast:guid``: uuid5 of the feed URL without scheme and trailing
    slashes."""
    seed = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, seed))


def _rfc822(value: dt.datetime) -> str:
    return email.utils.format_datetime(value.astimezone(dt.UTC), usegmt=True)


def podcast(event: dict[str, Any], episodes: list[Episode], base: str, site: str) -> bytes:
    """The event's recordings as a podcast, newest given first."""
    for prefix, uri in (("atom", ATOM), ("itunes", ITUNES), ("podcast", PODCAST)):
        ET.register_namespace(prefix, uri)
    i, p, a = f"{{{ITUNES}}}", f"{{{PODCAST}}}", f"{{{ATOM}}}"
    page = f"{base}/events/{event['slug']}"
    feed_url = f"{page}/podcast.xml"
    root = ET.Element("rss", version="2.0")
    channel = _sub(root, "channel")
    _sub(channel, "title", event["title"])
    _sub(channel, "link", page)
    where = " · ".join(p for p in (event.get("place"), _dates(event)) if p)
    description = f"Die Vorträge von {event['title']}" + (f" ({where})" if where else "") + \
        f" mit Transkript – {site}"
    _sub(channel, "description", description)
    _sub(channel, "language", "de")
    _sub(channel, "generator", "talkarchive")
    _sub(channel, "lastBuildDate", _rfc822(_updated(event, episodes)))
    _sub(channel, f"{a}link", rel="self", href=feed_url, type="application/rss+xml")
    _sub(channel, f"{i}author", site)
    ET.SubElement(channel, f"{i}category", {"text": "Government"})  # an attribute called text
    _sub(channel, f"{i}explicit", "false")
    _sub(channel, f"{i}type", "episodic")
    _sub(channel, f"{p}guid", podcast_guid(feed_url))
    _sub(channel, f"{p}medium", "podcast")
    for episode in sorted(episodes, key=lambda e: e.given, reverse=True):
        _item(channel, episode, base)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _item(channel: ET.Element, episode: Episode, base: str) -> None:
    i, p = f"{{{ITUNES}}}", f"{{{PODCAST}}}"
    talk = episode.talk
    api = f"{base}/api/talks/{talk['id']}"
    item = _sub(channel, "item")
    _sub(item, "title", talk["title"])
    _sub(item, "link", talk["url"])
    _sub(item, "guid", talk["url"], isPermaLink="true")
    _sub(item, "pubDate", _rfc822(episode.given))
    _sub(item, "description", _summary(episode))
    if talk.get("has_video", True):
        _sub(item, "enclosure", url=f"{api}/audio.m4a", length="0", type="audio/mp4")
        video = _sub(item, f"{p}alternateEnclosure", type=talk.get("media_type") or "video/mp4",
                     length=str(episode.media_size), title="Video")
        _sub(video, f"{p}source", uri=talk["media_url"])
    else:
        _sub(item, "enclosure", url=talk["media_url"], length=str(episode.media_size),
             type=talk.get("media_type") or "audio/mp4")
    _sub(item, f"{i}duration", str(round(float(talk.get("duration") or 0))))
    if talk.get("speakers"):
        _sub(item, f"{i}author", ", ".join(talk["speakers"]))
    if talk.get("poster_url"):
        _sub(item, f"{i}image", href=talk["poster_url"])
    _sub(item, f"{i}explicit", "false")
    _sub(item, f"{p}transcript", url=talk["captions_url"], type="text/vtt",
         language=talk.get("language") or "de", rel="captions")
    _sub(item, f"{p}chapters", url=f"{api}/chapters.json", type=CHAPTERS_TYPE)
    for name in talk.get("speakers") or []:
        attrs = {"role": "guest"}
        if person_slug(name):
            attrs["href"] = f"{base}/speakers/{person_slug(name)}"
        _sub(item, f"{p}person", name[:128], **attrs)
    licence = talk.get("licence") or {}
    if licence.get("id") and licence.get("url"):  # "all rights reserved" has no licence text
        _sub(item, f"{p}license", licence["id"], url=licence["url"])
