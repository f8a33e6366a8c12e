"""The chapter routes in-process: WebVTT and JSON chapters, staff edits in the one error shape."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import webvtt
from fastapi.testclient import TestClient

from archive import transcript as tr
from archive.paths import transcript_path

from .fakes import FakeSearch, add_talk, app_with

SLIDES = [tr.Slide(0.5, 40, "Willkommen in Soest\nSmart Cities"),
          tr.Slide(40, 80, "Anträge online\nHundesteuer"), tr.Slide(80, 120, "Ausblick\n2026")]


def stored(client: TestClient, talk_id: str = "t1") -> Path:
    path = transcript_path(client.app.state.settings, talk_id)  # type: ignore[attr-defined]
    words = [tr.Word(1.0, 1.5, "Willkommen")]
    tr.save(tr.Transcript(talk_id, "de", 120.0, [tr.Segment(1.0, 1.5, "Willkommen", words)],
                          tr.Provenance("faster-whisper", "base", None, "cpu", "int8", {}),
                          slides=list(SLIDES)), path)
    return path


def test_chapters_from_slides_as_webvtt_and_json(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        add_talk(catalog, tmp_path)
        stored(client)
        vtt = client.get("/api/talks/t1/chapters.vtt")
        js = client.get("/api/talks/t1/chapters.json")
        missing = client.get("/api/talks/nope/chapters.json")
    assert vtt.status_code == 200 and vtt.headers["content-type"].startswith("text/vtt")
    cues = webvtt.from_buffer(io.StringIO(vtt.text))
    assert [(c.start, c.text) for c in cues] == [("00:00:00.000", "Willkommen in Soest"),
                                                 ("00:00:40.000", "Anträge online"),
                                                 ("00:01:20.000", "Ausblick")]
    assert js.headers["content-type"].startswith("application/json+chapters")
    assert js.json() == {"version": "1.2.0", "title": "Das digitale Rathaus", "chapters": [
        {"startTime": 0, "title": "Willkommen in Soest"}, {"startTime": 40, "title": "Anträge online"},
        {"startTime": 80, "title": "Ausblick"}]}
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_staff_chapters_replace_the_detected_ones_and_can_be_handed_back(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        add_talk(catalog, tmp_path)
        path = stored(client)
        auth = {"Authorization": f"Bearer {token}"}
        body = {"chapters": [{"start": "1:05", "title": "  Hundesteuer\nonline "},
                             {"start": 0, "title": "Begrüßung"}]}
        assert client.put("/api/talks/t1/chapters", json=body).status_code == 401
        put = client.put("/api/talks/t1/chapters", json=body, headers=auth)
        assert put.status_code == 200, put.text
        assert put.json() == {"by_staff": True, "chapters": [
            {"start": 0, "end": 65, "title": "Begrüßung", "source": "staff"},
            {"start": 65, "end": 120, "title": "Hundesteuer online", "source": "staff"}]}
        assert [c.source for c in tr.load(path).chapters or []] == ["staff", "staff"]
        shown = client.get("/api/talks/t1/chapters.json").json()["chapters"]
        assert [c["title"] for c in shown] == ["Begrüßung", "Hundesteuer online"]
        none = client.put("/api/talks/t1/chapters", json={"chapters": []}, headers=auth)
        assert none.json() == {"chapters": [], "by_staff": True}
        back = client.delete("/api/talks/t1/chapters", headers=auth)
        assert back.status_code == 200 and not back.json()["by_staff"]
        assert [c["source"] for c in back.json()["chapters"]] == ["slides"] * 3
        assert tr.load(path).chapters is None


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"chapters": [{"start": 500, "title": "nach dem Ende"}]}, 422, "after the end"),
    ({"chapters": [{"start": 5, "title": "   "}]}, 400, "title"),
    ({"chapters": [{"start": 5, "title": "\u200b"}]}, 422, "no title"),
    ({"chapters": [{"start": 5, "title": "a"}, {"start": 5.4, "title": "b"}]}, 422, "two chapters"),
    ({"chapters": [{"start": "bald", "title": "a"}]}, 400, "start"),
    ({"chapters": [{"start": "5", "title": "a"}]}, 400, "start"),
    ({"chapters": [{"start": True, "title": "a"}]}, 400, "start"),
    ({"chapters": [{"start": "1:75", "title": "a"}]}, 422, "not a time"),
    ({"chapters": [{"start": -1, "title": "a"}]}, 400, "start"),
    ({"chapters": [{"start": 1, "title": "x" * 121}]}, 400, "title"),
    ({"chapters": [{"start": 1}]}, 400, "title"),
    ({"kapitel": []}, 400, "chapters"),
])
def test_bad_chapters_are_refused_in_the_error_shape(tmp_path: Path, body: dict, status: int,  # type: ignore[type-arg]
                                                      words: str) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        add_talk(catalog, tmp_path)
        path = stored(client)
        before = path.read_bytes()
        r = client.put("/api/talks/t1/chapters", json=body, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == status, r.text
        assert set(r.json()) == {"error"} and words in r.json()["error"]["message"]
        assert path.read_bytes() == before
        gone = client.put("/api/talks/nope/chapters", json={"chapters": []},
                          headers={"Authorization": f"Bearer {token}"})
        assert gone.status_code == 404


def test_the_video_download_of_a_missing_or_audio_talk_is_a_404(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        add_talk(catalog, tmp_path)
        stored(client)
        with catalog.session() as s:
            from archive import catalog as cat

            cat.find_talk(s, "t1").has_video = False
        audio = client.get("/api/talks/t1/video.mp4")
        nope = client.get("/api/talks/nope/video.mp4")
    assert audio.status_code == 404 and "audio only" in audio.json()["error"]["message"]
    assert nope.status_code == 404
