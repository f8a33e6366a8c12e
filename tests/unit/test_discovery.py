"""Found from everywhere: the talk page's schema.org VideoObject JSON-LD, /sitemap.xml with
every published talk and no unpublished one, and /feed.xml, which feedparser reads without a
bozo flag."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
from lxml import etree

from archive import catalog as cat

from .fakes import FakeSearch, add_talk, app_with
from .test_research_unit import save_transcript

SITE = "http://testserver"


def talks(tmp_path: Path, catalog: cat.Catalog, settings: object) -> None:
    add_talk(catalog, tmp_path, "t1")
    add_talk(catalog, tmp_path, "t2")
    add_talk(catalog, tmp_path, "hidden", published=False)
    with catalog.session() as s:
        s.get(cat.Talk, "t2").title = "Bürgerbus & <Rathaus>"
    for talk_id in ("t1", "t2", "hidden"):
        save_transcript(settings, talk_id, ["Willkommen im Rathaus von Soest.",  # type: ignore[arg-type]
                                            "Der Bürgerbus fährt jeden Tag."])


def test_the_talk_page_carries_a_video_object(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        talks(tmp_path, catalog, client.app.state.settings)  # type: ignore[attr-defined]
        page = client.get("/talks/t2").text
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(found) == 1
    data = json.loads(found[0])
    assert data["@context"] == "https://schema.org" and data["@type"] == "VideoObject"
    assert data["name"] == "Bürgerbus & <Rathaus>" and "<Rathaus>" not in found[0]  # escaped
    assert data["duration"] == "PT12S" and data["uploadDate"].startswith("20")
    assert data["contentUrl"] == f"{SITE}/api/talks/t2/media"
    assert "Bürgerbus fährt" in data["transcript"] and data["description"]
    assert set(data) >= {"name", "description", "uploadDate", "duration", "contentUrl",
                         "transcript"}


def test_sitemap_lists_published_talks_only(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        talks(tmp_path, catalog, client.app.state.settings)  # type: ignore[attr-defined]
        r = client.get("/sitemap.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(r.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = root.xpath("//s:url/s:loc/text()", namespaces=ns)
    assert set(locs) == {f"{SITE}/", f"{SITE}/talks/t1", f"{SITE}/talks/t2"}
    assert all(re.match(r"^\d{4}-\d\d-\d\dT", m) for m in root.xpath("//s:lastmod/text()",
                                                                    namespaces=ns))


def test_the_atom_feed_parses_cleanly(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        talks(tmp_path, catalog, client.app.state.settings)  # type: ignore[attr-defined]
        r = client.get("/feed.xml")
        home = client.get("/").text
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert {e.link for e in feed.entries} == {f"{SITE}/talks/t1", f"{SITE}/talks/t2"}
    assert any(e.title == "Bürgerbus & <Rathaus>" for e in feed.entries)
    assert all(e.enclosures and e.updated_parsed for e in feed.entries)
    assert 'type="application/atom+xml" href="/feed.xml"' in home


def test_the_embedded_player_may_be_framed_and_nothing_else(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        talks(tmp_path, catalog, client.app.state.settings)  # type: ignore[attr-defined]
        embed = client.get("/embed/t1?t=5")
        page = client.get("/talks/t2")
        hidden = client.get("/embed/hidden")
    assert embed.status_code == 200 and 'data-start="5.0"' in embed.text
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    assert 'src="/static/player.js"' in embed.text and 'class="w"' in embed.text
    assert "<script>" not in embed.text  # no inline script: the CSP holds
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "Einbetten" in page.text
    assert ('&lt;iframe src=&#34;http://testserver/embed/t2&#34;' in page.text
            and "Bürgerbus &amp;amp; &amp;lt;Rathaus&amp;gt;" in page.text)  # escaped twice
    assert 'type="application/json+oembed"' in page.text
    assert hidden.status_code == 404


def test_oembed_answers_for_talks_of_this_archive_only(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        talks(tmp_path, catalog, client.app.state.settings)  # type: ignore[attr-defined]
        ok = client.get("/oembed", params={"url": f"{SITE}/talks/t2?t=3", "maxwidth": 320})
        xml = client.get("/oembed", params={"url": f"{SITE}/talks/t2", "format": "xml"})
        foreign = client.get("/oembed", params={"url": "https://evil.example/talks/t2"})
        hidden = client.get("/oembed", params={"url": f"{SITE}/embed/hidden"})
    data = ok.json()
    assert data["version"] == "1.0" and data["type"] == "video" and data["width"] == 320
    assert data["height"] == 280 and data["title"] == "Bürgerbus & <Rathaus>"
    assert data["html"].startswith(f'<iframe src="{SITE}/embed/t2"')
    assert 'title="Bürgerbus &amp; &lt;Rathaus&gt;"' in data["html"]
    assert xml.status_code == 501 and xml.json()["error"]["code"] == "format_not_implemented"
    assert foreign.status_code == 404 and hidden.status_code == 404


def test_embed_ancestors_are_a_source_list_that_cannot_break_out() -> None:
    from api.headers import _source_list

    assert _source_list("https://www.soest.de  https://*.olpe.de") == \
        "https://www.soest.de https://*.olpe.de"
    assert ";" not in _source_list("https://a.de; script-src *")  # stays one directive
    assert _source_list("'unsafe-inline'") == "'none'"
