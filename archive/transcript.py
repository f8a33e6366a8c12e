"""The transcript model: talk -> segments -> words, each with start/end seconds; a segment's
speaker label, and each label's voice.

The JSON file written by :func:`save` is the source of truth; the index and every export are
derived from it. :class:`Provenance` records the engine, model and options that made it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float | None = None


@dataclass
class Segment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    speaker: str | None = None


@dataclass
class Provenance:
    engine: str
    model: str
    model_sha256: str | None
    device: str
    compute_type: str
    options: dict[str, Any]
    seconds: float = 0.0
    diarization: dict[str, Any] | None = None  # the diarizer and its settings, when it ran


@dataclass
class Voice:
    """One speaker label's voice: the centroid of its speaker embeddings, and how long it spoke."""

    centroid: list[float]
    seconds: float


@dataclass
class Transcript:
    talk_id: str
    language: str
    duration: float
    segments: list[Segment]
    provenance: Provenance
    history: list[dict[str, Any]] = field(default_factory=list)
    voices: dict[str, Voice] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = FORMAT_VERSION
        for seg in data["segments"]:
            if seg["speaker"] is None:
                del seg["speaker"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            talk_id=data["talk_id"],
            language=data["language"],
            duration=float(data["duration"]),
            segments=[segment_from_dict(s) for s in data["segments"]],
            provenance=Provenance(**data["provenance"]),
            history=list(data.get("history", [])),
            voices={label: Voice(**v) for label, v in (data.get("voices") or {}).items()},
        )

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.segments)


def segment_from_dict(data: dict[str, Any]) -> Segment:
    return Segment(
        start=float(data["start"]),
        end=float(data["end"]),
        text=data["text"],
        words=[Word(**w) for w in data.get("words", [])],
        speaker=data.get("speaker"),
    )


def save(transcript: Transcript, path: Path) -> None:
    """Write atomically: a reader never sees half a transcript."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(transcript.to_dict(), ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, path)


def load(path: Path) -> Transcript:
    return Transcript.from_dict(json.loads(path.read_text("utf-8")))


_SENTENCE_END = re.compile(r"[.!?…][\"'»«“”)]*$")


def segment_text(words: Iterable[Word]) -> str:
    """A segment's text is its words joined by single spaces, so word i is token i of the text."""
    return " ".join(w.word.strip() for w in words if w.word.strip())


def split_sentences(
    words: list[Word],
    *,
    max_words: int = 40,
    max_seconds: float = 20.0,
    pause_seconds: float = 1.5,
    speaker: str | None = None,
) -> list[Segment]:
    """Group words into sentence-sized segments by punctuation, pauses and a length cap.

    The batched engine returns ~30 s segments; a hit should show one sentence and a caption
    should stay readable, so every transcript is re-cut by its word timestamps.
    """
    segments: list[Segment] = []
    current: list[Word] = []

    def close() -> None:
        if current:
            segments.append(
                Segment(
                    start=current[0].start,
                    end=current[-1].end,
                    text=segment_text(current),
                    words=list(current),
                    speaker=speaker,
                )
            )
            current.clear()

    for word in words:
        if not word.word.strip():
            continue
        if current and (
            word.start - current[-1].end >= pause_seconds
            or len(current) >= max_words
            or word.end - current[0].start > max_seconds
        ):
            close()
        current.append(word)
        if _SENTENCE_END.search(word.word.strip()):
            close()
    close()
    return segments
