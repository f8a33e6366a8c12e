"""Through a real `serve`: the sitemap lists every published talk, the Atom feed parses without
a bozo flag, each talk page carries VideoObject JSON-LD, and robots.txt names the sitemap."""

from __future__ import annotations

import json
import re

import feedparser
import httpx
import pytest
from lxml import etree

from ..conftest import Served

pytestmark = pytest.mark.e2e


def test_search_engines_and_feed_readers_find_the_talks(served: Served) -> None:
    sitemap = httpx.get(f"{served.url}/sitemap.xml", timeout=10)
    locs = etree.fromstring(sitemap.content).xpath(
        "//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    for talk_id in served.talk_ids.values():
        assert f"{served.url}/talks/{talk_id}" in locs
    feed = feedparser.parse(httpx.get(f"{served.url}/feed.xml", timeout=10).content)
    assert not feed.bozo and len(feed.entries) >= len(served.talk_ids)
    for talk_id in served.talk_ids.values():
        page = httpx.get(f"{served.url}/talks/{talk_id}", timeout=10).text
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert block is not None
        data = json.loads(block.group(1))
        assert data["@type"] == "VideoObject" and data["transcript"]
        assert data["contentUrl"] == f"{served.url}/api/talks/{talk_id}/media"
        assert httpx.get(data["contentUrl"], headers={"Range": "bytes=0-9"}).status_code == 206
        if "thumbnailUrl" in data:
            assert httpx.get(data["thumbnailUrl"]).headers["content-type"] == "image/jpeg"
    robots = httpx.get(f"{served.url}/robots.txt").text
    assert f"Sitemap: {served.url}/sitemap.xml" in robots
