"""Found by meaning (issue 22), end to end: the three shared talks ingested through the real
pipeline (Whisper, the sentence model), a real Meilisearch with its `userProvided` embedder,
searched through `talkarchive serve`'s API, its search page in Debian Chromium, and the CLI."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import Browser

from ..conftest import Served, needs_shared, truth_sentence
from .pages import WIDTHS, fits
from .test_web import browser, screenshot, wait_for_results  # noqa: F401 - the browser fixture

pytestmark = [pytest.mark.e2e, needs_shared()]

# A citizen's words for what a speaker said, sharing no word with it (from the dev set)
BOOKING = "Wie kann ich den Rufbus bestellen?"  # "Die Fahrgäste buchen die Fahrt per App ..."
NOTHING = "Müllabfuhr Termine"


def search(served: Served, q: str, **params: str) -> dict:  # type: ignore[type-arg]
    r = httpx.get(f"{served.url}/api/search", params={"q": q, **params}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_a_paraphrase_finds_the_sentence_and_jumps_to_it(served: Served) -> None:
    result = search(served, BOOKING)
    assert result["meaning"] is True
    talk = result["talks"][0]
    assert talk["id"] == served.talk_ids["projekt_mobilitaet"], result
    truth = truth_sentence("projekt_mobilitaet", "Telefon")
    first = talk["segments"][0]
    assert first["meaning"] and "<mark>" not in first["text"]
    assert abs(first["at"] - truth["start"]) < 1.5, (first, truth)  # the sentence's start
    assert "meaning" in talk["matched"]


def test_exact_words_only_and_a_query_about_nothing(served: Served) -> None:
    exact = search(served, BOOKING, exact="true")
    assert exact["meaning"] is False
    assert all(not s["meaning"] for t in exact["talks"] for s in t["segments"])
    assert search(served, NOTHING)["talks"] == []


def test_words_that_occur_rank_as_they_did(served: Served) -> None:
    """A query whose words occur: the same talks in the same order, the same first moment."""
    for q in ("Bürgerbus", "Plattform", "Telefon"):
        words, both = search(served, q, exact="true"), search(served, q)
        assert words["talks"], q
        assert [t["id"] for t in both["talks"]][:len(words["talks"])] == \
            [t["id"] for t in words["talks"]], q
        assert both["talks"][0]["segments"][0]["at"] == words["talks"][0]["segments"][0]["at"]
        assert not both["talks"][0]["segments"][0]["meaning"]


def test_the_cli_says_similar_meaning_and_exact_leaves_it_out(served: Served) -> None:
    out = served.archive.run("search", BOOKING).stdout
    assert "(similar meaning)" in out, out
    found = json.loads(served.archive.run("search", BOOKING, "--exact", "--json").stdout)
    assert found["meaning"] is False


def test_the_search_page_marks_a_hit_found_by_meaning(served: Served, browser: Browser  # noqa: F811
                                                      ) -> None:
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
        page = context.new_page()
        page.goto(f"{served.url}/?lang=de")
        page.fill("#q", BOOKING)
        wait_for_results(page, BOOKING)
        hit = page.locator("a.hit", has=page.locator(".meaning")).first
        assert hit.locator(".meaning").inner_text() == "ähnliche Bedeutung"
        fits(page, width)
        screenshot(page, f"meaning-search-{width}")
        page.check("#exact")  # only these words: the hit by meaning goes
        page.wait_for_function("() => new URL(location.href).searchParams.get('exact') === '1'")
        page.wait_for_function("() => !document.querySelector('#results .meaning')")
        if width == WIDTHS[0]:
            page.uncheck("#exact")
            page.wait_for_function("() => document.querySelector('#results .meaning')")
            page.locator("a.hit", has=page.locator(".meaning")).first.click()
            page.wait_for_url("**/talks/**")
            truth = truth_sentence("projekt_mobilitaet", "Telefon")
            at = float(page.evaluate("new URL(location.href).searchParams.get('t')"))
            assert abs(at - truth["start"]) < 1.5
        context.close()
