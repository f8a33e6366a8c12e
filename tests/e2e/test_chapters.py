"""Chapters end to end: a video made with ffmpeg whose four slides carry titles, ingested by
the real CLI (ffmpeg, Whisper base, Tesseract), served; its chapters read by webvtt-py from
chapters.vtt and by ffprobe from the MP4 download, the text for YouTube checked against
YouTube's rules, staff chapters set through the API, and in Chromium a chapter mark and a
chapter in the list seek the player (screenshots at 1280 and 375 px, strict axe)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import webvtt
from playwright.sync_api import Browser, Page

from ingest import demo

from ..conftest import ARTIFACTS, Archive, make_archive, start_serve
from .pages import WIDTHS, fits, strict_axe
from .test_web import Console, axe_js, browser  # noqa: F401 - the browser and axe_js fixtures

pytestmark = pytest.mark.e2e

SPOKEN = (
    "Guten Tag und herzlich willkommen in Menden.",
    "Ich erzähle Ihnen heute von unserem Bürgerbus.",
    "Zuerst ein paar Zahlen aus dem letzten Jahr.",
    "Wir haben mehr als zwölftausend Fahrten gezählt.",
    "Die meisten Fahrgäste buchen über die App.",
    "Dann komme ich zu den Kosten des Projekts.",
    "Das Land fördert den Bus für drei Jahre.",
    "Die Fahrer arbeiten alle im Ehrenamt.",
    "Zum Schluss ein Blick auf das nächste Jahr.",
    "Im Herbst fahren wir auch in die Dörfer.",
    "Dafür suchen wir noch weitere Fahrer.",
    "Vielen Dank für Ihre Aufmerksamkeit.",
)
TITLES = ("Willkommen in Menden", "Zahlen und Fakten", "Kosten und Förderung", "Ausblick")
# lines that differ from slide to slide, so the encoder puts a keyframe at every change
LINES = (("Bürgerbus Menden", "Smart Cities Konferenz"),
         ("12.000 Fahrten im Jahr", "80 % buchen per App", "Arztbesuche am häufigsten"),
         ("Förderung: Land NRW", "Laufzeit drei Jahre", "Fahrer im Ehrenamt", "Kosten je Fahrt"),
         ("Herbst: alle Dörfer", "Fahrer gesucht"))


def slide_times(timed: list[demo.TimedSentence]) -> list[float]:
    """Each slide appears a little before the sentence it goes with (sentences 0, 3, 6, 9):
    every chapter lasts more than ten seconds."""
    return [0.0] + [round(timed[i].start - 0.4, 1) for i in (3, 6, 9)]


@pytest.fixture(scope="module")
def chapter_talk(meili_server: str, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[tuple[Archive, str, str, list[float]]]:
    """The talk ingested and served: (archive, server URL, talk id, the slides' starts)."""
    if shutil.which("tesseract") is None:
        pytest.fail("tesseract is missing (make test installs tesseract-ocr-deu)")
    folder = tmp_path_factory.mktemp("chapters")
    wav = folder / "talk.wav"
    timed = demo.render_speech(SPOKEN, wav, lead=0.5)
    starts = slide_times(timed)
    ends = [*starts[1:], 600.0]
    slides = [demo.DemoSlide(s, e, title, lines)
              for s, e, title, lines in zip(starts, ends, TITLES, LINES, strict=True)]
    scenecut = folder / "scenecut.mp4"
    demo.render_video(wav, scenecut, slides=slides, size="1280x720")
    # a keyframe every 3 s: x264's scene cut alone missed the last change (a slide then
    # reached only from the next regular keyframe, 25 s on, too late to count as one)
    video = folder / "buergerbus.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(scenecut), "-c:a", "copy", "-c:v", "libx264",
                    "-preset", "veryfast", "-x264-params", "keyint=30:min-keyint=30:scenecut=0",
                    "-y", str(video)], check=True)
    archive = make_archive(folder, meili_server)
    out = archive.run("ingest", str(video), "-q", "--title", "Der Bürgerbus in Menden",
                      "--town", "Menden", "--speaker", "Jonas Weber")
    talk_id = out.stdout.split()[0]
    proc, url = start_serve(archive, tmp_path_factory.mktemp("chapters-serve"))
    yield archive, url, talk_id, starts
    proc.terminate()
    proc.wait(30)


def test_chapters_vtt_and_json_carry_the_slide_titles(
        chapter_talk: tuple[Archive, str, str, list[float]]) -> None:
    _, url, talk_id, starts = chapter_talk
    vtt = httpx.get(f"{url}/api/talks/{talk_id}/chapters.vtt")
    assert vtt.status_code == 200 and vtt.headers["content-type"].startswith("text/vtt")
    cues = webvtt.from_buffer(io.StringIO(vtt.text))
    assert [c.text for c in cues] == list(TITLES)
    assert cues[0].start_in_seconds == 0
    assert [c.start_in_seconds for c in cues][1:] == pytest.approx(starts[1:], abs=1.5)
    assert all(a.end == b.start for a, b in zip(cues, cues[1:], strict=False))
    doc = httpx.get(f"{url}/api/talks/{talk_id}/chapters.json").json()
    assert doc["version"] == "1.2.0"
    assert [c["title"] for c in doc["chapters"]] == list(TITLES)
    assert [c["startTime"] for c in doc["chapters"]] == pytest.approx(  # whole seconds in webvtt-py
        [c.start_in_seconds for c in cues], abs=1.0)


def test_the_mp4_download_has_chapter_atoms_that_ffprobe_reads(
        chapter_talk: tuple[Archive, str, str, list[float]], tmp_path: Path) -> None:
    _, url, talk_id, starts = chapter_talk
    target = tmp_path / "download.mp4"
    with httpx.stream("GET", f"{url}/api/talks/{talk_id}/video.mp4", timeout=60) as r:
        assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
        assert "filename*=UTF-8''Der%20B%C3%BCrgerbus%20in%20Menden.mp4" in r.headers["content-disposition"]
        with target.open("wb") as f:
            for chunk in r.iter_bytes():
                f.write(chunk)
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-show_streams", "-of", "json",
         str(target)], capture_output=True, text=True, check=True).stdout)
    chapters = probe["chapters"]
    assert [c["tags"]["title"] for c in chapters] == list(TITLES)
    assert all(c["time_base"] == "1/1000" for c in chapters)
    assert [float(c["start_time"]) for c in chapters] == pytest.approx(
        [0.0, *starts[1:]], abs=1.5)
    assert probe["format"]["tags"]["title"] == "Der Bürgerbus in Menden"
    kinds = sorted(s["codec_type"] for s in probe["streams"])
    assert kinds[:2] == ["audio", "data"] and "video" in kinds  # data: QuickTime's chapter track
    assert float(probe["format"]["duration"]) == pytest.approx(
        httpx.get(f"{url}/api/talks/{talk_id}").json()["duration"], abs=0.5)


def youtube_rules(text: str, duration: float) -> list[tuple[int, str]]:
    """The lines as (second, title), asserting YouTube's rules: first at 0:00, at least three,
    each at least ten seconds long."""
    lines = []
    for line in text.strip().splitlines():
        stamp, title = line.split(" ", 1)
        parts = [int(p) for p in stamp.split(":")]
        lines.append((sum(p * 60 ** k for k, p in enumerate(reversed(parts))), title))
    starts = [s for s, _ in lines]
    assert starts[0] == 0 and len(lines) >= 3, lines
    assert all(b - a >= 10 for a, b in zip(starts, [*starts[1:], int(duration)], strict=True)), lines
    return lines


def ready(page: Page) -> None:
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")


def seeks_to(page: Page, target: float) -> None:
    page.wait_for_function("(t) => Math.abs(document.getElementById('player').currentTime - t) < 1.0",
                           arg=target)


@pytest.mark.parametrize("width", WIDTHS)
def test_chapter_marks_and_list_seek_the_player(chapter_talk: tuple[Archive, str, str, list[float]],
                                                browser: Browser, axe_js: str, width: int) -> None:  # noqa: F811
    _, url, talk_id, _ = chapter_talk
    ctx = browser.new_context(viewport={"width": width, "height": 800 if width < 800 else 900})
    page = ctx.new_page()
    console = Console(page)
    page.goto(f"{url}/talks/{talk_id}")
    ready(page)
    marks = page.locator("#chapter-bar .mark")
    assert marks.count() == 4 and page.locator("#chapter-bar").is_visible()
    widths = [marks.nth(i).bounding_box()["width"] for i in range(4)]  # type: ignore[index]
    assert widths[0] > 0 and all(w > 10 for w in widths), widths  # as wide as their chapters
    third = float(marks.nth(2).get_attribute("data-t") or 0)
    marks.nth(2).click()
    seeks_to(page, third)
    page.wait_for_function("() => document.querySelector('#chapter-bar .mark[aria-current]')"
                           "?.dataset.t === document.querySelectorAll('#chapter-bar .mark')[2].dataset.t")
    page.evaluate("document.getElementById('player').pause()")
    assert TITLES[2] in page.locator("#chapter-now").inner_text()
    chapters = page.locator("#chapters")
    if not chapters.evaluate("(d) => d.open"):  # closed on a phone
        chapters.locator("summary").click()
    page.locator("#chapter-list .chapter").nth(1).click()
    seeks_to(page, float(page.locator("#chapter-list .chapter").nth(1).get_attribute("data-t") or 0))
    page.evaluate("document.getElementById('player').pause()")
    page.wait_for_selector("#chapter-list .chapter[aria-current='true'] >> text=" + TITLES[1])
    duration = page.evaluate("document.getElementById('player').duration")
    lines = youtube_rules(page.locator("#chapter-text").inner_text(), duration)
    assert [t for _, t in lines] == list(TITLES)
    fits(page, width)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(150)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"talk-chapters-{width}.png"), full_page=width > 800)
    strict_axe(page, axe_js, f"chapters at {width}", open_sections=True)
    assert console.errors == []
    ctx.close()


def test_staff_chapters_win_and_json_ld_names_them(
        chapter_talk: tuple[Archive, str, str, list[float]]) -> None:
    archive, url, talk_id, _ = chapter_talk
    token = archive.run("token", "create", "--name", "kapitel").stdout.split()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    mine = [{"start": 0, "title": "Begrüßung"}, {"start": "0:15", "title": "Der Bürgerbus in Zahlen"},
            {"start": 30, "title": "Ausblick auf die Dörfer"}]
    put = httpx.put(f"{url}/api/talks/{talk_id}/chapters", json={"chapters": mine}, headers=auth)
    assert put.status_code == 200, put.text
    assert {c["source"] for c in put.json()["chapters"]} == {"staff"}
    cues = webvtt.from_buffer(io.StringIO(httpx.get(f"{url}/api/talks/{talk_id}/chapters.vtt").text))
    assert [(c.start_in_seconds, c.text) for c in cues] == [
        (0, "Begrüßung"), (15, "Der Bürgerbus in Zahlen"), (30, "Ausblick auf die Dörfer")]
    html = httpx.get(f"{url}/talks/{talk_id}").text
    ld = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert [(p["name"], p["startOffset"]) for p in ld["hasPart"]] == [
        ("Begrüßung", 0), ("Der Bürgerbus in Zahlen", 15), ("Ausblick auf die Dörfer", 30)]
    assert ld["hasPart"][1]["url"] == f"{url}/talks/{talk_id}?t=15"
    back = httpx.delete(f"{url}/api/talks/{talk_id}/chapters", headers=auth)
    assert [c["title"] for c in back.json()["chapters"]] == list(TITLES)
