"""Slide text end to end: a video made with ffmpeg and fonts whose two slides carry words that
are never spoken, ingested by the real CLI (ffmpeg, Whisper base, Tesseract, Meilisearch),
searched, served, and looked at in Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from archive.paths import slides_dir, transcript_path
from archive.transcript import load
from ingest import demo

from ..conftest import ARTIFACTS, Archive, make_archive, start_serve
from .test_web import browser  # noqa: F401 - the browser fixture (Debian Chromium)

pytestmark = pytest.mark.e2e

SPOKEN = (
    "Guten Tag und herzlich willkommen zu unserem Vortrag.",
    "Wir sprechen heute über unsere Stadt und ihre Bürger.",
    "Zuerst zeige ich Ihnen, was wir im letzten Jahr gebaut haben.",
    "Danach geht es um die Pläne für das nächste Jahr.",
    "Vielen Dank für Ihre Aufmerksamkeit.",
)
CHANGE = 11.9  # the second slide appears here, between two sentences
SLIDES = (
    demo.DemoSlide(0.0, CHANGE, "Willkommen in Menden", ("Quartiersgarage am Bahnhof",)),
    demo.DemoSlide(CHANGE, 600.0, "Lastenradverleih", ("Wärmepumpen im Feuerwehrhaus",)),
)
UNSPOKEN = {"Quartiersgarage": 0.0, "Lastenradverleih": CHANGE, "Wärmepumpen": CHANGE}


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The talk as an encoder with scene-cut keyframes writes it, the same talk with a
    keyframe only every 5 s (the change falls between two), and its sound alone."""
    if shutil.which("tesseract") is None:
        pytest.fail("tesseract is missing (make test installs tesseract-ocr-deu)")
    folder = tmp_path_factory.mktemp("slides")
    wav = folder / "talk.wav"
    timed = demo.render_speech(SPOKEN, wav, lead=0.5)
    assert timed[1].end < CHANGE < timed[2].start + 1.0
    scenecut = folder / "folien.mp4"
    demo.render_video(wav, scenecut, slides=SLIDES, size="1280x720")
    fixed = folder / "folien_feste_keyframes.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(scenecut), "-c:a", "copy", "-c:v",
                    "libx264", "-preset", "veryfast", "-x264-params",
                    "keyint=50:min-keyint=50:scenecut=0", "-y", str(fixed)], check=True)
    audio = folder / "nur_ton.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(scenecut), "-vn", "-c:a", "copy", "-y",
                    str(audio)], check=True)
    return {"scenecut": scenecut, "fixed": fixed, "audio": audio}


@pytest.fixture(scope="module")
def slide_archive(meili_server: str, tmp_path_factory: pytest.TempPathFactory,
                  videos: dict[str, Path]) -> tuple[Archive, dict[str, str]]:
    archive = make_archive(tmp_path_factory.mktemp("slide-archive"), meili_server)
    ids = {}
    for name, path in videos.items():
        out = archive.run("ingest", str(path), "-q", "--title", f"Folien {name}",
                          "--town", "Menden", "--date", "2025-09-18")
        ids[name] = out.stdout.split()[0]
    return archive, ids


def test_unspoken_slide_words_are_found_at_the_second_the_slide_appears(
        slide_archive: tuple[Archive, dict[str, str]]) -> None:
    archive, ids = slide_archive
    settings = archive.settings()
    for name in ("scenecut", "fixed"):
        transcript = load(transcript_path(settings, ids[name]))
        spoken = transcript.text.lower()
        assert [s.start for s in transcript.slides] == pytest.approx([0.0, CHANGE], abs=2.0)
        assert transcript.provenance.slides and transcript.provenance.slides["ocr"].startswith(
            "tesseract")
        for word in UNSPOKEN:
            assert word.lower() not in spoken  # the hit below can only come from the slide
    for word, shown in UNSPOKEN.items():
        result = archive.search(word)
        hits = {t["id"]: t["segments"] for t in result["talks"]}
        assert set(hits) == {ids["scenecut"], ids["fixed"]}, (word, result)
        for talk_id in (ids["scenecut"], ids["fixed"]):
            seg = hits[talk_id][0]
            assert seg["slide"] is True and "<mark>" in seg["text"]
            assert abs(seg["at"] - shown) <= 2.0, (word, seg)
            assert seg["url"] == f"/talks/{talk_id}?t={seg['at']:g}"


def test_audio_costs_nothing(
        slide_archive: tuple[Archive, dict[str, str]]) -> None:
    archive, ids = slide_archive
    settings = archive.settings()
    audio = load(transcript_path(settings, ids["audio"]))
    assert audio.slides == [] and audio.provenance.slides is None  # no slide stage ran
    assert not slides_dir(settings, ids["audio"]).exists()
    thumbs = sorted(p.name for p in slides_dir(settings, ids["fixed"]).iterdir())
    assert thumbs == ["000.jpg", "001.jpg"]


@pytest.fixture(scope="module")
def slide_server(slide_archive: tuple[Archive, dict[str, str]],
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    archive, _ = slide_archive
    proc, url = start_serve(archive, tmp_path_factory.mktemp("slide-serve"))
    yield url
    proc.terminate()
    proc.wait(30)


def test_slides_on_the_talk_page_and_in_results(slide_archive: tuple[Archive, dict[str, str]],
                                                slide_server: str, browser: Browser) -> None:  # noqa: F811
    _, ids = slide_archive
    talk_id = ids["scenecut"]
    api = httpx.get(f"{slide_server}/api/search", params={"q": "Wärmepumpen"}).json()
    assert api["talks"][0]["segments"][0]["slide"] is True
    thumb = httpx.get(f"{slide_server}/api/talks/{talk_id}/slides/001.jpg")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content[:3] == b"\xff\xd8\xff"
    for bad in ("../../catalog.sqlite3", "1.jpg", "999.jpg"):
        answer = httpx.get(f"{slide_server}/api/talks/{talk_id}/slides/{bad}")
        assert answer.status_code in (400, 404) and "error" in answer.json()
    export = json.loads(httpx.get(f"{slide_server}/api/talks/{talk_id}/transcript.json").text)
    assert [s["start"] for s in export["slides"]] == pytest.approx([0.0, CHANGE], abs=2.0)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{slide_server}/?q=Lastenradverleih")
    hit = page.locator(".hit", has=page.locator(".on-slide")).first
    assert "auf der Folie:" in hit.inner_text()  # the time once, in its column (issue 23)
    assert hit.locator(".time").inner_text().startswith("00:1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results-slide-hit.png"), full_page=True)
    page.goto(f"{slide_server}/talks/{talk_id}")
    strip = page.locator("#slides .slide")
    assert strip.count() == 2
    page.wait_for_function("() => Array.from(document.querySelectorAll('#slides img'))"
                           ".every((i) => i.complete && i.naturalWidth === 320)")
    strip.nth(1).click()
    page.wait_for_function("(t) => Math.abs(document.getElementById('player').currentTime"
                           " - t) < 1.5", arg=float(strip.nth(1).get_attribute("data-t") or 0))
    page.wait_for_function("() => document.querySelectorAll('#slides [aria-current]')"
                           ".length === 1")
    page.screenshot(path=str(ARTIFACTS / "talk-slides.png"), full_page=False)
    phone = browser.new_page(viewport={"width": 375, "height": 800})
    phone.goto(f"{slide_server}/talks/{talk_id}")
    box = phone.locator("#slides").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375  # scrolls inside
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    phone.locator("#slides").scroll_into_view_if_needed()
    phone.screenshot(path=str(ARTIFACTS / "talk-slides-375.png"), full_page=False)
    page.close()
    phone.close()


def test_deleting_a_talk_deletes_its_slides(slide_archive: tuple[Archive, dict[str, str]],
                                            slide_server: str) -> None:
    archive, ids = slide_archive
    token = archive.run("token", "create", "--name", "slides").stdout.split()[-1]
    folder = slides_dir(archive.settings(), ids["fixed"])
    assert folder.is_dir()
    gone = httpx.delete(f"{slide_server}/api/talks/{ids['fixed']}",
                        headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code in (200, 204), gone.text
    assert not folder.exists()  # GDPR: the slides go with their talk
    hits = httpx.get(f"{slide_server}/api/search", params={"q": "Lastenradverleih"}).json()
    assert ids["fixed"] not in {t["id"] for t in hits["talks"]}
