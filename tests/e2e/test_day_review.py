"""Staff review a room's day recording in /admin (issue 21, the Chromium check "staff move a cut
and the talk's transcript follows"), in the real Debian Chromium against a real `talkarchive
serve`: the day cut by the real `talkarchive ingest --room` (the session's conference day of
tests/e2e/conftest.py) is shown as a timeline with its cuts; staff take a later in point from the
day's player, past the talk's first sentence, and apply it; the talk's own page then starts with
its second sentence, and the API says the cut is the staff's and reviewed. axe-core finds nothing
(best practices included) at 1280 and 375 px, and nothing is wider than a phone but the timeline,
which scrolls."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from ..conftest import ARTIFACTS
from . import test_web
from .conftest import Day
from .pages import fits, strict_axe
from .test_web import Console, screenshot

browser = test_web.browser  # the fixtures: Debian Chromium, and axe-core from npm
axe_js = test_web.axe_js

pytestmark = pytest.mark.e2e


def words(text: str) -> str:
    return " ".join(text.split())


def staff_api(day: Day, token: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.request(method, day.url + path, headers={"Authorization": f"Bearer {token}"},
                         timeout=120, **kw)


@pytest.fixture(scope="module")
def token(conference_day: Day) -> str:
    return conference_day.archive.run("token", "create", "--name", "Schnitt Aula").stdout.split()[-1]


def sign_in(browser: Browser, day: Day, token: str, width: int,
            path: str = "/admin") -> tuple[BrowserContext, Page, Console]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    page = context.new_page()
    console = Console(page)
    page.goto(day.url + path)
    page.fill("#token", token)
    page.click("form.login button[type=submit]")
    page.wait_for_selector("#upload-form")
    return context, page, console


def wait_for_timeline(page: Page, recording: str, cuts: int) -> None:
    page.wait_for_function(
        "([r, n]) => document.querySelectorAll(`.day[data-recording='${r}'] .tl-cut`).length === n",
        arg=[recording, cuts], timeout=30_000)


def talk_to_move(day: Day, token: str) -> tuple[str, list[dict[str, Any]]]:
    """A cut talk with two sentences or more that the other day tests leave alone (they look at
    the first cut talk and move the last one); one that waits for review where there is one."""
    placed = [g for g in day.talks if day.status[g] in ("cut", "needs_review")]
    theirs = {next(g for g in day.talks if day.status[g] == "cut"), placed[-1]}
    middle = sorted((g for g in placed if g not in theirs),
                    key=lambda g: (day.status[g] != "needs_review", day.cuts[g]["start"]))
    for guid in middle:
        segments = staff_api(day, token, "GET",
                             f"/api/talks/{day.talks[guid]}/transcript.json").json()["segments"]
        if len(segments) >= 2 and segments[1]["start"] - segments[0]["end"] > 0.1:
            return guid, segments
    raise AssertionError(f"no cut talk with two sentences apart: {day.status}")


def test_staff_move_a_cut_and_the_talks_transcript_follows(conference_day: Day, browser: Browser,
                                                           axe_js: str, token: str) -> None:
    day = conference_day
    view = staff_api(day, token, "GET", "/api/recordings").json()["recordings"]
    assert len(view) == 1
    recording = view[0]["recording"]
    shown = staff_api(day, token, "GET", f"/api/recordings/{recording}").json()
    with_cut = [s for s in shown["slots"] if s["cut"]]
    guid, before = talk_to_move(day, token)
    talk_id, cut = day.talks[guid], day.cuts[guid]
    was_published = staff_api(day, token, "GET", f"/api/talks/{talk_id}").json()["published"]
    # into the pause after the first sentence: the first sentence leaves the talk
    later = round(cut["start"] + (before[0]["end"] + before[1]["start"]) / 2, 2)

    context, page, console = sign_in(browser, day, token, 1280)
    wait_for_timeline(page, recording, len(with_cut))
    blocks = page.locator(".tl-cut")
    assert sorted(blocks.locator(".tl-cut-title").all_inner_texts()) == sorted(
        s["title"] for s in with_cut)
    for slot in with_cut:  # a cut waiting for review is marked, in the timeline and in its item
        block = page.locator(f".tl-cut[data-guid='{slot['guid']}']")
        assert ("review" in (block.get_attribute("class") or "")) == (slot["status"] == "needs_review")
    item = page.locator(f".cut-item[data-guid='{guid}']")
    facts = item.locator(".cut-facts").inner_text()
    assert "Sicherheit" in facts and "Geplant" in facts, facts
    assert item.locator(".cut-evidence li").count() == len(cut["evidence"]) > 0
    assert page.locator(".tl-speech .tl-say").count() > 0
    assert page.locator(".tl-plan .tl-slot").count() == len(shown["slots"])
    strict_axe(page, axe_js, "staff days 1280")
    fits(page, 1280)
    screenshot(page, "staff-days-1280")

    # the in point from the player: seek the day's player, then "Beginn = Abspielposition"
    page.wait_for_function("() => document.querySelector('.day-media').readyState >= 1")
    page.evaluate("""(t) => new Promise((done) => {
        const v = document.querySelector('.day-media');
        v.addEventListener('seeked', done, { once: true });
        v.currentTime = t; })""", later)
    item.get_by_role("button", name=re.compile("^Beginn = Abspielposition")).click()
    start = item.locator("input[name=start]")
    assert float(start.input_value()) == pytest.approx(later, abs=0.05)
    assert item.locator(".cut-result").inner_text().strip() == "Geändert, noch nicht übernommen."
    item.get_by_role("button", name=re.compile("^Übernehmen")).press("Enter")  # the keyboard
    page.wait_for_selector(f".cut-item[data-guid='{guid}'] .cut-result[data-kind=done]",
                           timeout=120_000)
    result = item.locator(".cut-result").inner_text()
    assert result.startswith("Übernommen:"), result

    moved = staff_api(day, token, "GET", f"/api/talks/{talk_id}").json()
    assert moved["cut"]["source"] == "staff" and moved["cut"]["reviewed"] is True
    assert cut["start"] + before[0]["end"] <= moved["cut"]["start"] <= later + 0.01
    assert moved["cut"]["end"] == pytest.approx(cut["end"], abs=0.01)
    block = page.locator(f".tl-cut[data-guid='{guid}']")  # the timeline shows the new cut
    assert float(block.evaluate("b => b.style.getPropertyValue('--a')")) == pytest.approx(
        moved["cut"]["start"], abs=0.01)
    assert "von Hand gesetzt" in item.locator(".cut-facts").inner_text()
    if not was_published:  # it waited for review: now reviewed, it can be published here
        item.get_by_role("button", name=re.compile("^Veröffentlichen")).click()
        page.wait_for_function(
            "(g) => !!document.querySelector(`.cut-item[data-guid='${g}'] .cut-result`)"
            "?.textContent.includes('ist jetzt öffentlich')", arg=guid, timeout=60_000)
        assert "· öffentlich" in item.locator(".cut-facts").inner_text()
        assert staff_api(day, token, "GET", f"/api/talks/{talk_id}").json()["published"] is True
    ARTIFACTS.mkdir(exist_ok=True)
    item.screenshot(path=str(ARTIFACTS / "staff-days-moved-1280.png"))
    assert console.errors == []

    # the talk's own page follows: its transcript starts with the second sentence
    with page.expect_navigation():
        item.get_by_role("link", name=re.compile("^Zum Vortrag")).click()
    first = page.locator("#transcript .seg p").first
    assert words(first.inner_text()) == words(before[1]["text"])
    assert words(before[0]["text"]) not in words(page.locator("#transcript").inner_text())
    context.close()


def test_the_day_on_a_phone_and_in_english(conference_day: Day, browser: Browser, axe_js: str,
                                           token: str) -> None:
    day = conference_day
    recording = staff_api(day, token, "GET", "/api/recordings").json()["recordings"][0]["recording"]
    cuts = sum(1 for s in staff_api(day, token, "GET", f"/api/recordings/{recording}").json()["slots"]
               if s["cut"])
    context, page, console = sign_in(browser, day, token, 375)
    wait_for_timeline(page, recording, cuts)
    fits(page, 375)
    scroll = page.locator(".tl-scroll")
    assert scroll.evaluate("s => s.scrollWidth > s.clientWidth + 100"), "the timeline scrolls"
    # keyboard: a cut in the timeline leads to its in point
    first = page.locator(".tl-cut").first
    first.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "start"
    assert page.evaluate("document.activeElement.closest('.cut-item').dataset.guid") == \
        first.get_attribute("data-guid")
    strict_axe(page, axe_js, "staff days 375")
    screenshot(page, "staff-days-375")

    page.goto(day.url + "/admin?lang=en")
    wait_for_timeline(page, recording, cuts)
    assert page.locator("#days-title").inner_text() == "Day recordings"
    assert page.locator(".cut-form button.apply").first.inner_text().startswith("Apply")
    assert page.locator("#day-part legend").inner_text() == "A room's day recording (optional)"
    strict_axe(page, axe_js, "staff days 375 en")
    fits(page, 375)
    assert console.errors == []
    context.close()


def test_a_day_recording_goes_up_through_the_form(conference_day: Day, browser: Browser,
                                                  token: str) -> None:
    """The form's day part sends room and start (a local time, taken in the event's time zone);
    a day recording is one file; a start the programme has no slot at is refused by the server,
    and the right one is accepted (the same day again: its talks stay as they are)."""
    day = conference_day
    context, page, console = sign_in(browser, day, token, 1280)
    assert page.locator("#programme-rooms option[value='Aula']").count() == 1
    video = str(day.day.video)
    page.set_input_files("#files", [video, video])
    page.fill("#day-room", "Aula")
    assert page.locator("#day-single").is_visible()
    page.click("#upload-button")
    assert page.locator("#upload-message").inner_text().startswith("Eine Tagesaufzeichnung geht nur")
    assert page.locator("#uploads li").count() == 0  # nothing was sent
    page.locator("#chosen .remove-file").nth(1).click()
    assert not page.locator("#day-single").is_visible()

    page.fill("#day-starts-at", "2025-09-19T09:00:00")  # a day the programme has nothing on
    page.click("#upload-button")
    refused = page.locator(".upload[data-state=rejected]")
    refused.wait_for(timeout=60_000)
    assert "has no slot in room 'Aula'" in refused.locator(".tech code").text_content()
    assert page.input_value("#day-room") == "Aula"  # kept to correct

    local = day.day.starts_at.strftime("%Y-%m-%dT%H:%M:%S")  # Europe/Berlin, without a zone
    page.fill("#day-starts-at", local)
    page.click("#upload-button")
    page.locator(".upload[data-state=accepted]").wait_for(timeout=60_000)
    job = page.locator(".upload[data-state=accepted]").get_attribute("data-job")
    page.locator(f"#jobs-panel tr[data-job='{job}'][data-state=ready]").wait_for(timeout=120_000)
    assert page.input_value("#day-room") == "" and page.input_value("#day-starts-at") == ""
    recordings = staff_api(day, token, "GET", "/api/recordings").json()["recordings"]
    assert len(recordings) == 1  # the day is kept once
    assert console.errors == [] or all("400" in e for e in console.errors), console.errors
    context.close()
