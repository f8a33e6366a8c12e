"""Researchers against a real `talkarchive serve`, Meilisearch and Chromium: the corpus of a
search (API and CLI), its formats checked by tools nobody here wrote, citing a moment on the
talk page, and a media fragment link."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import httpx
import pytest
from lxml import etree
from playwright.sync_api import Browser

from .. import schemas
from ..conftest import Served
from .test_web import Console, browser, screenshot  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.e2e
SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas"


def matching_ids(served: Served, q: str) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        found = httpx.get(f"{served.url}/api/search", params={"q": q, "page": page}, timeout=30).json()
        ids |= {t["id"] for t in found["talks"]}
        if page >= found["pages"]:
            return ids
        page += 1


def check_zip(served: Served, data: bytes, expected: set[str], formats: list[str]) -> zipfile.ZipFile:
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    folders = {n.split("/")[0] for n in zf.namelist() if "/" in n}
    assert folders == expected
    for talk_id in expected:
        for ext in formats:
            assert f"{talk_id}/{talk_id}.{ext}" in zf.namelist()
    rows = list(csv.DictReader(io.StringIO(zf.read("talks.csv").decode())))
    assert {r["id"] for r in rows} == expected
    segments = sum(int(r["segment_count"]) for r in rows)
    assert len(zf.read("segments.jsonl").decode().splitlines()) == segments
    assert "## Lizenzen" in zf.read("README.md").decode()
    return zf


def test_corpus_of_a_search_through_the_api_and_the_cli(served: Served, tmp_path: Path) -> None:
    q = "die"  # a word in every talk's speech
    expected = matching_ids(served, q)
    assert expected
    with httpx.stream("GET", f"{served.url}/api/corpus.zip",
                      params={"q": q, "formats": "json,tei,eaf,textgrid,iiif,vtt"}, timeout=120) as r:
        assert r.status_code == 200, r.read()
        assert "content-length" not in r.headers  # streamed as it is written
        data = b"".join(r.iter_bytes())
    zf = check_zip(served, data, expected,
                   ["json", "tei.xml", "eaf", "TextGrid", "iiif.json", "vtt"])
    one = sorted(expected)[0]
    tei = etree.fromstring(zf.read(f"{one}/{one}.tei.xml"))
    assert tei.findall(".//{http://www.tei-c.org/ns/1.0}w")
    if (schemas.SCHEMAS / "tei_all.rng").is_file():
        schema = schemas.tei()
        assert schema.validate(tei), schema.error_log.last_error

    out = tmp_path / "korpus.zip"
    served.archive.run("corpus", "-o", str(out), "--q", q, "--formats", "json", "-q")
    check_zip(served, out.read_bytes(), expected, ["json"])
    everything = tmp_path / "alle.zip"
    served.archive.run("corpus", "-o", str(everything), "-q")
    published = matching_ids(served, "")  # other tests upload talks into this archive too
    assert set(served.talk_ids.values()) <= published
    assert len(check_zip(served, everything.read_bytes(), published,
                         ["json", "tei.xml", "vtt"]).read("talks.json")) > 0
    bad = served.archive.run("corpus", "-o", str(tmp_path / "x.zip"), "--formats", "docx",
                             check=False)
    assert bad.returncode == 2 and "docx" in bad.stderr and "Traceback" not in bad.stderr


def test_cite_a_moment_and_follow_a_media_fragment(served: Served, browser: Browser) -> None:  # noqa: F811
    talk_id = sorted(served.talk_ids.values())[0]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.url)
    page = context.new_page()
    console = Console(page)
    page.goto(f"{served.url}/talks/{talk_id}#t=7")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 7) < 0.6")
    page.evaluate("document.getElementById('player').pause()")
    page.click("#cite summary")  # citing is a closed section of its own
    page.click("#copy-cite")
    page.wait_for_function("() => document.getElementById('cite-state').textContent !== ''")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.search(rf"/talks/{talk_id}\?t=7 \(abgerufen am \d\d\.\d\d\.\d{{4}}\)", copied), copied
    assert "Ab 00:07." in copied and "Lizenz: CC BY 4.0." in copied
    bib = page.get_attribute("a[data-cite='bib']", "href")
    assert bib == f"/api/talks/{talk_id}/cite.bib?t=7"
    screenshot(page, "talk-cite-1280")
    page.evaluate("location.hash = 't=3'")  # a new fragment seeks there
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 3) < 0.6")
    page.click("#cite-whole")
    assert "?t=" not in page.text_content("#citation")
    csl = httpx.get(f"{served.url}{bib.replace('cite.bib', 'cite.csl.json')}", timeout=30).json()
    assert csl[0]["type"] == "speech" and csl[0]["URL"].endswith(f"/talks/{talk_id}?t=7")
    if (SCHEMAS / "csl-data.json").is_file():
        import jsonschema

        jsonschema.Draft7Validator(json.loads((SCHEMAS / "csl-data.json").read_text())).validate(csl)
    page.goto(f"{served.url}/?q=die")
    link = page.locator("p.corpus a")
    assert link.get_attribute("href") == "/api/corpus.zip?q=die"
    assert console.errors == []
    context.close()
