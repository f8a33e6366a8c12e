"""Browser tests: Playwright driving the real Debian Chromium against a real `talkarchive serve`."""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from archive import npm
from archive.settings import Settings

from ..conftest import ARTIFACTS, Served

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required"]
AXE_VERSION = "4.10.3"


@pytest.fixture(scope="module")
def axe_js() -> str:
    """axe-core from the npm registry (npm verifies the package's integrity), cached."""
    target = Settings().cache_dir / "npm" / f"axe-core-{AXE_VERSION}.min.js"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            tarball = npm.pack(f"axe-core@{AXE_VERSION}", Path(tmp))
            npm.extract(tarball, "package/axe.min.js", Path(tmp)).replace(target)
    return target.read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing (make test installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        assert b.version.split(".")[0] == _debian_version().split(".")[0]
        yield b
        b.close()


def _debian_version() -> str:
    out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    return re.findall(r"\d+\.[\d.]+", out)[0]


class Console:
    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def word_and_talk(served: Served) -> tuple[str, str]:
    """A word the engine recognised, and its talk, as the search API ranks it."""
    from .test_api import distinctive_words

    name, word, _ = distinctive_words(served)[0]
    return word, served.talk_ids[name]


def wait_for_results(page: Page, query: str) -> None:
    page.wait_for_function(
        "q => document.getElementById('results').dataset.query === q && "
        "document.getElementById('results').getAttribute('aria-busy') === 'false'", arg=query)


def check_axe(page: Page, axe_js: str) -> None:
    page.add_script_tag(content=axe_js)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], bad


def test_type_click_play_copy_back(served: Served, browser: Browser, axe_js: str) -> None:
    word, talk_id = word_and_talk(served)
    # axe-core is injected as an inline script, which the pages' CSP rightly refuses; the CSP
    # itself is checked without this in test_long_words_wrap_and_pages_run_under_the_csp
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url)
    page = context.new_page()
    console = Console(page)
    page.goto(served.url + "/")
    check_axe(page, axe_js)
    screenshot(page, "search-1280")

    page.type("#q", word, delay=40)
    wait_for_results(page, word)
    first = page.locator("ol.talks > li.talk").first
    assert talk_id in first.locator("h3 a").get_attribute("href")
    assert re.search(rf"[?&]q={re.escape(word)}", page.url)
    check_axe(page, axe_js)
    screenshot(page, "results-1280")

    hit = first.locator("a.hit").first
    at = float(hit.get_attribute("data-at"))
    hit.click()
    page.wait_for_url(re.compile(rf"/talks/{talk_id}\?t="))
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.wait_for_function("() => document.querySelector('.seg.current') !== null")
    current = page.evaluate("document.getElementById('player').currentTime")
    assert abs(current - at) <= 1.0, (current, at)
    page.evaluate("document.getElementById('player').pause()")
    segment = page.evaluate("document.querySelector('.seg.current').textContent")
    assert word in segment
    page.wait_for_function("() => document.querySelector('track').readyState === 2")  # captions loaded
    assert page.evaluate("document.getElementById('player').textTracks[0].cues.length") > 0
    page.click("#copy-link")
    page.wait_for_function("() => document.getElementById('moment-link').textContent.includes('t=')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert f"/talks/{talk_id}?t=" in copied
    check_axe(page, axe_js)
    screenshot(page, "talk-1280")

    # clicking a word seeks there
    word_el = page.locator(".seg .w").nth(2)
    target = float(word_el.get_attribute("data-t"))
    word_el.click()
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {target}) < 0.5")

    page.go_back()
    page.wait_for_url(re.compile(rf"/\?q={re.escape(word)}"))
    page.wait_for_selector("ol.talks > li.talk")
    assert talk_id in page.locator("ol.talks > li.talk h3 a").first.get_attribute("href")
    assert page.input_value("#q") == word
    assert console.errors == []
    context.close()


def test_stale_responses_never_win(served: Served, browser: Browser) -> None:
    """A slow answer to an earlier query must not replace the answer to the later one."""
    word, _ = word_and_talk(served)
    page = browser.new_page()
    calls = {"n": 0}

    def slow_first(route):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            page.wait_for_timeout(800)
        route.continue_()

    page.goto(served.url + "/")
    page.route(re.compile(r".*/\?q=.*"), slow_first)
    page.fill("#q", "zzzqqq")
    page.wait_for_timeout(250)  # past the debounce: the slow request is in flight
    page.fill("#q", word)
    wait_for_results(page, word)
    page.wait_for_timeout(1000)
    assert page.evaluate("document.getElementById('results').dataset.query") == word
    assert page.locator("ol.talks > li.talk").count() >= 1
    page.close()


def test_phone_width_and_no_javascript(served: Served, browser: Browser) -> None:
    word, talk_id = word_and_talk(served)
    api = httpx.get(f"{served.url}/api/search", params={"q": word}).json()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(served.url + "/")
    page.fill("#q", word)
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"\?q="))
    hrefs = page.locator("ol.talks > li.talk h3 a").evaluate_all("els => els.map(e => e.href)")
    assert [h.split("/talks/")[1].split("?")[0] for h in hrefs] == [t["id"] for t in api["talks"]]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width  # nothing overflows at phone width
    screenshot(page, "results-375-nojs")
    context.close()

    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{served.url}/talks/{talk_id}?t=3")
    page.wait_for_selector(".seg")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "talk-375")
    page.goto(f"{served.url}/?q={word}")
    screenshot(page, "results-375")
    context.close()


def test_keyboard_and_language_switch(served: Served, browser: Browser) -> None:
    _, talk_id = word_and_talk(served)
    page = browser.new_page()
    page.goto(f"{served.url}/talks/{talk_id}")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.click("h1")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('player').currentTime >= 4.9")
    page.keyboard.press(" ")
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.keyboard.press(" ")
    page.wait_for_function("() => document.getElementById('player').paused")
    needle = page.locator(".seg .w").nth(3).text_content().strip(" .,!?")
    page.fill("#find-q", needle)
    assert page.locator(".w.found").count() >= 1  # not .hit: that is a result row's class
    page.click("#find-next")
    assert page.locator(".w.found-current").count() == 1
    page.click("a.lang")
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Transcript" in page.locator("#transcript-title").text_content()
    page.close()


def test_staff_signs_in_uploads_corrects_and_finds(served: Served, browser: Browser,
                                                   tmp_path: Path) -> None:
    from ingest import demo

    token = served.archive.run("token", "create", "--name", "Browser").stdout.split()[-1]
    wav = tmp_path / "rede.wav"
    demo.render_speech(["Im Sommer eröffnet das neue Freibad in Arnsberg.",
                        "Der Eintritt für Kinder bleibt frei."], wav)
    clip = tmp_path / "freibad.mp4"
    demo.render_video(wav, clip)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    console = Console(page)
    page.goto(served.url + "/admin")
    page.fill("#token", "ta_falsch")
    page.click("form.login button[type=submit]")
    assert page.locator(".notice.error").count() == 1
    console.errors.clear()  # the wrong token's 401 answer is logged by Chromium, as it should be
    page.fill("#token", token)
    page.click("form.login button[type=submit]")
    page.wait_for_selector("#upload-form")
    cookie = next(c for c in context.cookies() if c["name"] == "ta_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"

    page.set_input_files("#files", str(clip))
    page.fill("input[name=title]", "Das neue Freibad")
    page.fill("input[name=town]", "Arnsberg")
    page.check("#publish-now")  # a browser upload waits for review unless this is ticked (issue 23)
    page.click("#upload-button")
    upload = page.locator(".upload")
    page.wait_for_selector(".upload[data-state=accepted], .upload[data-state=rejected]", timeout=120_000)
    assert upload.get_attribute("data-state") == "accepted", upload.inner_text()
    # processing is followed in the jobs list, which updates itself (issue 23)
    job = page.locator(f"#jobs-panel tr[data-job='{upload.get_attribute('data-job')}']")
    seen: set[str] = set()
    state = "uploading"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if job.count():
            state = job.get_attribute("data-state") or state
            seen.add(job.locator(".job-state").inner_text())
        if state in ("ready", "failed"):
            break
        page.wait_for_timeout(100)
    assert state == "ready", seen
    screenshot(page, "admin-1280")
    talk_href = job.locator("a").get_attribute("href")

    # metadata editing on the staff page
    page.goto(served.url + "/admin")
    row = page.locator(f"#talks-panel tr:has(a[href='{talk_href}'])")
    row.locator("details summary").click()
    row.locator("input[name=town]").fill("Menden")
    row.locator("form.meta-form button[type=submit]").click()
    row.locator("form.meta-form output", has_text="Gespeichert").wait_for()
    talk_id = talk_href.rsplit("/", 1)[1]
    assert httpx.get(f"{served.url}/api/talks/{talk_id}").json()["town"] == "Menden"

    page.goto(served.url + talk_href)
    page.wait_for_selector(".seg button.edit")
    first = page.locator(".seg").first
    first.locator("button.edit").click()
    page.fill(".editing textarea", "Im Sommer eröffnet das neue Wellenfreibad in Arnsberg.")
    page.click(".editing button:first-of-type")
    page.wait_for_selector(".seg[data-saved=true]")
    assert "Wellenfreibad" in first.text_content()

    # a name for the voice, in the staff form: the transcript's turn shows it after saving
    page.locator("#voices input[name]").first.fill("Lena Vogt")
    page.click("#voices button[type=submit]")
    page.wait_for_selector(".seg .who:has-text('Lena Vogt')")
    screenshot(page, "talk-staff-speakers")

    public = browser.new_page()
    public.goto(served.url + "/")
    public.type("#q", "Wellenfreibad", delay=30)
    wait_for_results(public, "Wellenfreibad")
    assert "Das neue Freibad" in public.locator("ol.talks > li.talk h3").first.text_content()
    assert public.locator(".hits .who").first.text_content() == "Lena Vogt:"
    public.close()

    # signing out ends the session: the old cookie no longer opens /admin
    page.goto(served.url + "/admin")
    cookie = next(c for c in context.cookies() if c["name"] == "ta_session")
    page.click("form[action='/admin/logout'] button[type=submit]")
    page.wait_for_selector("form.login")
    again = httpx.get(served.url + "/admin", cookies={"ta_session": cookie["value"]}, timeout=30)
    assert 'action="/admin/login"' in again.text
    assert console.errors == []
    context.close()


def test_api_docs_render_from_this_machine(served: Served, browser: Browser) -> None:
    """/docs shows Swagger UI with every route, loading nothing from outside (no CDN)."""
    page = browser.new_page()
    outside: list[str] = []

    def gate(route) -> None:  # type: ignore[no-untyped-def]
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", gate)
    console = Console(page)
    page.goto(served.url + "/docs")
    page.wait_for_selector(".opblock-summary-path[data-path='/api/search']", timeout=15000)
    assert page.locator(".opblock").count() >= 10
    screenshot(page, "api-docs")
    assert outside == [] and console.errors == []
    page.close()


def test_long_words_wrap_and_pages_run_under_the_csp(served: Served, browser: Browser) -> None:
    talk_id = sorted(served.talk_ids.values())[0]
    assert "script-src 'self';" in httpx.get(f"{served.url}/talks/{talk_id}",
                                             timeout=30).headers["content-security-policy"]
    for width in (375, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        console = Console(page)
        page.goto(f"{served.url}/talks/{talk_id}")
        page.wait_for_selector(".seg p")
        # a correction of one 40-character token, as staff can make it
        page.evaluate("""() => {
            const p = document.querySelector('.seg p');
            p.textContent = 'Digitalisierungsbeschleunigungsprogramm ' + p.textContent;
            const b = document.createElement('button'); b.className = 'edit'; b.textContent = 'Bearbeiten';
            p.closest('.seg').append(b);
        }""")
        fits = page.evaluate("""() => {
            const seg = document.querySelector('.seg');
            const column = document.getElementById('transcript').getBoundingClientRect();
            const button = seg.querySelector('.edit').getBoundingClientRect();
            const p = seg.querySelector('p');
            return [p.scrollWidth <= p.clientWidth + 1, button.right <= column.right + 1];
        }""")
        assert fits == [True, True], (width, fits)
        page.fill("#find-q", "die")
        page.press("#find-q", "Enter")  # the find form no longer needs an inline handler
        assert page.url.endswith(f"/talks/{talk_id}")
        assert console.errors == [], console.errors  # a CSP violation is a console error
        context.close()


def test_the_embed_plays_from_its_second_in_a_frame_on_another_site(served: Served,
                                                                     browser: Browser) -> None:
    """A town's page (another origin, served by the test) frames /embed/{id}?t=5: the player
    starts at 5 s, the transcript follows it, and the page runs under the embed's CSP."""
    import http.server
    import threading

    talk_id = next(iter(served.talk_ids.values()))
    code = httpx.get(f"{served.url}/oembed", params={
        "url": f"{served.url}/talks/{talk_id}"}).json()["html"]
    code = code.replace(f"/embed/{talk_id}", f"/embed/{talk_id}?t=5")
    town = f"<!doctype html><title>Stadt Soest</title><h1>Smart City Soest</h1>{code}".encode()

    class Town(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(town)

        def log_message(self, *args: object) -> None:
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Town)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        page = browser.new_page(viewport={"width": 900, "height": 700})
        console = Console(page)
        page.goto(f"http://localhost:{site.server_address[1]}/")  # another origin
        frame = page.frame_locator("iframe")
        frame.locator("#transcript .seg").first.wait_for()
        player = page.frames[1]
        # functions, not expressions: Playwright evals a polled expression, which the embed's
        # CSP (script-src 'self') refuses
        player.wait_for_function("() => document.getElementById('player').readyState >= 1")
        player.wait_for_function(
            "() => Math.abs(document.getElementById('player').currentTime - 5) < 1")
        player.wait_for_function(
            "() => document.querySelector('#transcript .seg.current') !== null")
        screenshot(page, "embed-on-town-site")
        assert not console.errors, console.errors
        page.close()
    finally:
        site.shutdown()
        site.server_close()
