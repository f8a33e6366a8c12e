"""The conference pages in Debian Chromium at 1280 and 375 px against a real `talkarchive serve`:
the event page lists its slots in programme order (as the API gives it, and top to bottom on the
screen), each with its talk or its status; the events list, a speaker's page and the not-found
page; strict axe-core under the real CSP, no console error, no page wider than the window.
Screenshots in test-artifacts/events-*.png.

The archive is its own (no speech model needed): the schedule.xml fixture imported, four talks
written into the catalog with a short sound each and a transcript."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from archive import catalog as cat
from archive import transcript as tr
from archive.paths import transcript_path
from archive.programme.apply import import_programme
from archive.programme.read import read_programme
from archive.programme.tables import ProgrammeSlot

from ..conftest import ROOT, make_archive, start_serve
from .pages import WIDTHS, fits, strict_axe
from .test_web import Console, axe_js, browser, screenshot  # noqa: F401 - the browser and axe_js fixtures

pytestmark = pytest.mark.e2e

SLUG = "smartcities-2025"
KEYNOTE, PODIUM, BUS, RATHAUS = (f"5a7c2e4e-0c1b-4d0e-9a51-00000000000{n}" for n in range(1, 5))
TALKS = {  # id: title, speakers, published, has a slot
    "keynote": ("Die Stadt als Plattform", ["Anna Becker", "Jonas Weber"], True),
    "bus": ("Bürgerbus on demand in Bad Berleburg", ["Lena Schulte"], True),
    "rathaus": ("Rathaus, Rohschnitt", ["Jonas Weber"], False),
    "sensoren": ("Nachgereicht: Sensoren im Stadtpark von Menden", ["Jürgen Müller"], True),
}


def _add_talks(settings: object, catalog: cat.Catalog, folder: Path) -> None:
    sound = folder / "ton.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=220:duration=4",
                    "-c:a", "aac", "-y", str(sound)], check=True)
    for n, (talk_id, (title, speakers, published)) in enumerate(TALKS.items()):
        text = "Willkommen zur Smart Cities Konferenz"
        words = [tr.Word(0.2 + k * 0.5, 0.6 + k * 0.5, " " + w) for k, w in enumerate(text.split(" "))]
        segment = tr.Segment(words[0].start, words[-1].end, text, words, "SPEAKER_1")
        tr.save(tr.Transcript(talk_id, "de", 4.0, [segment],
                              tr.Provenance("faster-whisper", "base", None, "cpu", "int8", {})),
                transcript_path(settings, talk_id))  # type: ignore[arg-type]
        with catalog.session() as s:
            s.add(cat.Talk(id=talk_id, content_hash=f"{n:064d}", title=title,
                           event="Smart Cities Konferenz 2025", date="2025-09-18", year=2025,
                           speakers=speakers, town="Olpe", language="de", duration=4.0,
                           status="ready", published=published, original_name="ton.m4a",
                           original_path=str(sound), media_path=str(sound), poster_path=None,
                           has_video=False, segment_count=1))
    with catalog.session() as s:  # staff named the voice of the talk outside the programme
        s.get(cat.Talk, "sensoren").speaker_names = {"SPEAKER_1": "Jürgen Müller"}
        s.add(cat.VoiceSample(name="Jürgen Müller", talk_id="sensoren", label="SPEAKER_1",
                              centroid=[1.0, 0.0], seconds=3.5))
        slots = {row.guid: row for row in s.query(ProgrammeSlot)}
        slots[KEYNOTE].talk_id = "keynote"
        slots[BUS].talk_id, slots[BUS].needs_review = "bus", True
        slots[RATHAUS].talk_id = "rathaus"


@pytest.fixture(scope="module")
def site(meili_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("events")
    archive = make_archive(tmp, meili_server)
    settings = archive.settings()
    catalog = cat.Catalog(settings)
    try:
        data = (ROOT / "tests" / "data" / "programme" / "schedule.xml").read_bytes()
        assert import_programme(catalog, read_programme(data, "schedule.xml")).applied
        _add_talks(settings, catalog, tmp)
    finally:
        catalog.dispose()
    proc, url = start_serve(archive, tmp)
    yield url
    proc.terminate()
    proc.wait(30)


def context(browser: Browser, width: int) -> BrowserContext:  # noqa: F811
    return browser.new_context(viewport={"width": width, "height": 800 if width < 800 else 900})


def checked(page: Page, axe: str, width: int, where: str) -> None:
    strict_axe(page, axe, where)
    fits(page, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_event_page_lists_the_programme_in_order(site: str, browser: Browser, axe_js: str,  # noqa: F811
                                                     width: int) -> None:
    api = httpx.get(f"{site}/api/events/{SLUG}", timeout=30).json()
    ctx = context(browser, width)
    page = ctx.new_page()
    console = Console(page)
    page.goto(f"{site}/events/{SLUG}")
    slots = page.locator("li.slot")
    guids = [slots.nth(i).get_attribute("data-guid") for i in range(slots.count())]
    assert guids == [s["guid"] for s in api["slots"]] == [KEYNOTE, BUS, PODIUM, RATHAUS]
    tops = [slots.nth(i).bounding_box()["y"] for i in range(slots.count())]  # type: ignore[index]
    assert tops == sorted(tops), tops  # top to bottom in that order on the screen
    assert page.locator("li.slot .slot-time").all_inner_texts()[:3] == [
        "09:30–10:15", "09:30–10:00", "10:30–11:30"]
    assert page.locator(f"li[data-guid='{KEYNOTE}'] h3 a").get_attribute("href") == "/talks/keynote"
    assert page.locator(f"li[data-guid='{BUS}'] .status").inner_text() == "wird geprüft"
    assert page.locator(f"li[data-guid='{PODIUM}'] .status").inner_text() == "nicht aufgezeichnet"
    assert page.locator(f"li[data-guid='{RATHAUS}'] .status").inner_text() == "keine Aufnahme"
    assert "Rohschnitt" not in page.content() and "/talks/rathaus" not in page.content()
    assert page.locator(".more h3 a").get_attribute("href") == "/talks/sensoren"
    checked(page, axe_js, width, f"event page at {width}")
    screenshot(page, f"events-programme-{width}")
    page.goto(f"{site}/events/{SLUG}?lang=en")
    assert page.locator(f"li[data-guid='{RATHAUS}'] .status").inner_text() == "no recording"
    checked(page, axe_js, width, f"English event page at {width}")
    # a slot's place on the page is an address (the schedule.xml export links it)
    page.goto(f"{site}/events/{SLUG}#slot-{RATHAUS}")
    assert page.evaluate("document.querySelector(':target').dataset.guid") == RATHAUS
    page.locator(f"li[data-guid='{KEYNOTE}'] h3 a").click()
    page.wait_for_url(f"{site}/talks/keynote")
    assert page.locator("h1").inner_text() == "Die Stadt als Plattform"
    assert page.locator(f"p.meta a[href='/events/{SLUG}']").count() >= 1  # and back to the event
    assert console.errors == [], console.errors
    ctx.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_events_and_a_speaker(site: str, browser: Browser, axe_js: str,  # noqa: F811
                                  width: int) -> None:
    ctx = context(browser, width)
    page = ctx.new_page()
    console = Console(page)
    page.goto(f"{site}/")
    page.locator("header a.nav-events").click()
    page.wait_for_url(f"{site}/events")
    assert " ".join(page.locator(".event-list .meta").inner_text().split()) == (
        "18.09.2025 – 19.09.2025 · 3 Vorträge · 4 Programmpunkte")
    checked(page, axe_js, width, f"events at {width}")
    screenshot(page, f"events-list-{width}")
    page.locator(".event-list a").click()
    page.wait_for_url(f"{site}/events/{SLUG}")
    page.locator(f"li[data-guid='{RATHAUS}'] .persons a").click()
    page.wait_for_url(f"{site}/speakers/jonas-weber")
    assert page.locator("h1").inner_text() == "Jonas Weber"
    assert page.locator("ol.talks h3 a").get_attribute("href") == "/talks/keynote"
    assert page.locator("ol.programme .status").all_inner_texts() == ["keine Aufnahme"]
    checked(page, axe_js, width, f"speaker at {width}")
    screenshot(page, f"events-speaker-{width}")
    page.goto(f"{site}/speakers/juergen-mueller")
    assert page.locator("h1").inner_text() == "Jürgen Müller"
    assert page.locator("p.voice").inner_text() == (
        "Stimme im Transkript: spricht 00:03 · erste Wortmeldung bei 00:00")
    assert page.locator("p.voice a").get_attribute("href") == "/talks/sensoren?t=0.2"
    checked(page, axe_js, width, f"a named voice at {width}")
    screenshot(page, f"events-voice-{width}")
    missing = page.goto(f"{site}/speakers/niemand")
    assert missing is not None and missing.status == 404
    assert page.locator("h1").inner_text() == "404"
    checked(page, axe_js, width, f"unknown speaker at {width}")
    assert [e for e in console.errors if "404" not in e] == [], console.errors
    ctx.close()


def test_the_feeds_and_the_export_are_served(site: str) -> None:
    for path, kind in ((f"/events/{SLUG}/feed.atom", "application/atom+xml"),
                       (f"/events/{SLUG}/podcast.xml", "application/rss+xml"),
                       (f"/api/events/{SLUG}/schedule.xml", "application/xml")):
        response = httpx.get(site + path, timeout=30)
        assert response.status_code == 200 and response.headers["content-type"].startswith(kind)
        assert b"/talks/keynote" in response.content and b"/talks/rathaus" not in response.content
    bad = httpx.get(f"{site}/api/events/nope/schedule.xml", timeout=30)
    assert bad.status_code == 404 and set(bad.json()["error"]) == {"code", "message"}
