"""An event's feeds: the Atom feed valid against RFC 4287's RELAX NG schema (and its two
Schematron rules) and read by feedparser without a bozo flag; the podcast as RSS 2.0 with the
Podcasting 2.0 elements as that namespace's spec has them (enclosure, podcast:transcript,
podcast:chapters, podcast:guid, ...). Published talks only, in programme order."""

from __future__ import annotations

import email.utils
import functools
import re
from pathlib import Path

import feedparser
from lxml import etree

from archive import catalog as cat
from archive.programme.feeds import ATOM, ITUNES, PODCAST, podcast_guid

from .test_programme_import import XML_SLUG
from .test_programme_pages import conference

DATA = Path(__file__).resolve().parents[1] / "data" / "feeds"
SITE = "http://testserver"
NS = {"a": ATOM, "itunes": ITUNES, "podcast": PODCAST}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@functools.cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(DATA / "atom.rng")))


def valid_atom(body: bytes) -> etree._Element:
    doc = etree.fromstring(body)
    schema = atom_schema()
    assert schema.validate(doc), schema.error_log
    # RFC 4287's two Schematron rules, which RELAX NG itself does not check
    assert doc.xpath("a:author or not(a:entry[not(a:author)])", namespaces=NS)
    for entry in doc.xpath("a:entry", namespaces=NS):
        assert entry.xpath("a:link[@rel='alternate'] or a:link[not(@rel)] or a:content", namespaces=NS)
    return doc


def test_the_schema_tells_good_from_bad() -> None:
    good = (f'<feed xmlns="{ATOM}"><id>x</id><title>t</title><updated>2025-09-18T09:30:00+02:00'
            '</updated></feed>').encode()
    assert atom_schema().validate(etree.fromstring(good))
    for bad in (good.replace(b"<id>x</id>", b""), good.replace(b"+02:00", b" Uhr")):
        assert not atom_schema().validate(etree.fromstring(bad))


def test_the_site_feed_is_valid_atom_too(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, _token):
        valid_atom(client.get("/feed.xml").content)


def test_the_atom_feed(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, _token):
        response = client.get(f"/events/{XML_SLUG}/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=300"
    doc = valid_atom(response.content)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.title == "Smart Cities Konferenz 2025"
    assert parsed.feed.link == f"{SITE}/events/{XML_SLUG}"
    # programme order first (the keynote's slot), then the event's talks in no slot
    assert [e.link for e in parsed.entries] == [f"{SITE}/talks/keynote", f"{SITE}/talks/extra"]
    keynote = parsed.entries[0]
    assert keynote.published == "2025-09-18T09:30:00+02:00"  # the slot's start
    assert [a.name for a in keynote.authors] == ["Anna Becker", "Jonas Weber"]
    assert keynote.authors[0].href == f"{SITE}/speakers/anna-becker"
    assert keynote.summary == "Was 5 für Südwestfalen in drei Jahren gelernt hat."  # the abstract
    assert [t.term for t in keynote.tags] == ["Plenum"]
    enclosure = next(link for link in keynote.links if link.rel == "enclosure")
    assert (enclosure.href, enclosure.type, enclosure.length) == (
        f"{SITE}/api/talks/keynote/media", "video/mp4", "1000")
    assert any(link.type == "text/vtt" and link.href.endswith("/keynote/transcript.vtt")
               for link in keynote.links)
    assert b"rathaus" not in response.content and b"/talks/bus" not in response.content
    assert doc.xpath("a:link[@rel='self']/@href", namespaces=NS) == [
        f"{SITE}/events/{XML_SLUG}/feed.atom"]


def test_podcast_guid_follows_the_spec() -> None:
    # the examples of the podcast:guid tag's documentation
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("mp3s.nashownotes.com/pc20rss.xml/") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_the_podcast(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, catalog, _token):
        with catalog.session() as s:  # a talk with sound only: its own file is the enclosure
            extra = s.get(cat.Talk, "extra")
            extra.has_video, extra.licence = False, "LicenseRef-all-rights-reserved"
        response = client.get(f"/events/{XML_SLUG}/podcast.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    rss = etree.fromstring(response.content)
    assert (rss.tag, rss.get("version")) == ("rss", "2.0")
    assert rss.nsmap["podcast"] == "https://podcastindex.org/namespace/1.0"
    assert rss.nsmap["itunes"] == ITUNES
    channel = rss.find("channel")
    assert channel.findtext("title") == "Smart Cities Konferenz 2025"
    assert channel.findtext("link") == f"{SITE}/events/{XML_SLUG}"
    assert channel.findtext("language") == "de" and channel.findtext("description")
    email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate"))
    feed_url = f"{SITE}/events/{XML_SLUG}/podcast.xml"
    assert channel.xpath("a:link[@rel='self']/@href", namespaces=NS) == [feed_url]
    guid = channel.findtext(f"{{{PODCAST}}}guid")
    assert UUID.match(guid) and guid == podcast_guid(feed_url)
    assert channel.find(f"{{{ITUNES}}}category").get("text") == "Government"
    assert channel.findtext(f"{{{ITUNES}}}explicit") == "false"
    items = channel.findall("item")
    # newest first: the extra talk has only its date (noon UTC), the keynote began at 09:30
    assert [i.findtext("link") for i in items] == [f"{SITE}/talks/extra", f"{SITE}/talks/keynote"]
    extra, keynote = items
    for item in items:
        assert item.findtext("title") and item.findtext("description")
        assert item.find("guid").get("isPermaLink") == "true"
        email.utils.parsedate_to_datetime(item.findtext("pubDate"))
        assert item.findtext(f"{{{ITUNES}}}duration") == "12"
        talk = item.findtext("link").rsplit("/", 1)[1]
        (transcript,) = item.findall(f"{{{PODCAST}}}transcript")
        assert dict(transcript.attrib) == {"url": f"{SITE}/api/talks/{talk}/transcript.vtt",
                                           "type": "text/vtt", "language": "de", "rel": "captions"}
        (chapters,) = item.findall(f"{{{PODCAST}}}chapters")
        assert dict(chapters.attrib) == {"url": f"{SITE}/api/talks/{talk}/chapters.json",
                                         "type": "application/json+chapters"}
        for person in item.findall(f"{{{PODCAST}}}person"):
            assert person.text and len(person.text) <= 128 and person.get("role") == "guest"
    assert keynote.findtext("pubDate") == "Thu, 18 Sep 2025 07:30:00 GMT"
    # a video: its sound as the enclosure (streamed: length unknown, 0), the video beside it
    assert dict(keynote.find("enclosure").attrib) == {
        "url": f"{SITE}/api/talks/keynote/audio.m4a", "length": "0", "type": "audio/mp4"}
    video = keynote.find(f"{{{PODCAST}}}alternateEnclosure")
    assert (video.get("type"), video.get("length")) == ("video/mp4", "1000")
    assert video.find(f"{{{PODCAST}}}source").get("uri") == f"{SITE}/api/talks/keynote/media"
    assert [p.text for p in keynote.findall(f"{{{PODCAST}}}person")] == ["Anna Becker", "Jonas Weber"]
    assert keynote.find(f"{{{PODCAST}}}person").get("href") == f"{SITE}/speakers/anna-becker"
    licence = keynote.find(f"{{{PODCAST}}}license")
    assert (licence.text, licence.get("url")) == ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/")
    # sound only: its own file, with its length
    assert dict(extra.find("enclosure").attrib) == {
        "url": f"{SITE}/api/talks/extra/media", "length": "1000", "type": "audio/mp4"}
    assert extra.find(f"{{{PODCAST}}}alternateEnclosure") is None
    assert extra.find(f"{{{PODCAST}}}license") is None  # "all rights reserved" is no licence text
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert [e.enclosures[0].href for e in parsed.entries] == [
        f"{SITE}/api/talks/extra/media", f"{SITE}/api/talks/keynote/audio.m4a"]
    assert b"rathaus" not in response.content and b"/talks/bus" not in response.content


def test_an_event_without_recordings_has_empty_feeds(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, catalog, _token):
        with catalog.session() as s:
            for talk in s.query(cat.Talk):
                talk.published = False
        atom = client.get(f"/events/{XML_SLUG}/feed.atom").content
        rss = client.get(f"/events/{XML_SLUG}/podcast.xml").content
    assert valid_atom(atom).xpath("a:entry", namespaces=NS) == []
    assert etree.fromstring(rss).findall("channel/item") == []
