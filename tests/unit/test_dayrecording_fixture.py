"""The day recording the cutter is scored on (``tests/dayrecording.py``): its schedule.xml fits the
XSD and imports, the slot that never happened is in it, the score is right; and, built once from
../shared/data (about 15 s of CPU, kept in test-artifacts/dayrecording for later runs and for
the cutter's own tests), the MP4 holds what the truth says: H.264 and AAC, its start as
creation_time, speech where the truth puts the words, room noise in between, readable title
slides."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xmlschema
from lxml import etree

from archive import catalog as cat
from archive.programme.apply import import_programme
from archive.programme.read import read_programme
from archive.settings import Settings

from .. import dayrecording as dr
from ..schemas import schema_file

WHY = dr.material_missing()
needs_material = pytest.mark.skipif(WHY is not None, reason=WHY or "")


def slots_of(data: bytes) -> list[etree._Element]:
    return list(etree.fromstring(data).iterfind("day/room/event"))


def test_the_schedule_fits_the_xsd_runs_in_one_room_and_lists_the_talk_that_never_happened() -> None:
    data = dr.schedule_xml()
    xmlschema.XMLSchema(str(schema_file("schedule/schedule.xml.xsd"))).validate(etree.fromstring(data))
    slots = slots_of(data)
    assert len(slots) == 7 and {s.findtext("room") for s in slots} == {"Aula"}
    assert [s.findtext("start") for s in slots] == ["09:00", "09:01", "09:02", "09:04", "09:05", "09:06",
                                                    "09:07"]
    assert {s.findtext("duration") for s in slots} == {"00:01"}
    assert [s.findtext("title") for s in slots].count(dr.NEVER_HAPPENED_TITLE) == 1
    assert etree.fromstring(data).findtext("conference/acronym") == dr.EVENT_SLUG


def test_a_long_day_repeats_the_programme_with_new_guids() -> None:
    slots = slots_of(dr.schedule_xml(hours=6))
    assert len(slots) == 36 * 7 and len({s.get("guid") for s in slots}) == len(slots)
    assert (slots[7].findtext("start"), slots[-1].findtext("start")) == ("09:10", "14:57")
    with pytest.raises(ValueError):
        dr.schedule_xml(hours=20)


@pytest.mark.usefixtures("catalog_url")
def test_the_schedule_imports_into_the_programme(tmp_path: Path) -> None:
    catalog = cat.Catalog(Settings(data_dir=tmp_path))
    try:
        diff = import_programme(catalog, read_programme(dr.schedule_xml(), "schedule.xml"))
        assert diff.applied and len(diff.added) == 7
        starts = sorted(s.start for s in diff.added)
        assert starts[0] == "2025-09-18T09:00:00+02:00" and starts[-1] == "2025-09-18T09:07:00+02:00"
        again = import_programme(catalog, read_programme(dr.schedule_xml(), "schedule.xml"))
        assert again.empty
    finally:
        catalog.dispose()


def made_up_day() -> dr.DayRecording:
    talks = [dr.TruthTalk("a", "Eins", ["A"], "Herzlich", "Fragen", 40.0, 90.0),
             dr.TruthTalk("b", "Zwei", ["B"], "Willkommen", "Gäste", 120.0, 170.0)]
    return dr.DayRecording(Path("day.mp4"), Path("schedule.xml"), dr.STARTS_AT, "Aula", dr.EVENT_SLUG,
                           talks, "never", [(0.0, 40.0), (90.0, 120.0), (170.0, 600.0)])


def test_the_score_wants_both_words_and_at_most_ten_seconds_around_them() -> None:
    day = made_up_day()
    perfect = dr.score_cuts(day, {"a": (40.0, 90.0), "b": (110.0, 180.0)})
    assert perfect.fraction_ok == 1.0 and perfect.wrongly_cut == []
    cases = {
        (40.3, 90.0): "starts 0.30 s after the first word",
        (29.9, 90.0): "starts 10.10 s before the first word",
        (35.0, 89.5): "ends 0.50 s before the last word ends",
        (35.0, 100.5): "ends 10.50 s after the last word",
    }
    for cut, why in cases.items():
        score = dr.score_cuts(day, {"a": cut, "b": (115.0, 175.0)})
        assert [t.ok for t in score.talks] == [False, True] and score.talks[0].why == why
        assert score.fraction_ok == 0.5
    missing = dr.score_cuts(day, {"b": (115.0, 175.0), "never": (90.0, 119.0)})
    assert missing.talks[0].why == "not cut" and missing.wrongly_cut == ["never"]
    assert "50% of 2 talks" in str(missing)


@pytest.fixture(scope="module")
def day() -> dr.DayRecording:
    if WHY is not None:
        pytest.skip(WHY)
    return dr.build_day(dr.DEFAULT_DEST)


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
                         capture_output=True, check=True, text=True).stdout
    info: dict[str, Any] = json.loads(out)
    return info


@needs_material
def test_the_day_is_h264_and_aac_with_its_start_as_creation_time(day: dr.DayRecording) -> None:
    info = probe(day.video)
    assert [s["codec_name"] for s in info["streams"]] == ["h264", "aac"]
    assert abs(float(info["format"]["duration"]) - day.duration) < 0.1
    assert 540 <= day.duration <= 660
    created = dt.datetime.fromisoformat(info["format"]["tags"]["creation_time"].replace("Z", "+00:00"))
    assert created == day.starts_at and day.starts_at.utcoffset() == dt.timedelta(hours=2)
    assert day.schedule.read_bytes() == dr.schedule_xml()


@needs_material
def test_the_truth_lies_inside_the_video_and_the_programme_runs_late(day: dr.DayRecording) -> None:
    assert len(day.talks) >= 6 and sum(t.title_slide for t in day.talks) >= 2
    ends = [0.0] + [x for t in day.talks for x in (t.first_word_start, t.last_word_end)] + [day.duration]
    assert ends == sorted(ends) and all(35 < t.last_word_end - t.first_word_start < 70 for t in day.talks)
    assert day.breaks == list(zip(ends[::2], ends[1::2], strict=True))
    late = [t.first_word_start - t.planned_start for t in day.talks]
    assert all(30 <= x <= 120 for x in late) and late == sorted(late)
    slots = {s.get("guid"): s.findtext("title") for s in slots_of(day.schedule.read_bytes())}
    assert slots[day.never_happened] == dr.NEVER_HAPPENED_TITLE and day.never_happened_all == [day.never_happened]
    assert all(slots[t.guid] == t.title for t in day.talks)
    applause = [(a, b) for a, b, kind, _ in day.segments if kind == "applause"]
    assert len(applause) == len(day.talks) and all(4 <= b - a <= 8 for a, b in applause)
    assert [round(b - a) for a, b, kind, _ in day.segments if kind == "music"] == [120]
    assert all(t.first_word and t.last_word for t in day.talks)


def levels(video: Path) -> np.ndarray:
    """dBFS of each 10 ms of the day's audio."""
    pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-ac", "1", "-ar", "16000", "-f", "s16le", "-"],
                         capture_output=True, check=True).stdout
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768
    frames = x[: len(x) // 160 * 160].reshape(-1, 160)
    return 20 * np.log10(np.sqrt((frames**2).mean(axis=1)) + 1e-9)


@needs_material
def test_speech_starts_and_ends_where_the_truth_says_over_room_noise(day: dr.DayRecording) -> None:
    db = levels(day.video)
    assert db.min() > -70  # room noise everywhere: never digital silence
    for t in day.talks:
        first, last = round(t.first_word_start * 100), round(t.last_word_end * 100)
        assert db[first - 60: first - 5].max() < -35 < db[first: first + 30].max(), t.title
        assert db[last + 5: last + 60].max() < -35 < db[last - 30: last].max(), t.title


@needs_material
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_a_title_slide_reads_back_as_its_title(day: dr.DayRecording, tmp_path: Path) -> None:
    talk = next(t for t in day.talks if t.title_slide)
    frame = tmp_path / "slide.png"
    subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{talk.first_word_start + 2:.1f}", "-i", str(day.video),
                    "-frames:v", "1", str(frame)], check=True)
    text = subprocess.run(["tesseract", str(frame), "-", "-l", "deu"], capture_output=True, text=True,
                          check=True).stdout
    assert talk.title in re.sub(r"\s+", " ", text)


@needs_material
def test_truth_cuts_score_perfect_and_a_second_build_comes_from_the_cache(day: dr.DayRecording) -> None:
    cuts = {t.guid: (t.first_word_start - 2, t.last_word_end + 2) for t in day.talks}
    assert dr.score_cuts(day, cuts).fraction_ok == 1.0
    cuts[day.never_happened] = (day.breaks[3][0] + 1, day.breaks[3][1] - 1)
    late = dict(cuts, **{day.talks[0].guid: (day.talks[0].first_word_start + 0.5, day.talks[0].last_word_end)})
    score = dr.score_cuts(day, late)
    assert score.wrongly_cut == [day.never_happened] and not score.talks[0].ok
    assert score.fraction_ok == (len(day.talks) - 1) / len(day.talks)
    began = time.monotonic()
    assert dr.build_day(dr.DEFAULT_DEST) == day and time.monotonic() - began < 2
