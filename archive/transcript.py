"""The transcript model: talk -> segments -> words, each with start/end seconds; a segment's
speaker label, and each label's voice.

The JSON file written by :func:`save` is the source of truth; the index and every export are
derived from it. :class:`Provenance` records the engine, model and options that made it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from archive.chapters.model import Chapter

# Keys are only ever added, each optional on reading (``slides``, ``chapters``), so the version
# stays 1: every reader reads every file.
FORMAT_VERSION = 1


@dataclass(slots=True)
class Word:
    start: float
    end: float
    word: str
    probability: float | None = None


@dataclass(slots=True)
class Segment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    speaker: str | None = None


@dataclass(slots=True)
class Slide:
    """A slide as the video shows it: from when, until when, the text read off it, and its
    thumbnail's file name (below the talk's slide folder, :func:`archive.paths.slides_dir`)."""

    start: float
    end: float
    text: str
    image: str | None = None


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
    slides: dict[str, Any] | None = None  # how slides were found and read, when they were


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
    slides: list[Slide] = field(default_factory=list)
    # None: none stored (derived from the slides when read, archive.chapters.for_talk)
    chapters: list[Chapter] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Built field by field: ``dataclasses.asdict`` deep-copies every word (12 ms of a
        2,400-word talk's 25 ms JSON export)."""
        segments = []
        for seg in self.segments:
            item: dict[str, Any] = {
                "start": seg.start, "end": seg.end, "text": seg.text,
                "words": [{"start": w.start, "end": w.end, "word": w.word,
                           "probability": w.probability} for w in seg.words]}
            if seg.speaker is not None:
                item["speaker"] = seg.speaker
            segments.append(item)
        data: dict[str, Any] = {
            "talk_id": self.talk_id, "language": self.language, "duration": self.duration,
            "segments": segments, "provenance": asdict(self.provenance),
            "history": [dict(h) for h in self.history],
            "voices": {k: asdict(v) for k, v in self.voices.items()},
            "slides": [{"start": s.start, "end": s.end, "text": s.text, "image": s.image}
                       for s in self.slides],
            "version": FORMAT_VERSION}
        if self.chapters is not None:
            data["chapters"] = [c.to_dict() for c in self.chapters]
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
            slides=[Slide(float(s["start"]), float(s["end"]), s["text"], s.get("image"))
                    for s in data.get("slides") or ()],
            chapters=(None if data.get("chapters") is None
                      else [Chapter.from_dict(c) for c in data["chapters"]]),
        )

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.segments)


def segment_from_dict(data: dict[str, Any]) -> Segment:
    return Segment(
        start=float(data["start"]),
        end=float(data["end"]),
        text=data["text"],
        words=[Word(w["start"], w["end"], w["word"], w.get("probability"))
               for w in data.get("words", ())],
        speaker=data.get("speaker"),
    )


def plain(value: Any) -> Any:
    """For orjson: a numpy number (which ``json`` took for the float it subclasses) as the
    Python number it holds; anything else is still an error."""
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def save(transcript: Transcript, path: Path) -> None:
    """Write atomically: a reader never sees half a transcript."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(orjson.dumps(transcript.to_dict(), option=orjson.OPT_INDENT_2, default=plain))
    os.replace(tmp, path)


def load(path: Path) -> Transcript:
    return Transcript.from_dict(orjson.loads(path.read_bytes()))


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
