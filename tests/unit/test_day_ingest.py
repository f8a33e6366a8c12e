"""Ingesting a room's day recording, with the transcription stage standing in (its words are
given, at known times) and everything else real: ffmpeg cuts, the catalog, the programme. A
slot whose speakers opted out gets no talk and its words are not kept; a slot with nothing is
missing; a talk that runs into the next waits for review, unpublished; the same day twice
changes nothing; a day without a known start or a room without slots is refused before work."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import catalog as cat
from archive import transcript as tr
from archive.errors import InputError
from archive.paths import transcript_path
from archive.programme import cuts
from archive.programme.apply import import_programme
from archive.programme.model import Options
from archive.programme.read import read_programme
from archive.programme.tables import DayRecording, ProgrammeSlot
from archive.settings import Settings
from ingest import dayrecording, media

pytestmark = pytest.mark.usefixtures("catalog_url")
START = dt.datetime(2025, 9, 18, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
AGENDA = """Datum;Beginn;Dauer;Titel;Raum;Vortragende;Aufzeichnung;Kennung
18.09.2025;09:00;1;Radwege in Olpe;Aula;Anna Becker;;a
18.09.2025;09:01;1;Vertraulich: Haushalt;Aula;Paul Hoffmann;nein;b
18.09.2025;09:02;1;Sensoren in Soest;Aula;Lena Schulte;;c
18.09.2025;09:03;1;Ausgefallen: Rathaus;Aula;Max Muster;;d
"""
# (start, words): a sentence every 0.5 s; the talks' words say what their slots are about
SAID = [(5.0, "Radwege Olpe Fahrrad Radwege Olpe Fahrrad Radwege Olpe"),
        (70.0, "Haushalt vertraulich Zahlen Haushalt vertraulich Zahlen"),
        (130.0, "Sensoren Soest Messwerte Sensoren Soest Messwerte Sensoren")]


def words_at(start: float, text: str) -> list[tr.Segment]:
    out, t = [], start
    for _ in range(6):  # six sentences, ~30 s
        words = [tr.Word(round(t + i * 0.5, 3), round(t + i * 0.5 + 0.4, 3), f" {w}")
                 for i, w in enumerate(text.split())]
        out.append(tr.Segment(words[0].start, words[-1].end, tr.segment_text(words), words,
                              "SPEAKER_1"))
        t = words[-1].end + 1.0
    return out


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Settings, cat.Catalog, Path]]:
    settings = Settings(data_dir=tmp_path / "data", diarize=False, slides=False)
    catalog = cat.Catalog(settings)
    import_programme(catalog, read_programme(AGENDA.encode(), "agenda.csv",
                                             Options(event_slug="tag", event_title="Tag")))
    video = tmp_path / "day.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=gray:s=160x90:r=5",
                    "-f", "lavfi", "-i", "anoisesrc=c=pink:a=0.02:r=16000", "-t", "200",
                    "-c:v", "libx264", "-g", "10", "-c:a", "aac", "-shortest", str(video)],
                   check=True)

    def stand_in(settings: Settings, probe: media.Probe, work: Path, options_at: Any,
                 progress: Any) -> tuple[tr.Transcript, None]:
        segments = [s for start, text in SAID for s in words_at(start, text)]
        return tr.Transcript("", "de", probe.duration, segments,
                             tr.Provenance("stand-in", "none", None, "cpu", "int8", {})), None

    monkeypatch.setattr(dayrecording, "transcribe_day", stand_in)
    yield settings, catalog, video
    catalog.dispose()


def test_a_day_is_cut_along_its_programme(setup: tuple[Settings, cat.Catalog, Path]) -> None:
    settings, catalog, video = setup
    result = dayrecording.ingest_day(settings, catalog, video, "aula", START)
    status = {p.guid: p.status.value for p in result.placements}
    with catalog.session() as s:
        slots = {sl.title: sl for sl in s.query(ProgrammeSlot).all()}
        by_title = {t: (sl.status.value, sl.talk_id) for t, sl in slots.items()}
        talks = {t.title: t for t in s.query(cat.Talk).all()}
    assert by_title["Radwege in Olpe"][0] == "cut" and by_title["Sensoren in Soest"][0] == "cut"
    assert by_title["Vertraulich: Haushalt"] == ("not_recorded", None)
    assert by_title["Ausgefallen: Rathaus"] == ("missing", None)
    assert set(talks) == {"Radwege in Olpe", "Sensoren in Soest"} and len(status) == 4
    radwege = talks["Radwege in Olpe"]
    assert radwege.speakers == ["Anna Becker"] and radwege.event == "Tag"
    assert radwege.cut is not None and radwege.cut["start"] <= 5.0 <= 5.0 + 10
    own = tr.load(transcript_path(settings, radwege.id))
    assert own.segments[0].words[0].start == pytest.approx(5.0 - radwege.cut["start"], abs=0.01)
    day = tr.load(transcript_path(settings, cuts.day_transcript_id(result.recording)))
    assert "Haushalt" not in day.text and "Radwege" in day.text  # the opted-out words are gone
    again = dayrecording.ingest_day(settings, catalog, video, "Aula", START)
    assert not again.created and again.talks == result.talks


def test_a_day_needs_its_start_and_a_room_with_slots(setup: tuple[Settings, cat.Catalog, Path]
                                                     ) -> None:
    settings, catalog, video = setup
    with pytest.raises(InputError, match="--starts-at"):
        dayrecording.ingest_day(settings, catalog, video, "Aula")  # no creation_time in it
    with pytest.raises(InputError, match="no slot in room 'Keller'.*rooms then: Aula"):
        dayrecording.ingest_day(settings, catalog, video, "Keller", START)
    with catalog.session() as s:
        assert s.query(DayRecording).count() == 0 and s.query(cat.Talk).count() == 0
