"""The citizens' pages, polished (issue 23), in Debian Chromium at 1280 and 375 px against a
real `talkarchive serve`: find in the talk, the talk page on a phone, share/cite/download,
citations, audio talks and thumbnails, the search page, the feed and HEAD."""

from __future__ import annotations

import json
import re
import subprocess
from urllib.parse import parse_qs, quote, urlparse

import feedparser
import httpx
import pytest
from markupsafe import Markup
from playwright.sync_api import Browser, BrowserContext, Page

from api import i18n, pages
from archive.search import query

from ..conftest import ARTIFACTS, Served
from .pages import WIDTHS, load_axe, strict_axe
from .test_web import (  # noqa: F401 - the browser and axe_js fixtures
    Console,
    axe_js,
    browser,
    screenshot,
    wait_for_results,
    word_and_talk,
)

pytestmark = pytest.mark.e2e

AUDIO_TITLE = "Stadtbücherei am Sonntag"
DESCRIPTION = "Die Stadtbücherei öffnet sonntags. Ein Vortrag über Öffnungszeiten."


def shot(page: Page, name: str) -> None:
    """A full-page screenshot from the top (the player that sticks on a phone, and the
    transcript beside it on a wide screen, are where a reader who has not scrolled sees them)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(100)
    screenshot(page, name)


def context(browser: Browser, width: int, **options: object) -> BrowserContext:  # noqa: F811
    return browser.new_context(viewport={"width": width, "height": 800 if width < 800 else 900},
                               **options)  # type: ignore[arg-type]


def ready(page: Page) -> None:
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")


@pytest.fixture(scope="module")
def audio_talk(served: Served, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A talk with sound only, and a description (staff give it one through the API)."""
    from ingest import demo

    wav = tmp_path_factory.mktemp("audio") / "buecherei.wav"
    demo.render_speech(["Die Stadtbücherei in Menden öffnet jetzt auch am Sonntag.",
                        "Ausleihen geht auch ohne Ausweis."], wav)
    out = served.archive.run("ingest", str(wav), "-q", "--title", AUDIO_TITLE, "--town", "Menden",
                             "--date", "2025-06-01")
    talk_id = out.stdout.split()[0]
    token = served.archive.run("token", "create", "--name", "Bürgerseiten").stdout.split()[-1]
    changed = httpx.patch(f"{served.url}/api/talks/{talk_id}", json={"description": DESCRIPTION},
                          headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert changed.status_code == 200, changed.text
    return talk_id


@pytest.fixture
def video_id(served: Served) -> str:
    return word_and_talk(served)[1]


def contrast_ok(page: Page, words: str) -> None:
    """axe's color-contrast rule on ``words`` (at least 4.5:1): no violation, and it really
    checked at least one of them."""
    contrast = page.evaluate("""(words) => axe.run({include: [[words]]},
        {runOnly: {type: 'rule', values: ['color-contrast']}})""", words)
    assert contrast["violations"] == [], (words, contrast["violations"])
    assert sum(len(p["nodes"]) for p in contrast["passes"]) >= 1, (words, contrast["incomplete"])


@pytest.mark.parametrize("width", WIDTHS)
def test_a_found_word_stays_a_readable_word(served: Served, browser: Browser, axe_js: str,  # noqa: F811
                                            width: int) -> None:
    word, talk_id = word_and_talk(served)
    ctx = context(browser, width)
    page = ctx.new_page()
    page.goto(f"{served.url}/talks/{talk_id}")
    ready(page)
    page.fill("#find-q", word)
    found = page.locator(".w.found").first
    found.wait_for()
    shape = found.evaluate("""(w) => {
        const plain = Array.from(w.closest('p').querySelectorAll('.w')).find((x) => x !== w);
        return [getComputedStyle(w).display, w.getBoundingClientRect().height,
                plain.getBoundingClientRect().height, w.closest('p').getClientRects().length];
    }""")
    assert shape[0] == "inline", shape
    assert shape[1] <= shape[2] * 1.2, shape  # one line high, as the words beside it
    load_axe(page, axe_js)
    # a found word that is not being spoken (the player at the end), then one that is
    page.evaluate("() => { const p = document.getElementById('player'); p.currentTime = p.duration - 0.1; }")
    page.wait_for_function("() => !document.querySelector('.w.found.now')")
    contrast_ok(page, ".w.found:not(.now)")
    page.click("#find-next")  # goes there: the found word is now also the word being spoken
    page.evaluate("document.getElementById('player').pause()")
    page.wait_for_selector(".w.found.found-current.now")
    contrast_ok(page, ".w.found.now")
    shot(page, f"citizens-find-{width}")
    ctx.close()


def test_the_talk_on_a_phone(served: Served, browser: Browser, video_id: str) -> None:  # noqa: F811
    ctx = context(browser, 375, has_touch=True, is_mobile=True)
    page = ctx.new_page()
    console = Console(page)
    page.goto(f"{served.url}/talks/{video_id}")
    ready(page)
    player = page.locator(".stage").bounding_box()
    first = page.locator(".seg").first.bounding_box()
    assert player and first and first["y"] - player["y"] <= 800, (player, first)
    assert page.locator(".keys").is_hidden()  # no keyboard hint on a touch screen
    assert page.locator("details.box[open]").count() == 0  # share, cite, download: closed
    assert page.locator("details.box").count() == 3
    page.screenshot(path=str(ARTIFACTS / "citizens-talk-375.png"))  # the screen, as a phone shows it
    # follow-along scrolls the page: the current sentence stays in view, below the player
    last = page.locator(".seg").last
    for target in (float(last.get_attribute("data-start") or 0) + 0.2, 0.0):
        page.evaluate(f"(() => {{ const v = document.getElementById('player'); v.muted = true;"
                      f" v.currentTime = {target}; }})()")
        page.wait_for_function(f"() => document.querySelector('.seg.current')?.dataset.start"
                               f" <= {target} + 0.1 && document.querySelector('.seg.current')"
                               f".dataset.end > {target}")
        in_view(page)
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("() => document.getElementById('player').currentTime > 1.5")
    in_view(page)
    page.evaluate("document.getElementById('player').pause()")
    page.screenshot(path=str(ARTIFACTS / "citizens-follow-375.png"))  # the viewport, as seen
    assert console.errors == [], console.errors
    ctx.close()


def in_view(page: Page) -> None:
    page.wait_for_timeout(150)
    box = page.evaluate("""() => {
        const r = document.querySelector('.seg.current').getBoundingClientRect();
        const top = document.querySelector('.stage').getBoundingClientRect().bottom;
        return [r.top, r.bottom, top, window.innerHeight];
    }""")
    assert box[0] >= box[2] - 1 and box[1] <= box[3] + 1, box


def test_a_skip_link_reaches_the_transcript(served: Served, browser: Browser,  # noqa: F811
                                            video_id: str) -> None:
    page = context(browser, 1280).new_page()
    page.goto(f"{served.url}/talks/{video_id}")
    ready(page)
    presses = 0
    while presses < 40 and not page.evaluate("document.activeElement.matches('.seg .ts')"):
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate("document.activeElement.getAttribute('href')") == "#transcript-section":
            page.keyboard.press("Enter")
    assert presses <= 6, presses
    page.context.close()


def test_no_page_is_wider_than_a_phone(served: Served, browser: Browser, video_id: str,  # noqa: F811
                                       audio_talk: str) -> None:
    word, _ = word_and_talk(served)
    page = context(browser, 375).new_page()
    for name, path in (("search", "/"), ("results", f"/?q={quote(word)}"),
                       ("talk", f"/talks/{video_id}"), ("audio", f"/talks/{audio_talk}"),
                       ("embed", f"/embed/{video_id}"), ("embed-audio", f"/embed/{audio_talk}")):
        page.goto(served.url + path)
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
    page.goto(served.url + "/")
    fits = page.evaluate("""() => {
        const input = document.getElementById('q');
        const style = getComputedStyle(input, '::placeholder');
        const box = getComputedStyle(input);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(box.paddingLeft) - parseFloat(box.paddingRight);
        return [ctx.measureText(input.placeholder).width, room];
    }""")
    assert fits[0] <= fits[1], fits  # the placeholder is not cut off
    page.context.close()


def copied(page: Page, button: str, state: str) -> str:
    page.evaluate(f"document.getElementById('{state}').textContent = ''")
    page.click(button)
    page.wait_for_function(f"() => document.getElementById('{state}').textContent !== ''")
    return str(page.evaluate("navigator.clipboard.readText()"))


@pytest.mark.parametrize("width", WIDTHS)
def test_share_cite_and_download(served: Served, browser: Browser, video_id: str,  # noqa: F811
                                 width: int) -> None:
    ctx = context(browser, width)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url)
    page = ctx.new_page()
    console = Console(page)
    page.goto(f"{served.url}/talks/{video_id}#t=7")
    ready(page)
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 7) < 0.6")
    page.evaluate("document.getElementById('player').pause()")
    page.click("#cite summary")
    page.click("#cite-whole")
    whole = copied(page, "#copy-cite", "cite-state")
    assert "?t=" not in whole and not re.search(r"\bAb \d", whole), whole
    assert whole.startswith("Weber") or "Vortrag" in whole, whole
    page.click("#cite-this")
    moment = copied(page, "#copy-cite", "cite-state")
    assert f"/talks/{video_id}?t=7 " in moment and "Ab 00:07." in moment, moment
    page.click("#share summary")
    page.check("#embed-from-here")
    code = copied(page, "#copy-embed", "embed-state")
    assert f'/embed/{video_id}?t=7"' in code, code
    page.uncheck("#embed-from-here")
    assert f'/embed/{video_id}"' in page.text_content("#embed-code")
    page.click("#downloads summary")
    media = page.locator("#downloads a[href$='/media']")
    assert (media.get_attribute("download") or "").endswith(".mp4")
    head = httpx.head(served.url + (media.get_attribute("href") or ""), timeout=30)
    assert head.status_code == 200 and head.headers["content-type"] == "video/mp4"
    sound = page.locator("#downloads a[href$='/audio.m4a']")  # the video's sound alone
    assert (sound.get_attribute("download") or "").endswith(".m4a")
    got = httpx.get(served.url + (sound.get_attribute("href") or ""), timeout=60)
    assert got.status_code == 200 and got.headers["content-type"] == "audio/mp4"
    m4a = ARTIFACTS / f"citizens-sound-{width}.m4a"
    m4a.write_bytes(got.content)
    streams = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(m4a)],
        capture_output=True, check=True).stdout)
    assert [s["codec_type"] for s in streams["streams"]] == ["audio"], streams
    assert float(streams["format"]["duration"]) > 10
    m4a.unlink()
    described = page.locator("#downloads .files li span").all_text_contents()
    assert len(described) >= 10 and all(len(d) > 10 for d in described), described
    assert page.locator("button.primary").count() == 1  # one main action
    shot(page, f"citizens-actions-{width}")
    assert console.errors == [], console.errors
    ctx.close()


def test_the_english_page_cites_in_english(served: Served, browser: Browser,  # noqa: F811
                                           video_id: str) -> None:
    ctx = context(browser, 1280)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url)
    page = ctx.new_page()
    page.goto(f"{served.url}/talks/{video_id}?lang=en#t=7")
    ready(page)
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 7) < 0.6")
    page.evaluate("document.getElementById('player').pause()")
    page.click("#cite summary")
    moment = copied(page, "#copy-cite", "cite-state")
    assert "From 00:07." in moment and "(accessed " in moment and "Licence: " in moment, moment
    assert "abgerufen" not in moment and "Vortrag" not in moment, moment
    page.click("#cite-whole")
    whole = copied(page, "#copy-cite", "cite-state")
    assert "?t=" not in whole and "From " not in whole, whole
    date = httpx.get(f"{served.url}/api/talks/{video_id}", timeout=30).json()["date"]
    if date:
        y, m, d = (int(x) for x in date.split("-"))
        assert f"{d} {i18n_month(m)} {y}" in page.text_content(".talk-head .meta")
    ctx.close()


def i18n_month(month: int) -> str:
    from archive.citations import MONTHS_EN

    return MONTHS_EN[month - 1]


@pytest.mark.parametrize("width", WIDTHS)
def test_an_audio_talk_has_a_player_and_a_picture(served: Served, browser: Browser,  # noqa: F811
                                                  audio_talk: str, width: int) -> None:
    page = context(browser, width).new_page()
    console = Console(page)
    page.goto(f"{served.url}/talks/{audio_talk}")
    ready(page)
    assert page.locator("video").count() == 0
    assert page.locator(".audio-card audio#player").count() == 1
    card = page.locator(".audio-card").bounding_box()
    assert card and card["height"] <= 320, card  # no black 16:9 box
    assert DESCRIPTION in page.text_content(".description")
    assert (page.locator("details.about").get_attribute("open") is not None) == (width > 800)
    shot(page, f"citizens-audio-talk-{width}")
    page.goto(f"{served.url}/?q={quote('Stadtbücherei')}")
    wait_for_results_page(page)
    item = page.locator("li.talk", has=page.locator(f"a:has-text('{AUDIO_TITLE}')"))
    assert item.locator(".thumb .audio-art svg.mic").count() == 1
    badge = " ".join((item.locator(".time-badge").text_content() or "").split())
    assert re.fullmatch(r"Dauer \d\d:\d\d", badge), badge  # "Dauer" for screen readers
    frame = page.evaluate("getComputedStyle(document.querySelector('.thumb')).borderTopWidth")
    assert frame != "0px"
    shot(page, f"citizens-results-audio-{width}")
    assert console.errors == [], console.errors
    page.context.close()


def wait_for_results_page(page: Page) -> None:
    page.wait_for_selector("ol.talks > li.talk")


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing(served: Served, browser: Browser, axe_js: str, video_id: str,  # noqa: F811
                           audio_talk: str, width: int) -> None:
    word, _ = word_and_talk(served)
    page = context(browser, width).new_page()
    console = Console(page)
    for name, path in (("search", "/"), ("results", f"/?q={quote(word)}"),
                       ("talk", f"/talks/{video_id}?t=3"), ("audio", f"/talks/{audio_talk}"),
                       ("english", f"/talks/{video_id}?lang=en"), ("embed", f"/embed/{video_id}"),
                       ("embed-audio", f"/embed/{audio_talk}")):
        page.goto(served.url + path)
        page.wait_for_load_state("load")
        strict_axe(page, axe_js, f"{name} at {width}", open_sections=True)
    assert console.errors == [], console.errors  # the pages ran under their real CSP
    page.context.close()


def test_the_search_page(served: Served, browser: Browser, video_id: str) -> None:  # noqa: F811
    word, talk_id = word_and_talk(served)
    page = context(browser, 1280).new_page()
    console = Console(page)
    page.goto(served.url + "/")
    assert page.locator("h1").count() == 1
    assert page.locator("#filter-box").get_attribute("open") is not None  # room for the filters
    date = httpx.get(f"{served.url}/api/talks/{talk_id}", timeout=30).json()["date"]

    def slow(route):  # type: ignore[no-untyped-def]
        page.wait_for_timeout(1500)
        route.continue_()

    page.route(re.compile(r".*/\?q=.*"), slow)
    page.type("#q", word, delay=20)
    page.wait_for_selector("#search-status.on")
    assert page.text_content("#search-status") == i18n.TEXTS["de"]["loading"]
    shot(page, "citizens-search-loading-1280")
    wait_for_results(page, word)
    assert page.text_content("#search-status") == ""
    page.unroute(re.compile(r".*/\?q=.*"))
    if date:
        y, m, d = date.split("-")
        assert f"{d}.{m}.{y}" in page.text_content("ol.talks")
    for hit in page.locator("a.hit").all():  # one rounding: the floor of the second
        at = float(hit.get_attribute("data-at") or 0)
        assert hit.locator(".time").inner_text() == i18n.clock(at)
        assert parse_qs(urlparse(hit.get_attribute("href")).query)["t"] == [f"{at:g}"]
    # a filter, then "Filter zurücksetzen"
    town = page.locator("select[name=town] option").nth(1).get_attribute("value") or ""
    page.select_option("select[name=town]", town)
    page.wait_for_url(re.compile(r"town="))
    reset = page.locator("#reset-filters")
    reset.wait_for()
    shot(page, "citizens-search-filtered-1280")
    reset.click()
    page.wait_for_function("() => !location.search.includes('town=')")
    assert page.input_value("select[name=town]") == "" and reset.is_hidden()
    # a hit, and back to the search with its query
    wait_for_results(page, word)
    page.locator("a.hit").first.click()
    page.wait_for_url(re.compile(rf"/talks/{talk_id}\?t="))
    ready(page)
    page.wait_for_selector(".seg.current")
    back = page.locator(".crumb a").get_attribute("href") or ""
    assert parse_qs(urlparse(back).query)["q"] == [word], back
    page.click(".crumb a")
    page.wait_for_selector("ol.talks > li.talk")
    assert page.input_value("#q") == word
    assert console.errors == [], console.errors
    page.context.close()


def test_the_search_page_on_a_phone(served: Served, browser: Browser) -> None:  # noqa: F811
    word, _ = word_and_talk(served)
    page = context(browser, 375).new_page()
    page.goto(f"{served.url}/?q={quote(word)}")
    box = page.locator("#filter-box")
    assert box.get_attribute("open") is None and page.locator("select[name=event]").is_hidden()
    first = page.locator("ol.talks > li.talk").first.bounding_box()
    assert first and first["y"] < 330, first  # the filters are one row above the results
    shot(page, "citizens-results-375")
    page.click("#filter-box summary")
    assert page.locator("select[name=event]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "citizens-filters-375")
    page.context.close()


def test_one_label_for_a_slide_hit_and_one_rounding() -> None:
    seg = {"start": 12.0, "end": 15.0, "at": 12.0, "text": "Der <mark>Radweg</mark>",
           "url": "/talks/x?t=12", "speaker": None, "slide": True}
    result = {"total": 1, "page": 1, "pages": 1, "talks": [{
        "id": "x", "title": "T", "event": None, "date": "2025-09-18", "town": None,
        "speakers": [], "poster_url": None, "segments": [seg], "matched": [],
        "duration": 80.0, "has_video": True}]}
    html = pages.templates.env.get_template("results.html").render(
        t=i18n.TEXTS["de"], lang="de", q="Radweg", result=result, mark=Markup,
        corpus_url="/api/corpus.zip", page_url=lambda p: "")
    hit = re.sub(r"<[^>]+>", "", re.search(r'<a class="hit".*?</a>', html, re.S).group(0))
    assert hit.count("00:12") == 1 and "auf der Folie:" in hit, hit
    assert "18.09.2025" in html and "01:20" in html
    # 4.996 s is "00:04" in the transcript row; its hit says so too, and links to 4.99
    hit_doc = {"_formatted": {"text": f"{query._PRE}Radweg{query._POST} ist neu"},
               "word_starts": [4.996, 5.4], "start": 4.996, "end": 6.0, "talk_id": "x"}
    segment = query._segment(hit_doc)
    assert i18n.clock(segment["at"]) == i18n.clock(4.996) == "00:04"
    assert segment["url"] == "/talks/x?t=4.99"
    assert query._segment({**hit_doc, "word_starts": [4.84], "start": 4.84})["at"] == 4.84


def test_the_feed_speaks_utf8_and_pages_answer_head(served: Served, browser: Browser,  # noqa: F811
                                                    audio_talk: str, video_id: str) -> None:
    for path in ("/feed.xml", "/sitemap.xml"):
        r = httpx.get(served.url + path, timeout=30)
        assert "charset=utf-8" in r.headers["content-type"].lower().replace(" ", ""), path
    r = httpx.get(served.url + "/feed.xml", timeout=30)
    feed = feedparser.parse(r.content, response_headers={"content-type": r.headers["content-type"]})
    assert not feed.bozo, feed.bozo_exception
    assert "Vorträge" in feed.feed.title
    assert AUDIO_TITLE in [e.title for e in feed.entries]
    page = browser.new_page()
    page.goto(served.url + "/feed.xml")
    shown = page.evaluate("document.documentElement.textContent")
    assert "Vorträge" in shown and "VortrÃ" not in shown
    page.close()
    for path in ("/", f"/talks/{video_id}", f"/embed/{video_id}", "/feed.xml", "/sitemap.xml",
                 "/robots.txt"):
        head = httpx.head(served.url + path, timeout=30)
        get = httpx.get(served.url + path, timeout=30)
        assert head.status_code == 200, path
        assert head.headers["content-type"] == get.headers["content-type"], path
        assert int(head.headers["content-length"]) == len(get.content) > 0, path
