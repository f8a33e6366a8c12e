"""Security headers on every answer, and links that stay on this site."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from .fakes import FakeSearch, add_talk, app_with


def test_every_answer_carries_the_security_headers(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch([[{"hits": [], "totalHits": 0, "facetDistribution": {}}]] * 4)) as (
            client, catalog, _):
        add_talk(catalog, tmp_path, "t1")
        for path in ("/", "/api/talks/t1", "/api/talks/nope", "/talks/nope", "/static/style.css",
                     "/api/talks/t1/media"):
            r = client.get(path)
            csp = r.headers["content-security-policy"]
            assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp, path
            assert "unsafe-inline" not in csp, path
            assert r.headers["x-content-type-options"] == "nosniff", path
            assert r.headers["x-frame-options"] == "DENY", path
            assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        docs = client.get("/docs")  # Swagger UI starts itself with one inline script
        assert "script-src 'self' 'unsafe-inline'" in docs.headers["content-security-policy"]


def test_pages_have_no_inline_script_or_handlers(tmp_path: Path) -> None:
    templates = Path(__file__).resolve().parents[2] / "web" / "templates"
    for page in templates.glob("*.html"):
        html = page.read_text()
        assert not re.search(r"\son[a-z]+\s*=", html), page.name
        for tag in re.findall(r"<script[^>]*>", html):
            # a file, or a data block (JSON, JSON-LD), which a browser never runs
            assert "src=" in tag or re.search(r'type="application/(ld\+)?json"', tag), \
                (page.name, tag)


def test_the_language_switch_stays_on_this_site(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, _):
        r = client.get("http://testserver//evil.example/")
        links = re.findall(r'href="([^"]*lang=[^"]*)"', r.text)
        assert links == ["/evil.example/?lang=en"]
        r = client.get("http://testserver/\\\\evil.example/")
        assert all(not link.startswith(("//", "/\\")) for link in
                   re.findall(r'href="([^"]*lang=[^"]*)"', r.text))


def test_bad_input_that_answered_500(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="talkarchive.api")
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        add_talk(catalog, tmp_path, "t1")  # a talk whose transcript file is missing
        auth = {"Authorization": f"Bearer {token}"}
        r = client.patch("/api/talks/t1", json={"language": None}, headers=auth)
        assert r.status_code == 400 and r.json()["error"]["message"].startswith("body.language")
        r = client.patch("/api/talks/t1", json={"published": None}, headers=auth)
        assert r.status_code == 400 and r.json()["error"]["message"].startswith("body.published")
        assert client.get("/talks/t1").status_code == 404
        assert client.get("/api/talks/t1/transcript.tei").status_code == 404
        for spec in ("bytes=" + "9" * 5000 + "-", "bytes=0-" + "9" * 5000, "bytes=-" + "9" * 5000,
                     "bytes=" + ",".join(["0-1"] * 400)):
            r = client.get("/api/talks/t1/media", headers={"Range": spec})
            assert r.status_code == 416 and r.headers["content-range"] == "bytes */1000"
            assert r.json()["error"]["code"] == "range_not_satisfiable"
    logged = [rec.getMessage() for rec in caplog.records if rec.name == "talkarchive.api"]
    assert any("PATCH /api/talks/t1 -> 400 bad_request: body.published" in m for m in logged)
    assert any("/transcript.tei -> 404" in m for m in logged)
    assert sum("-> 416 range_not_satisfiable" in m for m in logged) == 4


def test_answers_to_staff_are_private_and_public_ones_cacheable(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        add_talk(catalog, tmp_path, "t1")
        add_talk(catalog, tmp_path, "t2", published=False)
        auth = {"Authorization": f"Bearer {token}"}
        public = client.get("/api/talks/t1/media")
        assert public.headers["cache-control"] == "public, max-age=3600"
        for url in ("/api/talks/t1", "/api/talks/t2", "/api/talks/t2/media", "/api/jobs"):
            r = client.get(url, headers=auth)
            assert r.status_code == 200, url
            assert r.headers["cache-control"] == "private, no-store", url
            assert {"Authorization", "Cookie"} <= {v.strip() for v in r.headers["vary"].split(",")}
        client.cookies.set("ta_session", "stale-or-not")
        assert client.get("https://testserver/admin").headers["cache-control"] == "private, no-store"
