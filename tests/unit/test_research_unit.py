"""Researchers without a model: citations (CSL-JSON, BibTeX, RIS) checked by tools nobody here
wrote, the streamed corpus, licences, and CSV cells a spreadsheet will not run."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import bibtexparser
import pytest

from archive import catalog as cat
from archive import citations, corpus_files, formats
from archive import transcript as tr
from archive.paths import transcript_path
from archive.settings import Settings

from .fakes import FakeSearch, add_talk, app_with

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "schemas"


def save_transcript(settings: Settings, talk_id: str, texts: list[str]) -> tr.Transcript:
    segments = []
    for i, text in enumerate(texts):
        words = [tr.Word(i * 3 + k * 0.4, i * 3 + k * 0.4 + 0.3, " " + w)
                 for k, w in enumerate(text.split())]
        segments.append(tr.Segment(words[0].start, words[-1].end, text, words,
                                   "SPEAKER_1" if i % 2 == 0 else "SPEAKER_2"))
    transcript = tr.Transcript(talk_id, "de", 12.0, segments,
                               tr.Provenance("faster-whisper", "base", None, "cpu", "int8", {}))
    path = transcript_path(settings, talk_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tr.save(transcript, path)
    return transcript


def csl_validator():  # type: ignore[no-untyped-def]
    if not (SCHEMAS / "csl-data.json").is_file():
        pytest.skip(f"{SCHEMAS} is absent (not in a user's clone): schema check skipped")
    import jsonschema

    return jsonschema.Draft7Validator(json.loads((SCHEMAS / "csl-data.json").read_text()))


TALK = {"id": "abc123", "title": "Das digitale Rathaus in Soest", "event": "Smart Cities 2025",
        "date": "2025-09-18", "year": 2025, "town": "Soest", "language": "de", "duration": 754.0,
        "speakers": ["Jonas Weber", "Ursula von der Leyen"], "speaker_names": {"SPEAKER_2": "Anna"},
        "description": "Über Bürgerdienste.", "has_video": True,
        "licence": {"id": "CC-BY-4.0", "name": "CC BY 4.0",
                    "url": "https://creativecommons.org/licenses/by/4.0/"}}
TODAY = dt.date(2026, 11, 26)


def test_csl_json_is_a_valid_speech_with_the_moment() -> None:
    item = citations.csl_json(TALK, "https://a.example/talks/abc123", 83, TODAY)
    assert item["type"] == "speech" and item["URL"] == "https://a.example/talks/abc123?t=83"
    assert item["author"][:2] == [{"family": "Weber", "given": "Jonas"},
                                  {"family": "von der Leyen", "given": "Ursula"}]
    assert item["author"][2] == {"literal": "Anna"}
    assert item["issued"] == {"date-parts": [[2025, 9, 18]]}
    assert item["event"] == "Smart Cities 2025" and item["event-place"] == "Soest"
    csl_validator().validate([item])
    bare = citations.csl_json({**TALK, "date": None, "year": None, "event": None, "town": None,
                               "speakers": [], "speaker_names": {}}, "https://a/x", None, TODAY)
    csl_validator().validate([bare])


def test_bibtex_and_ris_read_back() -> None:
    text = citations.bibtex({**TALK, "title": "50 % mehr {Daten} & Co_"}, "https://a/talks/abc123",
                            83, TODAY)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    entry = library.entries[0]
    assert entry.entry_type == "misc"
    assert entry["url"] == "https://a/talks/abc123?t=83"
    assert "Jonas Weber" in entry["author"] and entry["year"] == "2025"
    ris = citations.ris(TALK, "https://a/talks/abc123", 83, TODAY).splitlines()
    assert ris[0] == "TY  - VIDEO" and ris[-1] == "ER  - "
    assert "AU  - Jonas Weber" in ris and "UR  - https://a/talks/abc123?t=83" in ris
    german = citations.german_text(TALK, "https://a/talks/abc123", 83, TODAY)
    assert german.startswith("Weber, Jonas; von der Leyen, Ursula; Anna (2025): Das digitale "
                             "Rathaus in Soest. Vortrag, Smart Cities 2025, Soest, 18.09.2025.")
    assert "Ab 01:23." in german and "(abgerufen am 26.11.2026)" in german


def test_cite_routes(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        add_talk(catalog, tmp_path, "t1")
        add_talk(catalog, tmp_path, "t2", published=False)
        r = client.get("/api/talks/t1/cite.csl.json?t=5")
        assert r.status_code == 200 and r.headers["content-type"].startswith(
            "application/vnd.citationstyles.csl+json")
        csl_validator().validate(r.json())
        assert r.json()[0]["URL"] == "http://testserver/talks/t1?t=5"
        assert bibtexparser.parse_string(client.get("/api/talks/t1/cite.bib").text).entries
        assert client.get("/api/talks/t1/cite.ris").text.startswith("TY  - VIDEO")
        for bad, status in (("/api/talks/t1/cite.doc", 404), ("/api/talks/t2/cite.bib", 404),
                            ("/api/talks/t1/cite.bib?t=13", 400), ("/api/talks/t1/cite.bib?t=-1", 400)):
            answer = client.get(bad)
            assert answer.status_code == status, bad
            assert set(answer.json()["error"]) >= {"code", "message"}, bad


def test_licence_default_patch_and_validation(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        add_talk(catalog, tmp_path, "t1")
        assert client.get("/api/talks/t1").json()["licence"]["id"] == "CC-BY-4.0"
        auth = {"Authorization": f"Bearer {token}"}
        r = client.patch("/api/talks/t1", json={"licence": "CC-BY-SA-4.0"}, headers=auth)
        assert r.status_code == 200, r.text
        assert r.json()["licence"] == {"id": "CC-BY-SA-4.0", "name": "CC BY-SA 4.0",
                                       "url": "https://creativecommons.org/licenses/by-sa/4.0/"}
        for bad in ("MIT", None, ""):
            answer = client.patch("/api/talks/t1", json={"licence": bad}, headers=auth)
            assert answer.status_code == 400, (bad, answer.text)
        save_transcript(client.app.state.settings, "t1", ["Guten Morgen."])  # type: ignore[attr-defined]
        page = client.get("/talks/t1").text
        assert 'rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0' in page
        assert "Diesen Moment zitieren" in page and "/api/talks/t1/transcript.tei" in page
    with pytest.raises(ValueError):
        Settings(default_licence="MIT")


def test_csv_cells_cannot_be_formulas() -> None:
    assert formats.csv_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [formats.csv_cell(v) for v in ("+1", "-2", "@a", "\tb", "Soest", 3)] == [
        "'+1", "'-2", "'@a", "'\tb", "Soest", 3]
    seg = tr.Segment(0, 1, "=1+1", [], "SPEAKER_1")
    t = tr.Transcript("x", "de", 1, [seg], tr.Provenance("e", "m", None, "cpu", "int8", {}))
    row = list(csv.reader(io.StringIO(formats.to_csv(t, {"speaker_names": {"SPEAKER_1": "@Anna"}}))))[1]
    assert row[2:] == ["'@Anna", "'=1+1"]


def hits(*ids: str) -> list[dict[str, object]]:
    return [{"hits": [{"talk_id": i} for i in ids], "totalHits": len(ids)}]


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "workers"])
def test_corpus_holds_exactly_the_published_matches(tmp_path: Path, workers: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    if workers:  # the render workers a large corpus gets, for these two talks
        monkeypatch.setattr(corpus_files, "IN_PROCESS_BELOW", 0)
    with app_with(tmp_path, FakeSearch([hits("t1", "t2", "t3", "gone")])) as (client, catalog, _):
        settings = client.app.state.settings  # type: ignore[attr-defined]
        for talk_id, published in (("t1", True), ("t2", True), ("t3", False), ("t4", True)):
            add_talk(catalog, tmp_path, talk_id, published=published)
            save_transcript(settings, talk_id, ["Guten Morgen aus Soest.", "=Danke schön.",
                                                "Und tschüss."])
        with catalog.session() as s:
            s.get(cat.Talk, "t2").licence = "CC0-1.0"
        r = client.get("/api/corpus.zip?q=soest&formats=json,vtt")
        assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
        zf = zipfile.ZipFile(io.BytesIO(r.content))
        assert zf.testzip() is None
        names = set(zf.namelist())
        assert {"t1/t1.json", "t1/t1.vtt", "t2/t2.json", "t2/t2.vtt"} <= names
        assert not any(n.startswith(("t3/", "t4/")) for n in names)  # unpublished; not matched
        lines = zf.read("segments.jsonl").decode().splitlines()
        assert len(lines) == 6 and {json.loads(x)["talk_id"] for x in lines} == {"t1", "t2"}
        first = json.loads(lines[0])
        assert first["speaker"] == "SPEAKER_1" and first["words"][0]["word"] == "Guten"
        rows = list(csv.DictReader(io.StringIO(zf.read("talks.csv").decode())))
        assert [(r["id"], r["licence"]) for r in rows] == [("t1", "CC-BY-4.0"), ("t2", "CC0-1.0")]
        readme = zf.read("README.md").decode()
        assert "2 Vorträge" in readme and "CC0-1.0" in readme and "Suche „soest“" in readme
        assert len(json.loads(zf.read("citations.json"))) == 2
        assert json.loads(zf.read("t1/t1.json"))["talk"]["licence"]["id"] == "CC-BY-4.0"
        bad = client.get("/api/corpus.zip?formats=json,docx")
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_format"


def test_review_findings_on_visibility_caching_and_load(tmp_path: Path) -> None:
    from api.routes import corpus as corpus_route
    from archive import edits

    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        settings = client.app.state.settings  # type: ignore[attr-defined]
        add_talk(catalog, tmp_path, "t1")
        add_talk(catalog, tmp_path, "t2", published=False)
        save_transcript(settings, "t2", ["Geheim."])
        auth = {"Authorization": f"Bearer {token}"}
        # a staff view of an unpublished talk is never kept by a shared cache
        for path in ("/api/talks/t2/cite.bib", "/api/talks/t2/transcript.tei"):
            r = client.get(path, headers=auth)
            assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store", path
        public = client.get("/api/talks/t1/cite.bib")
        assert public.headers["cache-control"] == "public, max-age=60"
        assert public.headers["vary"] == "Host"  # links follow the address asked
        # unpublishing tells harvesters; a talk never published leaves no tombstone when deleted
        edits.update(catalog, "t1", {"published": False})
        with catalog.session() as s:
            assert s.get(cat.DeletedTalk, "t1") is not None
        edits.delete(settings, catalog, "t2")
        with catalog.session() as s:
            assert s.get(cat.DeletedTalk, "t2") is None
        # at most MAX_BUILDS corpora at once
        for _ in range(corpus_route.MAX_BUILDS):
            corpus_route.BUILDS.acquire()
        try:
            busy = client.get("/api/corpus.zip")
            assert busy.status_code == 503 and busy.json()["error"]["code"] == "corpus_busy"
            assert busy.headers["retry-after"] == "30"
        finally:
            for _ in range(corpus_route.MAX_BUILDS):
                corpus_route.BUILDS.release()
        bad = client.patch("/api/talks/t1", json={"title": "Ende\x02"}, headers=auth)
        assert bad.status_code == 400 and "control character" in bad.json()["error"]["message"]


def test_bibtex_with_backslashes_braces_and_and() -> None:
    tricky = {**TALK, "title": "Pfad C:\\ und {Ende}\\", "speakers": ["Stadt and Land GmbH"],
              "speaker_names": {}}
    text = citations.bibtex(tricky, "https://a/t", None, TODAY) + citations.bibtex(TALK, "https://a/u", None, TODAY)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks and len(library.entries) == 2
    assert library.entries[1]["url"] == "https://a/u"
    assert library.entries[0]["author"] == "{Stadt and Land GmbH}"
