"""The transcript model and its renderings (no server, no model)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import srt
import webvtt

from archive import formats
from archive.transcript import Provenance, Segment, Transcript, Voice, Word, load, save, split_sentences


def words(text: str, start: float = 0.0, step: float = 0.4) -> list[Word]:
    out = []
    for i, w in enumerate(text.split()):
        out.append(Word(round(start + i * step, 3), round(start + i * step + 0.3, 3), " " + w, 0.9))
    return out


def sample() -> Transcript:
    ws = words("Die Straße ist gesperrt. Wir fahren --> um <b>Soest</b> & Olpe herum!", 1.0)
    return Transcript(
        talk_id="abc", language="de", duration=12.0, segments=split_sentences(ws),
        provenance=Provenance("faster-whisper", "base", "d01c", "cpu", "int8", {"beam_size": 5}),
    )


def test_split_sentences_by_punctuation_pause_and_length() -> None:
    ws = words("Eins zwei drei. Vier fünf") + words("sechs sieben", start=10)
    segs = split_sentences(ws)
    assert [s.text for s in segs] == ["Eins zwei drei.", "Vier fünf", "sechs sieben"]
    assert segs[0].start == 0.0 and segs[0].end == ws[2].end
    long = split_sentences(words(" ".join(["wort"] * 100), step=0.1), max_words=40)
    assert [len(s.words) for s in long] == [40, 40, 20]
    for seg in segs + long:
        assert seg.text.split() == [w.word.strip() for w in seg.words]


def test_json_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    t = sample()
    save(t, tmp_path / "t.json")
    assert load(tmp_path / "t.json") == t
    exported = formats.render(t, {"id": "abc", "title": "Ärger über Straßen"}, "json")
    doc = json.loads(exported)
    assert {"start", "end", "word"} <= set(doc["segments"][0]["words"][0])
    back = formats.from_json_export(exported)
    assert [s.text for s in back.segments] == [s.text for s in t.segments]
    assert [s.start for s in back.segments] == [s.start for s in t.segments]


def test_srt_vtt_csv_parse_with_standard_parsers() -> None:
    t = sample()
    subs = list(srt.parse(formats.to_srt(t, {})))
    assert len(subs) == len(t.segments)
    for sub, seg in zip(subs, t.segments, strict=True):
        assert sub.start.total_seconds() == seg.start and sub.end.total_seconds() == seg.end
    vtt = formats.to_vtt(t, {})
    cues = list(webvtt.from_buffer(io.StringIO(vtt)))
    assert len(cues) == len(t.segments)
    assert "&amp;" in vtt and "<b>" not in vtt
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(t, {}))))
    assert [float(r["start"]) for r in rows] == [s.start for s in t.segments]
    assert formats.to_txt(t, {}).splitlines() == [s.text for s in t.segments]


def test_clock_rounds_and_pads() -> None:
    t = Transcript("x", "de", 4000, [Segment(3725.5, 3726.25, "a")],
                   Provenance("e", "m", None, "cpu", "int8", {}))
    assert "01:02:05,500 --> 01:02:06,250" in formats.to_srt(t, {})
    assert "01:02:05.500 --> 01:02:06.250" in formats.to_vtt(t, {})


def test_numpy_numbers_are_written_as_plain_numbers(tmp_path: Path) -> None:
    import numpy as np

    seg = Segment(np.float64(0.5), np.float32(1.25), "Hallo.", [Word(np.float64(0.5), 1.25, " Hallo.")])
    t = Transcript("x", "de", np.float64(2.0), [seg], Provenance("e", "m", None, "cpu", "int8", {}),
                   voices={"SPEAKER_1": Voice([np.float64(0.1)], np.float64(1.5))})
    save(t, tmp_path / "t.json")
    back = load(tmp_path / "t.json")
    assert back.segments[0].start == 0.5 and back.voices["SPEAKER_1"].seconds == 1.5
    assert json.loads(formats.to_json(t, {}))["segments"][0]["end"] == 1.25
