"""The HTTP API against a real `talkarchive serve` and a real Meilisearch."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx
import pytest
import srt
import webvtt

from archive import formats
from archive.transcript import load

from ..conftest import TALKS, Served

pytestmark = pytest.mark.e2e


def get(served: Served, path: str, **kw) -> httpx.Response:  # type: ignore[no-untyped-def]
    return httpx.get(served.url + path, timeout=30, **kw)


def stored(served: Served, name: str):  # type: ignore[no-untyped-def]
    return load(served.archive.data_dir / "transcripts" / f"{served.talk_ids[name]}.json")


def distinctive_words(served: Served) -> list[tuple[str, str, float]]:
    """(talk, word, start) for words the engine got right that occur in one talk only (in its
    transcript and in no other talk's details: a title match ranks above the transcript)."""
    seen: dict[str, set[str]] = {}
    for name, talk_id in served.talk_ids.items():
        details = get(served, f"/api/talks/{talk_id}").json()
        seen[name] = {w.word.strip(" .,!?").lower() for s in stored(served, name).segments
                      for w in s.words}
        seen[name] |= {w.lower() for field in ("title", "event", "town") for w in
                       (details[field] or "").split()}
    picks = []
    for name in served.talk_ids:
        others = set().union(*(v for k, v in seen.items() if k != name))
        truth = json.loads((TALKS / f"{name}.truth.json").read_text()) if served.shared else None
        n = 0
        for seg in stored(served, name).segments:
            for w in seg.words:
                word = w.word.strip(" .,!?")
                if len(word) >= 7 and word.isalpha() and word.lower() not in others and (
                        truth is None or any(word in s["text"] for s in truth["sentences"])):
                    picks.append((name, word, w.start))
                    n += 1
                    break
            if n >= 3:
                break
    return picks


def test_search_finds_the_second_a_word_was_said(served: Served) -> None:
    picks = distinctive_words(served)
    assert len(picks) >= 6
    for name, word, start in picks:
        result = get(served, "/api/search", params={"q": word}).json()
        talk = result["talks"][0]
        assert talk["id"] == served.talk_ids[name], word
        seg = talk["segments"][0]
        starts = [w.start for s in stored(served, name).segments for w in s.words
                  if w.word.strip(" .,!?") == word]
        assert any(abs(seg["at"] - s) <= 0.5 for s in starts), (word, seg, start)
        assert seg["url"] == f"/talks/{talk['id']}?t={seg['at']:g}"
        assert "<mark>" in seg["text"]
        if served.shared:
            truth = json.loads((TALKS / f"{name}.truth.json").read_text())
            sentence = next(s for s in truth["sentences"] if word in s["text"])
            assert sentence["start"] - 1 <= seg["at"] <= sentence["end"] + 1, (word, seg)


@pytest.mark.skipif(not TALKS.is_dir(), reason="needs ../shared/data/talks_de")
def test_typos_and_umlauts(served: Served) -> None:
    result = get(served, "/api/search", params={"q": "Bürgerbus"}).json()
    assert result["talks"][0]["id"] == served.talk_ids["projekt_mobilitaet"]
    text = " ".join(s.text for n in served.talk_ids for s in stored(served, n).segments)
    if "Südwestfalen" in text:
        hits = get(served, "/api/search", params={"q": "Sudwestfalen"}).json()
        assert hits["total"] >= 1 and any("Südwestfalen" in s["text"] for t in hits["talks"]
                                          for s in t["segments"])


def test_facets_filters_and_paging(served: Served) -> None:
    result = get(served, "/api/search", params={"q": ""}).json()  # every talk
    assert result["total"] == len(result["talks"]) == 3
    assert sum(result["facets"]["event"].values()) == 3
    year = int(next(iter(result["facets"]["year"])))
    only = get(served, "/api/search", params={"q": "", "year": year}).json()
    assert only["total"] == result["facets"]["year"][str(year)] == len(only["talks"])
    assert {t["date"][:4] for t in only["talks"]} == {str(year)}
    assert get(served, "/api/search", params={"q": "", "page": 2}).json()["talks"] == []


def test_talks_are_found_by_their_speakers(served: Served) -> None:
    weber = get(served, "/api/search", params={"q": "Weber"}).json()
    listed = {n for n, talk_id in served.talk_ids.items()
              if "Jonas Weber" in get(served, f"/api/talks/{talk_id}").json()["speakers"]}
    assert listed and {t["id"] for t in weber["talks"]} == {served.talk_ids[n] for n in listed}
    assert all("speakers" in t["matched"] for t in weber["talks"])
    assert weber["facets"]["speakers"]["Jonas Weber"] == len(listed)


def test_talks_and_exports(served: Served) -> None:
    listing = get(served, "/api/talks").json()
    assert listing["total"] == 3
    for talk in listing["talks"]:
        detail = get(served, f"/api/talks/{talk['id']}").json()
        assert detail["duration"] > 0 and detail["captions_url"].endswith(".vtt")
        transcript = load(served.archive.data_dir / "transcripts" / f"{talk['id']}.json")
        vtt = get(served, detail["captions_url"])
        assert vtt.headers["content-type"].startswith("text/vtt")
        cues = list(webvtt.from_buffer(io.StringIO(vtt.text)))
        assert [round(c.start_in_seconds + c.start_time.milliseconds / 1000, 3) for c in cues] \
            == [s.start for s in transcript.segments]
        subs = list(srt.parse(get(served, f"/api/talks/{talk['id']}/transcript.srt").text))
        assert [s.end.total_seconds() for s in subs] == [s.end for s in transcript.segments]
        rows = list(csv.DictReader(io.StringIO(
            get(served, f"/api/talks/{talk['id']}/transcript.csv").text)))
        assert len(rows) == len(transcript.segments)
        js = get(served, f"/api/talks/{talk['id']}/transcript.json")
        assert formats.from_json_export(js.text).segments == transcript.segments
        cli = served.archive.run("export", talk["id"], "--format", "json").stdout
        assert cli.encode() == js.content
        disposition = js.headers["content-disposition"]
        assert disposition.startswith("attachment; filename=\"") and "filename*=UTF-8''" in disposition


def test_media_ranges_and_caching(served: Served) -> None:
    talk_id = next(iter(served.talk_ids.values()))
    full = get(served, f"/api/talks/{talk_id}/media")
    assert full.status_code == 200 and full.headers["accept-ranges"] == "bytes"
    size = len(full.content)
    part = get(served, f"/api/talks/{talk_id}/media", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == full.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    tail = get(served, f"/api/talks/{talk_id}/media", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == full.content[-10:]
    past = get(served, f"/api/talks/{talk_id}/media", headers={"Range": f"bytes={size}-"})
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{size}"
    assert past.json()["error"]["code"] == "range_not_satisfiable"
    cached = get(served, f"/api/talks/{talk_id}/media",
                 headers={"If-None-Match": full.headers["etag"]})
    assert cached.status_code == 304
    poster = get(served, f"/api/talks/{talk_id}/poster.jpg")
    assert poster.status_code == 200 and poster.content[:2] == b"\xff\xd8"


BAD_REQUESTS = [
    ("GET", "/api/search", {"q": "x" * 201}, 400),
    ("GET", "/api/search", {"q": "a", "year": "zwei"}, 400),
    ("GET", "/api/search", {"q": "a", "page": "0"}, 400),
    ("GET", "/api/search", {"q": "a", "language": "de;drop"}, 400),
    ("GET", "/api/search", {"q": "a", "event": "e" * 500}, 400),
    ("GET", "/api/talks", {"per_page": "1000"}, 400),
    ("GET", "/api/talks/nope", {}, 404),
    ("GET", "/api/talks/nope/transcript.vtt", {}, 404),
    ("GET", "/api/talks/{id}/transcript.docx", {}, 404),
    ("GET", "/api/talks/nope/media", {}, 404),
    ("GET", "/api/talks/nope/poster.jpg", {}, 404),
    ("GET", "/api/talks/nope/audio.m4a", {}, 404),
    ("GET", "/api/talks/nope/video.mp4", {}, 404),
    ("GET", "/api/talks/nope/chapters.vtt", {}, 404),
    ("GET", "/api/talks/nope/chapters.json", {}, 404),
    ("PUT", "/api/talks/{id}/chapters", {}, 401),
    ("DELETE", "/api/talks/{id}/chapters", {}, 401),
    ("GET", "/api/talks/nope/slides/000.jpg", {}, 404),
    ("GET", "/api/talks/{id}/slides/999.jpg", {}, 404),
    ("GET", "/api/talks/{id}/slides/1.jpg", {}, 400),
    ("GET", "/api/talks/{id}/slides/..%2F..%2Fcatalog.sqlite3", {}, 404),
    ("GET", "/api/talks/{id}/cite.docx", {}, 404),
    ("GET", "/api/talks/nope/cite.bib", {}, 404),
    ("GET", "/api/talks/{id}/cite.bib", {"t": "soon"}, 400),
    ("GET", "/api/talks/{id}/cite.ris", {"t": "99999"}, 400),
    ("GET", "/api/corpus.zip", {"formats": "json,docx"}, 400),
    ("GET", "/api/corpus.zip", {"year": "gestern"}, 400),
    ("GET", "/api/corpus.zip", {"q": "x" * 201}, 400),
    ("GET", "/api/no/such/route", {}, 404),
    ("POST", "/api/talks", {}, 401),
    ("PATCH", "/api/talks/{id}", {}, 401),
    ("GET", "/api/events/nope", {}, 404),
    ("GET", "/api/events/nope/schedule.xml", {}, 404),
    ("POST", "/api/events/import", {}, 401),
    ("PATCH", "/api/events/nope/slots/nope", {}, 401),
    ("DELETE", "/api/talks/{id}", {}, 401),
    ("PATCH", "/api/talks/{id}/segments/0", {}, 401),
    ("GET", "/api/jobs", {}, 401),
    ("GET", "/api/jobs/nope", {}, 401),
    ("POST", "/api/jobs/nope/retry", {}, 401),
    ("DELETE", "/api/jobs/nope", {}, 401),
    ("GET", "/api/talks/{id}/speakers", {}, 401),
    ("PATCH", "/api/talks/{id}/speakers", {}, 401),
    ("PATCH", "/api/talks/{id}/cut", {}, 401),
    ("GET", "/api/recordings", {}, 401),
    ("GET", "/api/recordings/nope", {}, 401),
    ("GET", "/api/recordings/nope/media", {}, 401),
]
STAFF_BAD_REQUESTS = [
    ("GET", "/api/jobs/nope", {}, None, 404),
    ("POST", "/api/jobs/nope/retry", {}, None, 404),
    ("DELETE", "/api/jobs/nope", {}, None, 404),
    ("PATCH", "/api/talks/{id}", {}, {"colour": "blue"}, 400),
    ("PATCH", "/api/talks/{id}", {}, {"date": "gestern"}, 400),
    ("PATCH", "/api/talks/nope", {}, {"title": "x"}, 404),
    ("PATCH", "/api/talks/{id}/segments/9999", {}, {"text": "x"}, 404),
    ("PATCH", "/api/talks/{id}/segments/0", {}, {"text": ""}, 400),
    ("DELETE", "/api/talks/nope", {}, None, 404),
    ("POST", "/api/talks", {}, None, 415),
    ("GET", "/api/talks/nope/speakers", {}, None, 404),
    ("PATCH", "/api/talks/{id}/speakers", {}, {"SPEAKER_99": "Niemand"}, 404),  # no such voice
    ("PATCH", "/api/talks/{id}/speakers", {}, {}, 400),
    ("PATCH", "/api/talks/{id}/speakers", {}, {"SPEAKER_1": ["a", "list"]}, 400),
    ("PUT", "/api/talks/{id}/chapters", {}, {"chapters": [{"start": "bald", "title": "x"}]}, 400),
    ("PUT", "/api/talks/{id}/chapters", {}, {"chapters": [{"start": 99999, "title": "x"}]}, 422),
    ("PUT", "/api/talks/nope/chapters", {}, {"chapters": []}, 404),
    ("DELETE", "/api/talks/nope/chapters", {}, None, 404),
    ("PATCH", "/api/talks/{id}/cut", {}, {"start": 0, "end": 5}, 409),  # not cut from a day
    ("PATCH", "/api/talks/{id}/cut", {}, {"start": "bald", "end": 5}, 400),
    ("PATCH", "/api/talks/nope/cut", {}, {"start": 0, "end": 5}, 404),
    ("GET", "/api/recordings/nope", {}, None, 404),
    ("GET", "/api/recordings/nope/media", {}, None, 404),
]


def check_shape(r: httpx.Response) -> None:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert "Traceback" not in r.text


def test_every_route_answers_bad_input_in_the_error_shape(served: Served) -> None:
    talk_id = next(iter(served.talk_ids.values()))
    spec = get(served, "/openapi.json").json()
    covered = set()
    for method, path, params, status in BAD_REQUESTS:
        r = httpx.request(method, served.url + path.replace("{id}", talk_id), params=params,
                          timeout=30)
        assert r.status_code == status, (method, path, params, r.text)
        check_shape(r)
        covered.add((method, path.replace("{id}", talk_id)))
    token = served.archive.run("token", "create", "--name", "walker").stdout.split()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    for method, path, params, body, status in STAFF_BAD_REQUESTS:
        r = httpx.request(method, served.url + path.replace("{id}", talk_id), params=params,
                          json=body, headers=auth, timeout=30)
        assert r.status_code == status, (method, path, body, r.text)
        check_shape(r)
    for route, methods in spec["paths"].items():
        if route == "/api/health":
            continue
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(route))
        for method, operation in methods.items():
            if not operation.get("parameters") and "requestBody" not in operation:
                continue  # a route that takes no input (GET /api/events) cannot be given bad input
            assert any(m == method.upper() and re.fullmatch(pattern, c) for m, c in covered), (
                method, route)
    r = httpx.post(served.url + "/api/search")
    assert r.status_code == 405 and set(r.json()["error"]) == {"code", "message"}


def test_openapi_has_schemas(served: Served) -> None:
    spec = get(served, "/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in ("SearchResult", "TalkHit", "SegmentHit", "Talk", "TalkList", "ErrorResponse"):
        assert name in schemas
    assert get(served, "/docs").status_code == 200
    # staff routes declare the Bearer scheme (Swagger UI's "Authorize"); public ones do not
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            staff_only = (method != "get" or path.startswith(("/api/jobs", "/api/recordings"))
                          or path.endswith("/speakers"))
            assert bool(op.get("security")) == staff_only, (method, path)
