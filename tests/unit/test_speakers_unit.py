"""Speakers without a model: sentences cut where the speaker changes, every format naming the
speaker, names for voices remembered and suggested across talks, and what a delete removes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import srt
import webvtt

from archive import catalog as cat
from archive import edits, formats, speakers
from archive import transcript as tr
from archive.errors import InputError, NotFound
from archive.paths import transcript_path
from archive.settings import Settings
from ingest.diarize import Turn, assign_speakers, speaker_at

from .test_transcript_formats import words

NAMES = {"speaker_names": {"SPEAKER_1": "Anna Becker"}}


def panel() -> tr.Transcript:
    """Two sentences; the second voice starts in the middle of the first."""
    ws = words("Guten Morgen aus Soest und willkommen. Danke für die Einladung.", 0.0, 0.5)
    turns = [Turn(0.0, 1.9, "SPEAKER_1"), Turn(2.0, 2.9, "SPEAKER_2"), Turn(3.0, 6.0, "SPEAKER_1")]
    segments = assign_speakers(tr.split_sentences(ws), turns)
    return tr.Transcript("t1", "de", 6.0, segments,
                         tr.Provenance("e", "m", None, "cpu", "int8", {}),
                         voices={"SPEAKER_1": tr.Voice([1.0, 0.0, 0.2], 4.0),
                                 "SPEAKER_2": tr.Voice([0.0, 1.0, 0.1], 1.5)})


def test_sentences_are_cut_where_the_speaker_changes() -> None:
    t = panel()
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("SPEAKER_1", "Guten Morgen aus Soest"),
        ("SPEAKER_2", "und willkommen."),
        ("SPEAKER_1", "Danke für die Einladung."),
    ]
    all_words = [w for s in t.segments for w in s.words]
    assert [w.start for w in all_words] == [i * 0.5 for i in range(len(all_words))]  # times kept
    assert assign_speakers(t.segments, []) == t.segments  # no turns: unchanged


def test_a_word_in_a_pause_belongs_to_the_nearest_turn() -> None:
    turns = [Turn(0.0, 1.0, "SPEAKER_1"), Turn(5.0, 6.0, "SPEAKER_2")]
    assert speaker_at(turns, 1.2, 1.5) == "SPEAKER_1"
    assert speaker_at(turns, 4.2, 4.5) == "SPEAKER_2"
    assert speaker_at(turns, 2.6, 2.8) is None  # far from both


def test_every_format_names_the_speaker() -> None:
    t = panel()
    vtt = formats.to_vtt(t, NAMES)
    cues = list(webvtt.from_buffer(io.StringIO(vtt)))
    assert [c.voice for c in cues] == ["Anna Becker", "SPEAKER_2", "Anna Becker"]
    assert [c.text for c in cues][1] == "und willkommen."
    subs = list(srt.parse(formats.to_srt(t, NAMES)))
    assert [s.content for s in subs] == ["Anna Becker: Guten Morgen aus Soest",
                                         "SPEAKER_2: und willkommen.",
                                         "Anna Becker: Danke für die Einladung."]
    assert formats.to_txt(t, NAMES).split("\n\n")[1] == "SPEAKER_2: und willkommen."
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(t, NAMES))))
    assert [r["speaker"] for r in rows] == ["Anna Becker", "SPEAKER_2", "Anna Becker"]
    doc = json.loads(formats.to_json(t, {"id": "t1", **NAMES}))
    assert [s["speaker"] for s in doc["segments"]] == ["Anna Becker", "SPEAKER_2", "Anna Becker"]
    assert "voices" not in doc and "centroid" not in json.dumps(doc)  # no voice prints exported
    back = formats.from_json_export(json.dumps(doc))
    assert [s.speaker for s in back.segments] == ["SPEAKER_1", "SPEAKER_2", "SPEAKER_1"]


def add_talk(settings: Settings, catalog: cat.Catalog, talk_id: str, transcript: tr.Transcript) -> None:
    transcript.talk_id = talk_id
    tr.save(transcript, transcript_path(settings, talk_id))
    with catalog.session() as s:
        s.add(cat.Talk(id=talk_id, content_hash=talk_id * 16, title=talk_id, speakers=["Anna Becker"],
                       language="de", duration=6.0, status="ready", published=True,
                       original_name="x.mp4", original_path="/x", media_path="/x", has_video=False,
                       segment_count=len(transcript.segments)))


def test_named_voices_are_remembered_suggested_and_forgotten(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    catalog = cat.Catalog(settings)
    try:
        add_talk(settings, catalog, "t1", panel())
        add_talk(settings, catalog, "t2", panel())
        before = {s.label: s for s in speakers.speakers_of(settings, catalog, catalog.get("t2"))}  # type: ignore[arg-type]
        assert before["SPEAKER_1"].suggestion is None  # nobody is remembered yet
        talk = speakers.set_names(settings, catalog, "t1", {"SPEAKER_1": " Anna  Becker "})
        assert talk.speaker_names == {"SPEAKER_1": "Anna Becker"}
        assert talk.all_speakers() == ["Anna Becker"]
        after = {s.label: s for s in speakers.speakers_of(settings, catalog, catalog.get("t2"))}  # type: ignore[arg-type]
        assert after["SPEAKER_1"].suggestion == {"name": "Anna Becker", "score": 1.0}
        assert after["SPEAKER_2"].suggestion is None  # another voice
        with pytest.raises(NotFound, match="SPEAKER_9"):  # no such voice in this talk
            speakers.set_names(settings, catalog, "t1", {"SPEAKER_9": "Niemand"})
        with pytest.raises(InputError):
            speakers.set_names(settings, catalog, "t1", {"SPEAKER_2": "x" * 201})
        edits.delete(settings, catalog, "t1")  # GDPR: the voice sample goes with the talk
        gone = {s.label: s for s in speakers.speakers_of(settings, catalog, catalog.get("t2"))}  # type: ignore[arg-type]
        assert gone["SPEAKER_1"].suggestion is None
    finally:
        catalog.dispose()


def test_names_follow_their_voices_to_new_labels(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    catalog = cat.Catalog(settings)
    try:
        add_talk(settings, catalog, "t1", panel())
        speakers.set_names(settings, catalog, "t1", {"SPEAKER_1": "Anna Becker"})
        old = panel().voices
        new = {"SPEAKER_1": old["SPEAKER_2"], "SPEAKER_2": old["SPEAKER_1"]}  # order swapped
        assert speakers.carry_names(catalog, "t1", old, new) == {"SPEAKER_2": "Anna Becker"}
        assert catalog.get("t1").speaker_names == {"SPEAKER_2": "Anna Becker"}  # type: ignore[union-attr]
    finally:
        catalog.dispose()


def test_names_with_control_characters_and_foreign_csrf_tokens_are_4xx(tmp_path: Path) -> None:
    from archive import tokens
    from archive.errors import Forbidden

    settings = Settings(data_dir=tmp_path)
    catalog = cat.Catalog(settings)
    try:
        add_talk(settings, catalog, "t1", panel())
        with pytest.raises(InputError, match="control"):
            speakers.set_names(settings, catalog, "t1", {"SPEAKER_1": "Anna\x00Becker"})
        with pytest.raises(NotFound) as caught:
            speakers.set_names(settings, catalog, "t1", {"S" * 10_000: "x"})
        assert len(caught.value.message) < 200
    finally:
        catalog.dispose()
    with pytest.raises(Forbidden):
        tokens.check_csrf(tokens.Staff(1, "x", "abc"), "äöü")


def test_export_etag_follows_names_for_voices(tmp_path: Path) -> None:
    from .fakes import FakeSearch, app_with

    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        settings = Settings(data_dir=tmp_path)
        add_talk(settings, catalog, "t1", panel())
        first = client.get("/api/talks/t1/transcript.vtt")
        assert first.status_code == 200 and "<v SPEAKER_1>" in first.text
        etag = first.headers["etag"]
        assert client.get("/api/talks/t1/transcript.vtt",
                          headers={"If-None-Match": etag}).status_code == 304
        r = client.patch("/api/talks/t1/speakers", json={"SPEAKER_1": "Anna Becker"},
                         headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        again = client.get("/api/talks/t1/transcript.vtt", headers={"If-None-Match": etag})
        assert again.status_code == 200 and "<v Anna Becker>" in again.text


def test_pages_show_unnamed_voices_as_readers_read_them(tmp_path: Path) -> None:
    from api.i18n import TEXTS, voice

    from .fakes import FakeSearch, app_with

    assert voice("SPEAKER_2", TEXTS["de"]) == "Stimme 2" and voice("SPEAKER_2", TEXTS["en"]) == "Voice 2"
    assert voice("Anna Becker", TEXTS["de"]) == "Anna Becker"
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        settings = Settings(data_dir=tmp_path)
        add_talk(settings, catalog, "t1", panel())
        speakers.set_names(settings, catalog, "t1", {"SPEAKER_1": "Anna Becker"})
        page = client.get("/talks/t1").text
    assert page.count('<div class="who">Anna Becker</div>') == 2
    assert '<div class="who">Stimme 2</div>' in page and "SPEAKER_2" not in page
