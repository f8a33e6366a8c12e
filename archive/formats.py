"""Renderings of a transcript: TXT, SRT, WebVTT, CSV and JSON (with word timings)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from .transcript import Transcript, segment_from_dict

FORMATS: dict[str, str] = {
    "txt": "text/plain; charset=utf-8",
    "json": "application/json",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


def _clock(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cue_text(text: str) -> str:
    # A blank line would end the cue; "-->" would be read as a timing line.
    return " ".join(text.split()).replace("-->", "->")


def to_txt(transcript: Transcript, talk: dict[str, Any]) -> str:
    lines = [s.text for s in transcript.segments]
    return "\n".join(lines) + ("\n" if lines else "")


def to_srt(transcript: Transcript, talk: dict[str, Any]) -> str:
    out = []
    for i, seg in enumerate(transcript.segments, 1):
        timing = f"{_clock(seg.start, ',')} --> {_clock(seg.end, ',')}"
        out.append(f"{i}\n{timing}\n{_cue_text(seg.text)}\n")
    return "\n".join(out)


def to_vtt(transcript: Transcript, talk: dict[str, Any]) -> str:
    out = ["WEBVTT", "Kind: captions", f"Language: {transcript.language}", ""]
    for i, seg in enumerate(transcript.segments, 1):
        text = _cue_text(seg.text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if seg.speaker:
            text = f"<v {seg.speaker}>{text}"
        out.append(f"{i}\n{_clock(seg.start, '.')} --> {_clock(seg.end, '.')}\n{text}\n")
    return "\n".join(out)


def to_csv(transcript: Transcript, talk: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["start", "end", "speaker", "text"])
    for seg in transcript.segments:
        writer.writerow([f"{seg.start:.3f}", f"{seg.end:.3f}", seg.speaker or "", seg.text])
    return buf.getvalue()


def to_json(transcript: Transcript, talk: dict[str, Any]) -> str:
    data = transcript.to_dict()
    segments = []
    for seg in data["segments"]:
        segments.append(seg)
    doc = {
        "talk": talk,
        "language": transcript.language,
        "duration": transcript.duration,
        "provenance": data["provenance"],
        "segments": segments,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def from_json_export(text: str) -> Transcript:
    """Read a JSON export back into the transcript model."""
    from .transcript import Provenance

    doc = json.loads(text)
    return Transcript(
        talk_id=doc["talk"]["id"],
        language=doc["language"],
        duration=float(doc["duration"]),
        segments=[segment_from_dict(s) for s in doc["segments"]],
        provenance=Provenance(**doc["provenance"]),
    )


RENDERERS: dict[str, Callable[[Transcript, dict[str, Any]], str]] = {
    "txt": to_txt,
    "json": to_json,
    "srt": to_srt,
    "vtt": to_vtt,
    "csv": to_csv,
}


def render(transcript: Transcript, talk: dict[str, Any], fmt: str) -> str:
    return RENDERERS[fmt](transcript, talk)
