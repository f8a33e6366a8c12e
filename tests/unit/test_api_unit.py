"""The API in-process with a fake search client (``app.dependency_overrides``): the search
answer's shape, what the staff flag changes, the search engine's errors in the one error shape,
and media over HTTP Range."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.presenters import content_disposition
from archive.errors import SearchError
from archive.search.client import IndexMissing

from .fakes import FakeSearch, add_talk, app_with

TALK_HIT = {"talk_id": "t1", "title": "Das digitale Rathaus", "event": "Smart Cities 2025",
            "date": "2025-09-18", "town": "Soest", "speakers": ["Jonas Weber"], "has_poster": False,
            "_formatted": {"title": "Das digitale \ue000Rathaus\ue001", "speakers": ["Jonas Weber"]}}
SEGMENT_HIT = {"talk_id": "t1", "start": 3.0, "end": 5.0, "word_starts": [3.0, 3.5, 4.0],
               "speaker": "Jonas Weber", "_formatted": {"text": "Das \ue000Rathaus\ue001 <b>neu</b>"}}


def test_search_shape_and_the_moment_of_the_first_matched_word(tmp_path: Path) -> None:
    search = FakeSearch([
        [{"hits": [TALK_HIT], "totalHits": 1, "facetDistribution": {"town": {"Soest": 1}}}],
        [{"hits": [SEGMENT_HIT]}],
    ])
    with app_with(tmp_path, search) as (client, catalog, _token):
        add_talk(catalog, tmp_path, "t1")  # public search shows what the catalog calls public
        r = client.get("/api/search", params={"q": "Rathaus", "town": "Soest"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1 and body["facets"] == {"town": {"Soest": 1}}
    talk = body["talks"][0]
    assert talk["id"] == "t1" and talk["speakers"] == ["Jonas Weber"] and talk["poster_url"] is None
    assert talk["segments"] == [{"start": 3.0, "end": 5.0, "at": 3.5,
                                 "text": "Das <mark>Rathaus</mark> &lt;b&gt;neu&lt;/b&gt;",
                                 "url": "/talks/t1?t=3.5", "speaker": "Jonas Weber",
                                 "slide": False, "meaning": False}]
    assert talk["matched"] == ["title", "transcript"]
    first = search.requests[0][0]
    assert 'town = "Soest"' in first["filter"] and "published = true" in first["filter"]
    assert first["attributesToHighlight"] == ["title", "speakers", "event", "town", "description"]


def test_speaker_filter_keeps_only_that_speakers_sentences(tmp_path: Path) -> None:
    search = FakeSearch([[{"hits": [TALK_HIT], "totalHits": 1}], [{"hits": [SEGMENT_HIT]}]])
    with app_with(tmp_path, search) as (client, _catalog, _token):
        r = client.get("/api/search", params={"q": "Rathaus", "speaker": "Jonas Weber"})
    assert r.status_code == 200
    talks_query, segments_query = search.requests[0][0], search.requests[1][0]
    assert 'speakers = "Jonas Weber"' in talks_query["filter"]
    assert 'speaker = "Jonas Weber"' in segments_query["filter"]


def test_staff_also_search_unpublished_talks(tmp_path: Path) -> None:
    search = FakeSearch([[{"hits": [], "totalHits": 0}]])
    with app_with(tmp_path, search) as (client, _catalog, token):
        r = client.get("/api/search", params={"q": ""}, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        assert "published = true" not in search.requests[0][0]["filter"]
        wrong = client.get("/api/search", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("error", "status", "code"), [
    (IndexMissing(), 503, "search_unavailable"),
    (SearchError("the search engine rejected the request (invalid_search_filter)",
                 code="invalid_search_filter"), 502, "invalid_search_filter"),
])
def test_search_engine_errors_in_the_error_shape(tmp_path: Path, error: Exception, status: int,
                                                 code: str) -> None:
    with app_with(tmp_path, FakeSearch(error=error)) as (client, _catalog, _token):  # type: ignore[arg-type]
        r = client.get("/api/search", params={"q": "Rathaus"})
    assert r.status_code == status
    assert r.json() == {"error": {"code": code, "message": r.json()["error"]["message"]}}
    assert (r.headers.get("retry-after") == "5") == (status == 503)


def test_media_ranges_if_range_head_and_etag(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        add_talk(catalog, tmp_path)
        url = "/api/talks/t1/media"
        full = client.get(url)
        assert full.status_code == 200 and len(full.content) == 1000
        etag = full.headers["etag"]
        part = client.get(url, headers={"Range": "bytes=10-19"})
        assert part.status_code == 206 and part.content == full.content[10:20]
        assert part.headers["content-range"] == "bytes 10-19/1000"
        stale = client.get(url, headers={"Range": "bytes=10-19", "If-Range": '"other"'})
        assert stale.status_code == 200 and len(stale.content) == 1000
        fresh = client.get(url, headers={"Range": "bytes=10-19", "If-Range": etag})
        assert fresh.status_code == 206
        past = client.get(url, headers={"Range": "bytes=1000-"})
        assert past.status_code == 416 and past.headers["content-range"] == "bytes */1000"
        assert past.json()["error"]["code"] == "range_not_satisfiable"
        garbled = client.get(url, headers={"Range": "pages=1-2"})
        assert garbled.status_code == 200 and len(garbled.content) == 1000
        head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == "1000"
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_unpublished_talks_exist_only_for_staff(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        add_talk(catalog, tmp_path, "t2", published=False)
        assert client.get("/api/talks/t2").status_code == 404
        assert client.get("/api/talks/t2/media").status_code == 404
        staff = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/talks/t2", headers=staff).json()["published"] is False


def test_umlaut_file_name() -> None:
    value = content_disposition("Bürgerbus für Süderbrarup", "txt")
    assert value == ("attachment; filename=\"Buergerbus fuer Suederbrarup.txt\"; "
                     "filename*=UTF-8''B%C3%BCrgerbus%20f%C3%BCr%20S%C3%BCderbrarup.txt")


def test_upload_fields_are_bounded_in_count_and_bytes(tmp_path: Path) -> None:
    from api import uploads

    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        auth = {"Authorization": f"Bearer {token}"}
        files = {"file": ("talk.wav", b"RIFF" + b"\0" * 100, "audio/wav")}
        many = {"speakers": [f"Person {i}" for i in range(uploads.MAX_FIELDS + 1)]}
        r = client.post("/api/talks", headers=auth, files=files, data=many)
        assert r.status_code == 400 and r.json()["error"]["message"] == "too many fields"
        big = {"description": "x" * (uploads.MAX_FIELD_BYTES + 1)}
        r = client.post("/api/talks", headers=auth, files=files, data=big)
        assert r.status_code == 400 and r.json()["error"]["code"] == "field_too_large"
        assert not any((tmp_path / "uploads").iterdir())
