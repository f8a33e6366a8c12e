"""The staff pages, polished (issue 23, staff half), in the real Debian Chromium against a real
`talkarchive serve`: uploads keep every title typed and wait for review unless staff tick
"publish", jobs speak German and follow the server by themselves, a broken file gets a human
message, the lists are cards on a phone, deleting asks first, the editors are complete, and
axe-core finds nothing at all (best practices included) at 1280 and 375 px."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from ingest import demo

from ..conftest import ARTIFACTS, Served
from . import test_web
from .pages import WIDTHS, fits, strict_axe
from .test_web import Console, screenshot

browser = test_web.browser  # the fixtures: Debian Chromium, and axe-core from npm
axe_js = test_web.axe_js

pytestmark = pytest.mark.e2e

GERMAN_STATES = {"Wartet", "Wird verarbeitet", "Fertig", "Fehlgeschlagen"}


def viewport_shot(page: Page, name: str) -> None:
    """A modal dialog as staff see it: the viewport (a full-page shot stretches the window)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(300)  # the backdrop is painted a frame after the dialog
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture(scope="module")
def token(served: Served) -> str:
    return served.archive.run("token", "create", "--name", "Redaktion Soest").stdout.split()[-1]


def api(served: Served, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(method, served.url + path, headers=headers, timeout=60, **kw)


def clip(folder: Path, name: str, sentence: str) -> Path:
    wav = folder / f"{name}.wav"
    demo.render_speech([sentence], wav)
    mp4 = folder / f"{name}.mp4"
    demo.render_video(wav, mp4)
    return mp4


def sign_in(browser: Browser, served: Served, token: str, width: int) -> tuple[BrowserContext, Page, Console]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    page = context.new_page()
    console = Console(page)
    page.goto(served.url + "/admin")
    page.fill("#token", token)
    page.click("form.login button[type=submit]")
    page.wait_for_selector("#upload-form")
    return context, page, console


JOB_ROWS = """() => Array.from(document.querySelectorAll('#jobs-panel tr[data-job]')).map(r => ({
    id: r.dataset.job, state: r.dataset.state, text: r.querySelector('.job-state').innerText,
    badge: r.querySelector('.badge').textContent.trim(),
    bar: r.querySelector('progress') ? r.querySelector('progress').hasAttribute('value') : null}))"""


@dataclass
class Watched:
    rows: list[dict[str, Any]] = field(default_factory=list)
    queued_shot: bool = False


def wait_for_jobs(page: Page, job_ids: list[str], name: str, timeout: float = 400) -> Watched:
    """Watch the processing list, without reloading, until the jobs are done; every sample kept."""
    watched = Watched()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = page.evaluate(JOB_ROWS)
        watched.rows += rows
        mine = {r["id"]: r["state"] for r in rows if r["id"] in job_ids}
        if any(r["state"] == "queued" for r in rows) and not watched.queued_shot:
            screenshot(page, f"{name}-queued")
            watched.queued_shot = True
        if len(mine) == len(job_ids) and all(s in ("ready", "failed") for s in mine.values()):
            return watched
        page.wait_for_timeout(250)
    raise AssertionError(f"jobs {job_ids} did not finish: {watched.rows[-5:]}")


def accepted_jobs(page: Page, count: int) -> list[str]:
    page.wait_for_function(f"() => document.querySelectorAll('.upload[data-state=accepted]').length >= {count}"
                           " || document.querySelector('.upload[data-state=rejected]')", timeout=120_000)
    return [page.locator(".upload[data-state=accepted]").nth(i).get_attribute("data-job") or ""
            for i in range(page.locator(".upload[data-state=accepted]").count())]


@dataclass
class TwoTalks:
    ids: dict[str, str]  # title -> talk id
    watched: Watched
    form_after: dict[str, Any]
    publish_default: bool
    reloaded: bool
    rows_in_review: list[str]


@pytest.fixture(scope="module")
def two_talks(served: Served, browser: Browser, token: str,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoTalks]:
    """Two files through the real form at 1280 px, each with its own title, not ticked."""
    folder = tmp_path_factory.mktemp("two")
    files = [clip(folder, "radwege_soest", "Die Stadt Soest baut drei neue Radwege zum Bahnhof."),
             clip(folder, "freibad_menden", "Das Freibad in Menden öffnet im Mai mit neuen Duschen.")]
    context, page, console = sign_in(browser, served, token, 1280)
    publish_default = page.is_checked("#publish-now")
    page.set_input_files("#files", [str(f) for f in files])
    titles = page.locator("#chosen input[name=title]")
    assert [titles.nth(i).input_value() for i in range(2)] == ["radwege soest", "freibad menden"]
    titles.nth(0).fill("Neue Radwege in Soest")
    titles.nth(1).fill("Das Freibad in Menden")
    page.fill("fieldset.shared input[name=event]", "Smart Cities Konferenz 2025")
    page.fill("fieldset.shared input[name=town]", "Soest")
    screenshot(page, "staff-upload-two-files-1280")
    page.evaluate("window.__sameDocument = true")
    page.click("#upload-button")
    job_ids = accepted_jobs(page, 2)
    assert len(job_ids) == 2, page.locator("#uploads").inner_text()
    page.wait_for_selector("#upload-message[data-kind=done]")
    form_after = page.evaluate("""() => ({
        titles: document.querySelectorAll('#chosen li').length,
        box_hidden: document.getElementById('chosen-box').hidden,
        texts: Array.from(document.querySelectorAll('fieldset.shared input, fieldset.shared textarea'))
            .map(e => e.value),
        language: document.querySelector('fieldset.shared select[name=language]').value,
        ticked: document.getElementById('publish-now').checked,
        message: document.getElementById('upload-message').textContent})""")
    screenshot(page, "staff-upload-done-1280")
    watched = wait_for_jobs(page, job_ids, "staff-jobs-1280")
    page.wait_for_selector("#talks-panel tr[data-state=review] >> text=Das Freibad in Menden")
    reloaded = not page.evaluate("window.__sameDocument === true")
    rows = page.locator("#talks-panel tr[data-state=review] a.talk-title").all_text_contents()
    screenshot(page, "staff-review-1280")
    jobs = {j["id"]: j for j in api(served, "GET", "/api/jobs", token).json()}
    ids = {api(served, "GET", f"/api/talks/{jobs[j]['talk_id']}", token).json()["title"]:
           jobs[j]["talk_id"] for j in job_ids}
    assert console.errors == [], console.errors
    context.close()
    yield TwoTalks(ids, watched, form_after, publish_default, reloaded, rows)


def test_two_files_two_titles_two_talks_waiting_for_review(served: Served, token: str,
                                                           two_talks: TwoTalks) -> None:
    assert set(two_talks.ids) == {"Neue Radwege in Soest", "Das Freibad in Menden"}
    assert two_talks.publish_default is False
    for talk_id in two_talks.ids.values():
        talk = api(served, "GET", f"/api/talks/{talk_id}", token).json()
        assert talk["published"] is False and talk["event"] == "Smart Cities Konferenz 2025"
        assert api(served, "GET", f"/api/talks/{talk_id}").status_code == 404  # not public yet
    assert {"Neue Radwege in Soest", "Das Freibad in Menden"} <= set(two_talks.rows_in_review)


def test_the_form_is_empty_after_the_upload(two_talks: TwoTalks) -> None:
    after = two_talks.form_after
    assert after["titles"] == 0 and after["box_hidden"] is True
    assert after["texts"] == [""] * len(after["texts"]) and after["language"] == "de"
    assert after["ticked"] is False and "2 Dateien hochgeladen" in after["message"]


def test_jobs_speak_german_wait_without_zero_and_follow_by_themselves(two_talks: TwoTalks) -> None:
    rows = two_talks.watched.rows
    assert two_talks.reloaded is False  # the talks appeared, and the jobs finished, in place
    assert {r["badge"] for r in rows} <= GERMAN_STATES, {r["badge"] for r in rows}
    queued = [r for r in rows if r["state"] == "queued"]
    assert queued, "the second file never waited behind the first"
    for row in queued:
        assert row["badge"] == "Wartet" and "%" not in row["text"] and row["bar"] is False, row
    for row in rows:
        assert not any(word in row["text"] for word in ("queued", "running", "ready", "failed"))
        if row["state"] == "ready":
            assert row["bar"] is None and row["badge"] == "Fertig"


def test_publishing_a_talk_in_review_and_a_ticked_upload(served: Served, browser: Browser,
                                                         token: str, two_talks: TwoTalks,
                                                         tmp_path: Path) -> None:
    context, page, console = sign_in(browser, served, token, 1280)
    talk_id = two_talks.ids["Neue Radwege in Soest"]
    row = page.locator(f"#talks-panel tr[data-talk='{talk_id}']")
    assert row.locator(".badge").text_content() == "Zur Prüfung"
    row.locator("button.publish").click()
    page.locator(f"#talks-panel tr[data-talk='{talk_id}'][data-state=published]").wait_for()
    assert api(served, "GET", f"/api/talks/{talk_id}").json()["published"] is True
    assert page.evaluate("document.activeElement.dataset.talk") == talk_id  # focus stays

    ticked = clip(tmp_path, "stadtwerke", "Die Stadtwerke Olpe bauen einen neuen Solarpark.")
    page.set_input_files("#files", str(ticked))
    page.check("#publish-now")
    page.click("#upload-button")
    (job_id,) = accepted_jobs(page, 1)
    wait_for_jobs(page, [job_id], "staff-jobs-ticked-1280")
    job = api(served, "GET", f"/api/jobs/{job_id}", token).json()
    assert job["state"] == "ready", job
    assert api(served, "GET", f"/api/talks/{job['talk_id']}").json()["title"] == "stadtwerke"
    page.locator(f"#talks-panel tr[data-talk='{job['talk_id']}'][data-state=published]").wait_for()
    assert console.errors == [], console.errors
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_broken_file_gets_a_german_message_and_no_full_bar(served: Served, browser: Browser,
                                                             token: str, width: int,
                                                             tmp_path: Path) -> None:
    broken = tmp_path / "x.mp4"
    broken.write_bytes(os.urandom(40_000))
    context, page, console = sign_in(browser, served, token, width)
    page.set_input_files("#files", str(broken))
    page.fill("#chosen input[name=title]", "Kaputte Aufnahme")
    page.fill("fieldset.shared input[name=town]", "Olpe")
    page.click("#upload-button")
    row = page.locator(".upload[data-state=rejected]")
    row.wait_for()
    assert row.locator("progress").count() == 0
    assert "lässt sich nicht als Audio- oder Videoaufnahme lesen" in row.inner_text()
    assert row.locator("details.tech summary").text_content() == "Technische Details"
    assert "bad_media" in (row.locator("details.tech code").text_content() or "")
    # nothing typed vanished: the file, its title and the details wait for another try
    assert page.input_value("#chosen input[name=title]") == "Kaputte Aufnahme"
    assert page.input_value("fieldset.shared input[name=town]") == "Olpe"
    assert page.get_attribute("#upload-message", "data-kind") == "error"
    row.locator("details.tech summary").click()
    fits(page, width)
    screenshot(page, f"staff-broken-file-{width}")
    console.errors[:] = [e for e in console.errors if "422" not in e]  # Chromium logs the 422
    assert console.errors == [], console.errors
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_staff_page_is_wider_than_a_phone_and_axe_finds_nothing(served: Served, browser: Browser,
                                                                   token: str, axe_js: str,
                                                                   two_talks: TwoTalks, width: int,
                                                                   tmp_path: Path) -> None:
    anonymous = browser.new_context(viewport={"width": width, "height": 900})
    login = anonymous.new_page()
    login.goto(served.url + "/admin")
    fits(login, width)
    strict_axe(login, axe_js, f"login {width}")
    screenshot(login, f"staff-login-{width}")
    anonymous.close()

    context, page, console = sign_in(browser, served, token, width)
    fits(page, width)
    strict_axe(page, axe_js, f"admin {width}")
    screenshot(page, f"staff-admin-{width}")
    chosen = tmp_path / "Aufzeichnung_Smart_Cities_Konferenz_2025_Saal_B_Nachmittag.mp4"
    chosen.write_bytes(b"not uploaded")
    page.set_input_files("#files", str(chosen))
    fits(page, width)
    screenshot(page, f"staff-chosen-file-{width}")
    talk_id = two_talks.ids["Das Freibad in Menden"]
    row = page.locator(f"#talks-panel tr[data-talk='{talk_id}']")
    row.locator("details.meta-edit summary").click()
    fits(page, width)
    strict_axe(page, axe_js, f"details editor {width}")
    row.scroll_into_view_if_needed()
    screenshot(page, f"staff-details-editor-{width}")
    assert console.errors == [], console.errors
    context.close()


def test_the_details_editor_has_everything_and_saves_it(served: Served, browser: Browser,
                                                        token: str, two_talks: TwoTalks) -> None:
    talk_id = two_talks.ids["Das Freibad in Menden"]
    context, page, console = sign_in(browser, served, token, 1280)
    row = page.locator(f"#talks-panel tr[data-talk='{talk_id}']")
    row.locator("details.meta-edit summary").click()
    form = row.locator("form.meta-form")
    form.locator("textarea[name=description]").fill("Neue Duschen und längere Öffnungszeiten.")
    form.locator("textarea[name=glossary]").fill("Menden, Freibad Leitmecke")
    form.locator("select[name=language]").select_option("en")
    form.locator("select[name=licence]").select_option("CC-BY-4.0")
    form.locator("button[type=submit]").click()
    form.locator("output", has_text="Gespeichert").wait_for()
    talk = api(served, "GET", f"/api/talks/{talk_id}", token).json()
    assert talk["description"] == "Neue Duschen und längere Öffnungszeiten."
    assert talk["language"] == "en" and talk["licence"]["id"] == "CC-BY-4.0"
    page.reload()
    form = page.locator(f"#talks-panel tr[data-talk='{talk_id}'] form.meta-form")
    assert form.locator("textarea[name=glossary]").input_value() == "Menden, Freibad Leitmecke"
    assert form.locator("select[name=language]").input_value() == "en"
    assert form.locator("textarea[name=description]").input_value().startswith("Neue Duschen")
    assert console.errors == [], console.errors
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sentence_editor_cancels_with_esc_and_has_sensible_buttons(served: Served, browser: Browser,
                                                                       token: str, axe_js: str,
                                                                       width: int) -> None:
    talk_id = sorted(served.talk_ids.values())[0]
    context, page, console = sign_in(browser, served, token, width)
    page.goto(f"{served.url}/talks/{talk_id}")
    seg = page.locator(".seg").nth(1)
    before = seg.locator("p").text_content()
    seg.locator("button.edit").click()
    page.fill(".editing textarea", "Ein ganz anderer Satz, der nicht gespeichert wird.")
    sizes = page.evaluate("""() => {
        const box = document.querySelector('.editing').getBoundingClientRect();
        const [save, cancel] = document.querySelectorAll('.editing button');
        const style = getComputedStyle(cancel);
        return {box: box.width, save: save.getBoundingClientRect().width,
                cancel: cancel.getBoundingClientRect().width, cancelBg: style.backgroundColor,
                saveBg: getComputedStyle(save).backgroundColor, texts: [save.textContent, cancel.textContent]};
    }""")
    assert sizes["texts"] == ["Speichern", "Abbrechen"]
    assert sizes["save"] < sizes["box"] / 2 and sizes["cancel"] < sizes["box"] / 2, sizes
    assert sizes["cancelBg"] == "rgb(255, 255, 255)" and sizes["saveBg"] != sizes["cancelBg"]
    fits(page, width)
    strict_axe(page, axe_js, f"sentence editor {width}")
    seg.scroll_into_view_if_needed()
    screenshot(page, f"staff-sentence-editor-{width}")
    page.keyboard.press("Escape")
    assert page.locator(".editing").count() == 0
    assert seg.locator("p").text_content() == before and seg.locator("p").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('edit')")
    assert console.errors == [], console.errors
    context.close()


def test_staff_see_a_link_back_to_verwaltung_the_public_does_not(served: Served, browser: Browser,
                                                                  token: str) -> None:
    public = browser.new_context(viewport={"width": 375, "height": 800})
    page = public.new_page()
    page.goto(served.url + "/")
    assert page.locator("header.site a[href='/admin']").count() == 0
    public.close()
    for width in WIDTHS:
        context, page, console = sign_in(browser, served, token, width)
        page.goto(served.url + "/")
        link = page.locator("header.site a[href='/admin']")
        assert link.text_content() == "Verwaltung" and link.is_visible()
        fits(page, width)
        screenshot(page, f"staff-search-link-{width}")
        link.click()
        page.wait_for_selector("#upload-form")
        assert page.get_attribute("header.site a[href='/admin']", "aria-current") == "page"
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_deleting_asks_first(served: Served, browser: Browser, token: str, axe_js: str,
                             two_talks: TwoTalks, width: int) -> None:
    context, page, console = sign_in(browser, served, token, width)
    talk_id = two_talks.ids["Das Freibad in Menden"]
    if width == WIDTHS[0]:  # cancel keeps the talk, at the desktop width
        page.locator(f"tr[data-talk='{talk_id}'] button.delete").click()
        dialog = page.locator("#delete-dialog")
        dialog.wait_for()
        assert "Das Freibad in Menden" in dialog.inner_text()
        strict_axe(page, axe_js, f"delete dialog {width}")
        viewport_shot(page, f"staff-delete-dialog-{width}")
        page.keyboard.press("Escape")
        assert not dialog.is_visible()
        page.locator(f"tr[data-talk='{talk_id}'] button.delete").click()
        dialog.locator("button[value=cancel]").click()
        assert api(served, "GET", f"/api/talks/{talk_id}", token).status_code == 200
        assert page.locator(f"tr[data-talk='{talk_id}']").count() == 1
    else:  # confirm deletes, on the phone
        page.locator(f"tr[data-talk='{talk_id}'] button.delete").click()
        fits(page, width)
        viewport_shot(page, f"staff-delete-dialog-{width}")
        page.click("#delete-confirm")
        page.locator(f"tr[data-talk='{talk_id}']").wait_for(state="detached")
        assert api(served, "GET", f"/api/talks/{talk_id}", token).status_code == 404
    assert console.errors == [], console.errors
    context.close()


def test_the_staff_page_in_english(served: Served, browser: Browser, token: str,
                                   two_talks: TwoTalks) -> None:
    context, page, console = sign_in(browser, served, token, 1280)
    page.goto(served.url + "/admin?lang=en")
    assert page.text_content("label[for=publish-now]") == "Publish right after processing"
    assert page.text_content("#jobs-panel h2") == "Processing"
    badges = set(page.locator("#talks-panel .badge").all_text_contents())
    assert badges <= {"Published", "In review"} and badges, badges
    assert set(page.locator("#jobs-panel .badge").all_text_contents()) <= {"Waiting", "Processing", "Done",
                                                                           "Failed"}
    screenshot(page, "staff-admin-english-1280")
    assert console.errors == [], console.errors
    context.close()
