"""The chapter model, its place in the transcript file, and which source wins."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from archive import chapters as ch
from archive import transcript as tr
from archive.chapters.model import clean_title, merge_short

C = ch.Chapter


def transcript(**extra: object) -> tr.Transcript:
    words = [tr.Word(0.5, 1.0, "Hallo")]
    return tr.Transcript(talk_id="t1", language="de", duration=120.0,
                         segments=[tr.Segment(0.5, 1.0, "Hallo", words)],
                         provenance=tr.Provenance("faster-whisper", "base", None, "cpu", "int8", {}),
                         **extra)  # type: ignore[arg-type]


def test_a_file_without_chapters_still_loads_and_is_saved_without_them(tmp_path: Path) -> None:
    path = tmp_path / "t1.json"
    old = transcript().to_dict()
    assert "chapters" not in old and old["version"] == tr.FORMAT_VERSION == 1
    path.write_bytes(orjson.dumps(old))
    loaded = tr.load(path)
    assert loaded.chapters is None
    tr.save(loaded, path)
    assert "chapters" not in orjson.loads(path.read_bytes())


def test_chapters_round_trip_and_an_empty_list_stays_empty(tmp_path: Path) -> None:
    path = tmp_path / "t1.json"
    stored = [C(0.0, "Begrüßung", "staff"), C(42.5, "Der Bürgerbus", "staff")]
    tr.save(transcript(chapters=stored), path)
    assert tr.load(path).chapters == stored
    tr.save(transcript(chapters=[]), path)
    assert tr.load(path).chapters == []


def test_an_unknown_source_is_refused() -> None:
    with pytest.raises(ValueError, match="source"):
        C.from_dict({"start": 1, "title": "x", "source": "guess"})


def test_titles_are_one_clean_line() -> None:
    assert clean_title("  Daten\tund\n\nTaten\u200b ") == "Daten und Taten"
    long = clean_title("Wort " * 60)
    assert len(long) <= ch.MAX_TITLE and long.endswith("Wort…")


def test_ordered_and_spans() -> None:
    got = ch.ordered([C(50, "b", "staff"), C(0, "a", "staff"), C(50.2, "dup", "staff"),
                      C(130, "after the end", "staff")], duration=120)
    assert [c.title for c in got] == ["a", "b"]
    assert [end for _, end in ch.spans(got, 120)] == [50, 120]


def test_short_chapters_merge_into_a_neighbour_keeping_the_longer_title() -> None:
    got = merge_short([C(0, "Einleitung", "slides"), C(30, "kurz", "slides"),
                       C(33, "Hauptteil", "slides"), C(100, "Ende", "slides")], 105)
    assert [(c.start, c.title) for c in got] == [(0, "Einleitung"), (33, "Hauptteil")]


def test_stored_chapters_win_and_staff_chapters_survive_a_new_detection() -> None:
    slides = [tr.Slide(0, 40, "Willkommen"), tr.Slide(40, 80, "Zahlen und Fakten"),
              tr.Slide(80, 120, "Ausblick 2026")]
    derived = ch.for_talk(transcript(slides=slides))
    assert [c.source for c in derived] == ["slides"] * 3
    programme = ch.chapters_from_programme([(0, "Olpe"), (60, "Soest")], 120)
    assert ch.with_detected(None, programme) == programme
    assert ch.with_detected(programme, []) is None  # back to the slides
    staff = [C(0, "Alles", "staff")]
    assert ch.with_detected(staff, programme) == staff
    assert ch.with_detected([], programme) == []  # staff said: no chapters
    assert ch.for_talk(transcript(slides=slides, chapters=staff)) == staff
    assert ch.for_talk(transcript(slides=slides, chapters=[])) == []
