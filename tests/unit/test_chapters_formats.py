"""Chapters in WebVTT (read back by webvtt-py), Podcasting 2.0 JSON, FFMETADATA, schema.org
Clips and YouTube's description text."""

from __future__ import annotations

import io
import json

import webvtt

from archive import chapters as ch
from archive.chapters import formats, youtube

C = ch.Chapter
CHAPTERS = [C(0, "Begrüßung", "slides"), C(65.5, "Der Bürgerbus <neu> & mehr", "slides"),
            C(3700, "Fragen --> Antworten", "staff")]


def test_webvtt_chapters_read_by_webvtt_py() -> None:
    text = formats.to_vtt(CHAPTERS, 3725.0)
    cues = webvtt.from_buffer(io.StringIO(text))
    assert [(c.start, c.end) for c in cues] == [
        ("00:00:00.000", "00:01:05.500"), ("00:01:05.500", "01:01:40.000"),
        ("01:01:40.000", "01:02:05.000")]
    assert [c.text for c in cues] == ["Begrüßung", "Der Bürgerbus &lt;neu&gt; &amp; mehr",
                                      "Fragen --&gt; Antworten"]
    assert formats.to_vtt([], 10).startswith("WEBVTT")


def test_podcasting_json_chapters() -> None:
    doc = json.loads(formats.podcast_json(CHAPTERS, "Mobilität"))
    assert doc == {"version": "1.2.0", "title": "Mobilität", "chapters": [
        {"startTime": 0, "title": "Begrüßung"},
        {"startTime": 65.5, "title": "Der Bürgerbus <neu> & mehr"},
        {"startTime": 3700, "title": "Fragen --> Antworten"}]}


def test_ffmetadata_in_milliseconds_with_special_characters_escaped() -> None:
    text = formats.to_ffmetadata([C(0, "a=b; #c \\ d", "staff"), C(1.5, "zwei", "staff")], 3.0,
                                 "Titel", "Anna Becker, Paul Hoffmann")
    assert text.splitlines() == [
        ";FFMETADATA1", "title=Titel", "artist=Anna Becker, Paul Hoffmann",
        "[CHAPTER]", "TIMEBASE=1/1000", "START=0", "END=1500", "title=a\\=b\\; \\#c \\\\ d",
        "[CHAPTER]", "TIMEBASE=1/1000", "START=1500", "END=3000", "title=zwei"]


def test_clips_for_key_moments() -> None:
    got = formats.clips(CHAPTERS[:2], 100.4, "https://archiv.example/talks/t1")
    assert got == [
        {"@type": "Clip", "name": "Begrüßung", "startOffset": 0, "endOffset": 65,
         "url": "https://archiv.example/talks/t1?t=0"},
        {"@type": "Clip", "name": "Der Bürgerbus <neu> & mehr", "startOffset": 65,
         "endOffset": 100, "url": "https://archiv.example/talks/t1?t=65"}]


def rules_hold(text: str, duration: float) -> None:
    starts = []
    for line in text.splitlines():
        stamp, title = line.split(" ", 1)
        parts = [int(p) for p in stamp.split(":")]
        starts.append(sum(p * 60 ** k for k, p in enumerate(reversed(parts))))
        assert title.strip()
    assert starts[0] == 0 and len(starts) >= 3
    assert all(b - a >= 10 for a, b in zip(starts, [*starts[1:], duration], strict=True))


def test_youtube_text_as_is() -> None:
    got = youtube.youtube_text(CHAPTERS, 3725)
    assert got.text == "0:00 Begrüßung\n1:05 Der Bürgerbus <neu> & mehr\n1:01:40 Fragen --> Antworten"
    assert not got.fixed and got.reason is None
    rules_hold(got.text, 3725)


def test_youtube_text_fixed_up_first_at_zero_and_short_ones_merged() -> None:
    chapters = [C(4, "Begrüßung", "slides"), C(30, "Kurz", "slides"), C(35, "Daten", "slides"),
                C(90, "Ausblick", "slides"), C(140, "Dank", "slides")]
    got = youtube.youtube_text(chapters, 145)
    assert got.fixed and got.text == "0:00 Begrüßung\n0:35 Daten\n1:30 Ausblick"
    rules_hold(got.text, 145)


def test_no_youtube_text_where_too_few_are_left() -> None:
    assert youtube.youtube_text([C(0, "a", "staff"), C(5, "b", "staff"), C(50, "c", "staff")],
                                55).reason == "too_few"
    assert youtube.youtube_text([], 55).reason == "none"
    assert youtube.stamp(3723.9) == "1:02:03" and youtube.stamp(59) == "0:59"
