"""The conference pages through TestClient: /events, /events/{slug} (programme order, times in
the event's time zone, each slot's talk or status, nothing of an unpublished talk for
citizens), /speakers/{slug} (talks across events, the named voice), the links from a talk's
details, the public API's slots, and the not-found answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import html

from archive import catalog as cat
from archive.programme.people import person_slug
from archive.programme.tables import ProgrammeSlot

from .fakes import FakeSearch, add_talk, app_with
from .test_programme_api import error_of, upload
from .test_programme_import import BUS, KEYNOTE, PODIUM, RATHAUS, XML_SLUG
from .test_research_unit import save_transcript

EVENT_TITLE = "Smart Cities Konferenz 2025"


@contextmanager
def conference(tmp_path: Path) -> Iterator[tuple[TestClient, cat.Catalog, str]]:
    """The schedule.xml fixture imported, and five talks:

    - ``keynote`` (published) cut from the keynote slot;
    - ``rathaus`` (unpublished) cut from the Rathaus slot: citizens see "keine Aufnahme";
    - ``bus`` (unpublished) waiting for review in the Bürgerbus slot;
    - ``extra`` (published) of the same event, in no slot, with a voice named Jürgen Müller;
    - ``other`` (published) of another event.
    """
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        assert upload(client, token, "schedule.xml").json()["applied"]
        settings = client.app.state.settings  # type: ignore[attr-defined]
        for talk_id, published in (("keynote", True), ("rathaus", False), ("bus", False),
                                   ("extra", True), ("other", True)):
            add_talk(catalog, tmp_path, talk_id, published=published)
            save_transcript(settings, talk_id, ["Willkommen in Olpe.", "Der Bürgerbus fährt jeden Tag."])
        with catalog.session() as s:
            titles = {"keynote": ("Die Stadt als Plattform", ["Anna Becker", "Jonas Weber"]),
                      "rathaus": ("Rathaus, Rohschnitt", ["Jonas Weber"]),
                      "bus": ("Bürgerbus, Rohschnitt", ["Lena Schulte"]),
                      "extra": ("Nachgereicht: Sensoren im Stadtpark", ["Lena Schulte"]),
                      "other": ("Ein anderer Vortrag", ["Jonas Weber"])}
            for talk_id, (title, speakers) in titles.items():
                talk = s.get(cat.Talk, talk_id)
                talk.title, talk.speakers, talk.event = title, speakers, EVENT_TITLE
            s.get(cat.Talk, "other").event = "Smart Cities Konferenz 2024"
            extra = s.get(cat.Talk, "extra")
            extra.speaker_names = {"SPEAKER_2": "Jürgen Müller"}
            s.add(cat.VoiceSample(name="Jürgen Müller", talk_id="extra", label="SPEAKER_2",
                                  centroid=[1.0, 0.0], seconds=83.0))
            slots = {row.guid: row for row in s.query(ProgrammeSlot)}
            slots[KEYNOTE].talk_id = "keynote"
            slots[RATHAUS].talk_id = "rathaus"
            slots[BUS].talk_id, slots[BUS].needs_review = "bus", True
        yield client, catalog, token


def page(client: TestClient, url: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return html.fromstring(response.text)


def texts(doc: Any, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in doc.xpath(xpath)]


def test_person_slugs() -> None:
    assert person_slug("Jürgen Müller") == "juergen-mueller"
    assert person_slug("  Anna  Becker ") == "anna-becker"
    assert person_slug("Jörg Weiß-Öztürk") == "joerg-weiss-oeztuerk"
    assert person_slug("ÄRGER") == "aerger"
    assert person_slug("José Álvarez") == "jose-alvarez"
    assert person_slug("Dr. med. K. O'Neil") == "dr-med-k-o-neil"
    assert person_slug("李明") == "" and person_slug(None) == ""
    assert len(person_slug("x" * 300)) == 100


def test_the_events_list(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, _token):
        doc = page(client, "/events")
        assert texts(doc, "//h1") == ["Veranstaltungen"]
        assert doc.xpath("//ul[@class='event-list']//a/@href") == [f"/events/{XML_SLUG}"]
        meta = texts(doc, "//ul[@class='event-list']//p[@class='meta']")[0]
        # keynote and the extra talk are public; the unpublished ones are not counted
        assert meta == "18.09.2025 – 19.09.2025 · 2 Vorträge · 4 Programmpunkte", meta
        english = page(client, "/events?lang=en")
        assert texts(english, "//ul[@class='event-list']//p[@class='meta']")[0] == (
            "18 September 2025 – 19 September 2025 · 2 talks · 4 programme items")
        assert "/events" in doc.xpath("//header//a/@href")  # every page links to the events


def test_an_empty_archive_has_an_events_page(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, _token):
        doc = page(client, "/events")
        assert "Noch keine Veranstaltung" in doc.text_content()


def test_the_programme_in_order_with_talks_and_statuses(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, _token):
        doc = page(client, f"/events/{XML_SLUG}")
        raw = client.get(f"/events/{XML_SLUG}").text
    assert texts(doc, "//h1") == [EVENT_TITLE]
    assert texts(doc, "//section[@class='day']/h2") == ["Donnerstag, 18.09.2025", "Freitag, 19.09.2025"]
    slots = doc.xpath("//li[contains(@class, 'slot')]")
    # programme order: start, then the room's place in the programme
    assert [s.get("data-guid") for s in slots] == [KEYNOTE, BUS, PODIUM, RATHAUS]
    keynote, bus, podium, rathaus = slots
    # the event's time zone: stored as 07:30 UTC, shown as 09:30 in Europe/Berlin
    assert texts(keynote, ".//p[@class='slot-time']") == ["09:30–10:15"]
    assert keynote.xpath(".//h3/a/@href") == ["/talks/keynote"]
    assert keynote.xpath(".//span[@class='persons']/a/@href") == ["/speakers/anna-becker",
                                                                  "/speakers/jonas-weber"]
    assert "Saal Südwestfalen" in texts(keynote, ".//p[@class='meta']")[0]
    assert "45 Min." in texts(keynote, ".//p[@class='meta']")[0]
    assert "Aufzeichnung 00:12" in texts(keynote, ".//p[@class='meta']")[0]
    assert not keynote.xpath(".//span[@class='status']")
    assert (bus.get("class"), texts(bus, ".//span[@class='status']")) == (
        "slot status-needs_review", ["wird geprüft"])
    assert texts(podium, ".//span[@class='status']") == ["nicht aufgezeichnet"]
    assert texts(rathaus, ".//span[@class='status']") == ["keine Aufnahme"]
    for slot in (bus, podium, rathaus):
        assert not slot.xpath(".//h3/a")
    # nothing of the unpublished talks reaches a citizen
    for secret in ("/talks/rathaus", "/talks/bus", "rathaus\"", "bus\"", "Rohschnitt"):
        assert secret not in raw, secret
    more = doc.xpath("//section[@class='more']")[0]
    assert more.xpath(".//h3/a/@href") == ["/talks/extra"]
    assert doc.xpath("//ul[@class='downloads']//a/@href") == [
        f"/events/{XML_SLUG}/podcast.xml", f"/events/{XML_SLUG}/feed.atom",
        f"/api/events/{XML_SLUG}/schedule.xml"]
    assert doc.xpath("//link[@rel='alternate']/@type")[-2:] == ["application/atom+xml",
                                                                "application/rss+xml"]


def test_staff_see_every_talk_marked(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, token):
        response = client.get(f"/events/{XML_SLUG}", headers={"Authorization": f"Bearer {token}"})
        assert response.headers["cache-control"] == "private, no-store"
        doc = html.fromstring(response.text)
        rathaus = doc.xpath(f"//li[@data-guid='{RATHAUS}']")[0]
        assert rathaus.xpath(".//h3/a/@href") == ["/talks/rathaus"]
        assert texts(rathaus, ".//span[@class='status']") == ["nicht veröffentlicht"]
        bus = doc.xpath(f"//li[@data-guid='{BUS}']")[0]
        assert texts(bus, ".//span[@class='status']") == ["wird geprüft", "nicht veröffentlicht"]
        podium = doc.xpath(f"//li[@data-guid='{PODIUM}']")[0]
        assert not podium.xpath(".//h3/a")


def test_the_english_programme(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, _token):
        doc = page(client, f"/events/{XML_SLUG}?lang=en")
        assert texts(doc, "//section[@class='day']/h2")[0] == "Thursday, 18 September 2025"
        assert texts(doc, "//span[@class='status']") == ["being reviewed", "not recorded", "no recording"]


def test_the_public_api_names_only_published_talks(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, token):
        public = {s["guid"]: s for s in client.get(f"/api/events/{XML_SLUG}").json()["slots"]}
        assert (public[KEYNOTE]["talk_id"], public[KEYNOTE]["status"]) == ("keynote", "cut")
        assert (public[RATHAUS]["talk_id"], public[RATHAUS]["status"]) == (None, "missing")
        assert (public[BUS]["talk_id"], public[BUS]["status"]) == (None, "needs_review")
        assert (public[PODIUM]["talk_id"], public[PODIUM]["status"]) == (None, "not_recorded")
        staff = {s["guid"]: s for s in client.get(f"/api/events/{XML_SLUG}", headers={
            "Authorization": f"Bearer {token}"}).json()["slots"]}
        assert (staff[RATHAUS]["talk_id"], staff[RATHAUS]["status"]) == ("rathaus", "cut")
        assert (staff[BUS]["talk_id"], staff[BUS]["status"]) == ("bus", "needs_review")


def test_a_speaker_across_events_with_programme_and_voice(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, token):
        doc = page(client, "/speakers/jonas-weber")
        assert texts(doc, "//h1") == ["Jonas Weber"]
        talks = doc.xpath("//ol[@class='talks']/li")
        assert [t.xpath(".//h3/a/@href")[0] for t in talks] == ["/talks/keynote", "/talks/other"]
        keynote = texts(talks[0], ".//p[@class='meta']")[0]
        assert keynote.startswith(EVENT_TITLE + " · 18.09.2025, 09:30 · Anna Becker"), keynote
        assert talks[0].xpath(".//p[@class='meta']/a/@href")[:2] == [f"/events/{XML_SLUG}",
                                                                     "/speakers/anna-becker"]
        # the other event has no programme here: its name without a link
        assert texts(talks[1], ".//p[@class='meta']")[0].startswith("Smart Cities Konferenz 2024")
        slots = doc.xpath("//ol[@class='programme']/li")
        assert texts(slots[0], ".//h3") == ["Das digitale Rathaus in Olpe"]  # the slot's title
        assert texts(slots[0], ".//span[@class='status']") == ["keine Aufnahme"]
        assert slots[0].xpath(".//a/@href") == [f"/events/{XML_SLUG}#slot-{RATHAUS}"]
        assert "/talks/rathaus" not in client.get("/speakers/jonas-weber").text
        assert "/talks/rathaus" in client.get("/speakers/jonas-weber",
                                              headers={"Authorization": f"Bearer {token}"}).text
        # a voice staff named: how long it speaks and where it first does
        voice = page(client, "/speakers/juergen-mueller")
        assert texts(voice, "//h1") == ["Jürgen Müller"]
        assert voice.xpath("//ol[@class='talks']//h3/a/@href") == ["/talks/extra"]
        assert texts(voice, "//p[@class='voice']") == [
            "Stimme im Transkript: spricht 01:23 · erste Wortmeldung bei 00:03"]
        assert voice.xpath("//p[@class='voice']/a/@href") == ["/talks/extra?t=3"]
        # a person only in the programme, whose talk is not public
        lena = page(client, "/speakers/lena-schulte")
        assert lena.xpath("//ol[@class='talks']//h3/a/@href") == ["/talks/extra"]
        assert texts(lena, "//ol[@class='programme']//span[@class='status']") == ["wird geprüft"]
        assert page(client, "/speakers/paul-hoffmann").xpath("//ol[@class='talks']") == []


@pytest.mark.parametrize("url", ["/events/nope", "/speakers/niemand", "/speakers/" + "x" * 300,
                                 "/events/" + "y" * 100])
def test_unknown_pages_are_the_not_found_page(tmp_path: Path, url: str) -> None:
    with conference(tmp_path) as (client, _catalog, _token):
        response = client.get(url)
        assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
        doc = html.fromstring(response.text)
        assert texts(doc, "//h1") == ["404"]
        assert "gibt es" in doc.text_content()


def test_unknown_feeds_and_exports_answer_in_the_error_shape(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, _token):
        for url in ("/events/nope/feed.atom", "/events/nope/podcast.xml",
                    "/api/events/nope/schedule.xml", "/api/events/" + "z" * 200 + "/schedule.xml"):
            assert error_of(client.get(url), 404)["code"] == "not_found"


def test_a_talk_links_its_event_and_speakers(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, _token):
        doc = page(client, "/talks/keynote")
        meta = doc.xpath("//p[@class='meta']")[0]
        assert meta.xpath("./a/@href") == [f"/events/{XML_SLUG}", "/speakers/anna-becker",
                                           "/speakers/jonas-weber"]
        other = page(client, "/talks/other").xpath("//p[@class='meta']")[0]
        assert other.xpath("./a/@href") == ["/speakers/jonas-weber"]  # its event has no page


def test_head_answers_on_the_pages(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, _token):
        for url in ("/events", f"/events/{XML_SLUG}", "/speakers/jonas-weber",
                    f"/events/{XML_SLUG}/feed.atom", f"/events/{XML_SLUG}/podcast.xml"):
            response = client.head(url)
            assert response.status_code == 200 and response.content == b"", url
