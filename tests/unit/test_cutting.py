"""The cutter on made-up days: talks of known words at known times, a programme that runs late,
a slot that never happened, a talk that runs into the next without a pause."""

from __future__ import annotations

import itertools

from archive.transcript import Segment, Slide, Word
from ingest import cutting
from ingest.cutting import Placed, PlannedSlot

VOCAB = {
    "mobil": "Radweg Bushaltestelle Fahrplan Carsharing Pendler Ladesäule Verkehr Parkplatz",
    "daten": "Datenplattform Sensoren Messwerte Schnittstelle Dashboard Datenschutz Server",
    "bürger": "Bürgerbüro Antrag Termin Formular Verwaltung Bürgerkonto Postfach Ausweis",
    "energie": "Solaranlage Wärmepumpe Stromnetz Speicher Windrad Dachfläche Heizung Netz",
    "schule": "Tablet Klassenzimmer Lehrkräfte Medienkonzept WLAN Whiteboard Unterricht",
}


def talk(topic: str, start: float, seconds: float, speaker: str) -> list[Segment]:
    """Sentences of 8 words at 2.5 words a second with 0.8 s between them."""
    words = itertools.cycle(VOCAB[topic].split())
    out, t = [], start
    while t < start + seconds - 3.2:
        said = [Word(round(t + i * 0.4, 3), round(t + i * 0.4 + 0.35, 3), f" {next(words)}")
                for i in range(8)]
        out.append(Segment(said[0].start, said[-1].end, "".join(w.word for w in said).strip(),
                           said, speaker))
        t = said[-1].end + 0.8
    return out


def slot(guid: str, topic: str, minute: float, minutes: float) -> PlannedSlot:
    return PlannedSlot(guid, f"Vortrag {topic}", minute * 60, minutes * 60,
                       f"Vortrag {topic}. {VOCAB[topic]}")


def first_last(segments: list[Segment]) -> tuple[float, float]:
    return segments[0].words[0].start, segments[-1].words[-1].end


def keeps(placement: cutting.Placement, segments: list[Segment]) -> bool:
    first, last = first_last(segments)
    assert placement.start is not None and placement.end is not None
    return first - 10 <= placement.start <= first and last <= placement.end <= last + 10


def test_a_late_programme_is_cut_along_its_pauses() -> None:
    topics = ["mobil", "daten", "bürger", "energie"]
    slots = [slot(f"g{i}", t, 1 + 10 * i, 10) for i, t in enumerate(topics)]
    talks = [talk(t, 60 + 600 * i + 40 * (i + 1), 480, f"S{i}") for i, t in enumerate(topics)]
    placed = cutting.place([s for t in talks for s in t], [], slots, 2700)
    assert [p.status for p in placed] == [Placed.CUT] * 4
    assert all(keeps(p, t) for p, t in zip(placed, talks, strict=True))


def test_a_slot_that_never_happened_is_missing_and_the_next_slides_in() -> None:
    topics = ["mobil", "daten", "bürger", "energie", "schule"]
    slots = [slot(f"g{i}", t, 1 + 10 * i, 10) for i, t in enumerate(topics)]
    starts = [90, 700, None, 1300, 1960]  # "bürger" never happened; "energie" took its time
    talks = {i: talk(topics[i], s, 470, f"S{i}") for i, s in enumerate(starts) if s is not None}
    placed = cutting.place([s for t in talks.values() for s in t], [], slots, 2600)
    assert placed[2].status == Placed.MISSING
    for i, segments in talks.items():
        assert placed[i].status == Placed.CUT, placed[i]
        assert keeps(placed[i], segments)


def test_a_title_slide_marks_the_start_and_opens_the_cut() -> None:
    slots = [slot("a", "mobil", 1, 5), slot("b", "daten", 6, 5)]
    first = talk("mobil", 70, 200, "S1")
    second = talk("daten", first[-1].end + 3.0, 200, "S1")  # same voice, a short pause
    shown = Slide(second[0].start - 2.5, second[0].start + 20, "Vortrag daten\nStadt Olpe")
    placed = cutting.place(first + second, [shown], slots, 900)
    assert placed[1].status == Placed.CUT and "Titelfolie" in placed[1].reasons
    assert placed[1].start == shown.start


def test_talks_without_a_pause_between_them_wait_for_review() -> None:
    slots = [slot("a", "mobil", 1, 5), slot("b", "daten", 6, 5)]
    first = talk("mobil", 60, 300, "S1")
    second = talk("daten", first[-1].end + 0.8, 300, "S1")
    placed = cutting.place(first + second, [], slots, 900)
    assert Placed.NEEDS_REVIEW in {p.status for p in placed}


def test_no_cut_falls_inside_a_word() -> None:
    topics = ["mobil", "daten", "bürger"]
    slots = [slot(f"g{i}", t, 1 + 6 * i, 6) for i, t in enumerate(topics)]
    talks = [talk(t, 75 + 370 * i, 300, f"S{i}") for i, t in enumerate(topics)]
    words = [w for t in talks for s in t for w in s.words]
    for p in cutting.place([s for t in talks for s in t], [], slots, 1300):
        assert p.start is not None and p.end is not None
        assert not any(w.start < point < w.end for w in words for point in (p.start, p.end))


def test_a_recording_without_speech_leaves_every_slot_missing() -> None:
    placed = cutting.place([], [], [slot("a", "mobil", 1, 5)], 600)
    assert [p.status for p in placed] == [Placed.MISSING]
