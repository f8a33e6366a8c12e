"""Speaker turns through the real diarizer and the real CLI: a panel of real voices scored with
pyannote.metrics, our own two-voice podium, silence and tiny files, and diarizing again."""

from __future__ import annotations

import io
import json
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
import webvtt
from pyannote.core import Annotation, Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate
from scipy.optimize import linear_sum_assignment

from archive import catalog as cat
from archive import edits, speakers
from archive.settings import Settings
from archive.transcript import load
from ingest import demo, diarize

from ..conftest import SHARED, Archive

SPEECH = SHARED / "speech_de"
PANEL_VOICES = ["thorsten_voice_samples", "emodb_neutral:03", "emodb_neutral:15",
                "emodb_neutral:08", "voxforge_de_audiomate"]


def voice_of(row: dict[str, str]) -> str:
    """The manifest's set, and for EmoDB the speaker's number that starts the file name."""
    name = Path(row["audio"]).name
    return f"{row['set']}:{name[:2]}" if row["set"] == "emodb_neutral" else row["set"]


def real_panel(out: Path) -> list[demo.Turn]:
    """Five real voices in three rounds of turns (about 90 s), with exact turns."""
    rows = [json.loads(line) for line in (SPEECH / "manifest.jsonl").read_text().splitlines()]
    clips: dict[str, list[Path]] = {}
    for row in rows:
        clips.setdefault(voice_of(row), []).append(SPEECH / row["audio"])
    order = []
    for round_ in range(3):
        for voice in PANEL_VOICES:
            n = 1 if voice.startswith("voxforge") else 2
            order += [(voice, p) for p in clips[voice][round_ * n:(round_ + 1) * n]]
    assert len({v for v, _ in order}) >= 3
    return demo.make_panel(order, out)


def word_accuracy(truth: list[demo.Turn], segments: list[dict]) -> float:  # type: ignore[type-arg]
    """Share of words whose speaker is right after the best one-to-one mapping of labels."""
    pairs = []
    for seg in segments:
        for w in seg["words"]:
            middle = (w["start"] + w["end"]) / 2
            true = min(truth, key=lambda t: 0 if t.start <= middle <= t.end
                       else min(abs(t.start - middle), abs(t.end - middle))).speaker
            pairs.append((true, seg.get("speaker_label", seg.get("speaker"))))
    trues, labels = sorted({t for t, _ in pairs}), sorted({str(h) for _, h in pairs})
    counts = np.zeros((len(trues), len(labels)))
    for t, h in pairs:
        counts[trues.index(t), labels.index(str(h))] += 1
    rows, cols = linear_sum_assignment(-counts)
    return float(counts[rows, cols].sum() / len(pairs))


@pytest.mark.skipif(not SPEECH.is_dir(), reason=f"{SPEECH} is absent (not in a user's clone)")
def test_real_voice_panel_der_and_words(archive: Archive, tmp_path: Path) -> None:
    wav = tmp_path / "panel.wav"
    truth = real_panel(wav)
    found = diarize.diarize(Settings(), wav)
    reference, hypothesis = Annotation(), Annotation()
    for t in truth:
        reference[Segment(t.start, t.end)] = t.speaker
    for h in found.turns:
        hypothesis[Segment(h.start, h.end)] = h.speaker
    der = DiarizationErrorRate(collar=0.25)(reference, hypothesis,
                                            uem=Timeline([Segment(0, truth[-1].end)]))
    assert der <= 0.15, der
    assert len(found.voices) == len(PANEL_VOICES)

    mp4 = tmp_path / "panel.mp4"
    demo.render_video(wav, mp4)
    talk_id = archive.run("ingest", str(mp4), "-q", "--title", "Podium der fünf Städte").stdout.split()[0]
    exported = json.loads(archive.run("export", talk_id, "--format", "json").stdout)
    assert word_accuracy(truth, exported["segments"]) >= 0.90


def test_podium_of_two_voices(archive: Archive, tmp_path: Path) -> None:
    """Our own podium (two espeak-ng voices taking turns): two speakers, sentences by turn,
    names given by staff follow into exports and search, and survive diarizing again."""
    talk = demo.DEMO_TALKS[2]
    mp4, timed = demo.render_demo(talk, tmp_path)
    talk_id = archive.run("ingest", str(mp4), "-q", *sum((["--speaker", s] for s in talk.speakers), [])
                          ).stdout.split()[0]
    stored = load(archive.data_dir / "transcripts" / f"{talk_id}.json")
    assert sorted(stored.voices) == ["SPEAKER_1", "SPEAKER_2"]
    truth = [demo.Turn(s.start, s.end, talk.voices[i % 2]) for i, s in enumerate(timed)]
    exported = json.loads(archive.run("export", talk_id, "--format", "json").stdout)
    assert word_accuracy(truth, exported["segments"]) >= 0.90

    settings = archive.settings()
    catalog = cat.Catalog(settings)
    try:
        speakers.set_names(settings, catalog, talk_id, {"SPEAKER_1": "Miriam Schulte"})
        edits.correct_segment(settings, catalog, talk_id, 0, "Die Dorfwerkstatt ist offen.", "test")
    finally:
        catalog.dispose()
    archive.run("rediarize", talk_id, "-q")
    again = load(archive.data_dir / "transcripts" / f"{talk_id}.json")
    assert again.segments[0].text == "Die Dorfwerkstatt ist offen."  # the correction is kept
    vtt = archive.run("export", talk_id, "--format", "vtt").stdout
    voices = {cue.voice for cue in webvtt.from_buffer(io.StringIO(vtt))}
    assert voices == {"Miriam Schulte", "SPEAKER_2"}  # the name followed its voice
    found = archive.search("Dorfwerkstatt")
    assert found["talks"][0]["segments"][0]["speaker"] == "Miriam Schulte"
    assert found["facets"]["speakers"] == {"Miriam Schulte": 1, "Paul Hoffmann": 1}


def test_silence_and_tiny_files_have_no_speakers(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.wav"
    with wave.open(str(tiny), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 1600)  # 0.1 s
    silence = tmp_path / "silence.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono",
                    "-t", "20", "-c:a", "pcm_s16le", "-y", str(silence)], check=True)
    for wav in (tiny, silence):
        found = diarize.diarize(Settings(), wav)
        assert found.turns == [] and found.voices == {}, wav
