"""Chapters on the talk page, rendered in-process: the chapters track, marks and list, the text
for YouTube (or why there is none), JSON-LD key moments and the download with chapters."""

from __future__ import annotations

import json
import re
from pathlib import Path

from archive import transcript as tr

from .fakes import FakeSearch, add_talk, app_with
from .test_chapters_api import stored


def ld_of(html: str) -> dict:  # type: ignore[type-arg]
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block
    return json.loads(block.group(1))


def test_a_talk_with_chapters(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        add_talk(catalog, tmp_path)
        stored(client)
        page = client.get("/talks/t1")
        english = client.get("/talks/t1?lang=en")
    html = page.text
    assert page.status_code == 200
    assert '<track kind="chapters" srclang="de" label="Kapitel" src="/api/talks/t1/chapters.vtt">' in html
    assert html.count('class="mark"') == 3 and html.count('class="chapter"') == 3
    assert 'aria-label="Kapitel 2: Anträge online, ab 00:40"' in html
    assert "0:00 Willkommen in Soest\n0:40 Anträge online\n1:20 Ausblick" in html
    assert 'href="/api/talks/t1/video.mp4"' in html and "mit Kapitelmarken" in html
    parts = ld_of(html)["hasPart"]
    assert [(p["name"], p["startOffset"], p["endOffset"]) for p in parts] == [
        ("Willkommen in Soest", 0, 40), ("Anträge online", 40, 80), ("Ausblick", 80, 120)]
    assert all(p["@type"] == "Clip" and p["url"].endswith(f"/talks/t1?t={p['startOffset']}")
               for p in parts)
    assert "Chapters as text for YouTube" in english.text


def test_too_few_chapters_for_youtube_say_why(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        add_talk(catalog, tmp_path)
        stored(client)
        client.put("/api/talks/t1/chapters", headers={"Authorization": f"Bearer {token}"},
                   json={"chapters": [{"start": 0, "title": "Anfang"}, {"start": 60, "title": "Ende"}]})
        html = client.get("/talks/t1").text
    assert 'id="chapter-text-none"' in html and "ab drei Kapiteln" in html
    assert 'id="chapter-text"' not in html


def test_a_talk_without_chapters_has_none_of_it(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        add_talk(catalog, tmp_path)
        path = stored(client)
        transcript = tr.load(path)
        transcript.slides = []
        tr.save(transcript, path)
        html = client.get("/talks/t1").text
    assert 'kind="chapters"' not in html and 'id="chapter-bar"' not in html
    assert "hasPart" not in ld_of(html) and 'href="/api/talks/t1/media"' in html
