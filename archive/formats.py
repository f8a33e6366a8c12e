"""Renderings of a transcript: TXT, SRT, WebVTT, CSV and JSON (with word timings), each naming
the speaker (its name where staff gave one, else its label): VTT with voice tags, SRT and TXT
at each change of speaker, CSV and JSON on every sentence."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import orjson

from .transcript import Transcript, plain, segment_from_dict

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


def speakers(transcript: Transcript, talk: dict[str, Any]) -> list[str | None]:
    """Each segment's speaker as shown: the name staff gave its label, else the label."""
    names: dict[str, str] = talk.get("speaker_names") or {}
    return [(names.get(seg.speaker) or seg.speaker) if seg.speaker else None
            for seg in transcript.segments]


def turns(transcript: Transcript, talk: dict[str, Any]) -> list[str | None]:
    """The speaker where a new turn begins, None within a turn."""
    shown = speakers(transcript, talk)
    return [who if who and (i == 0 or shown[i - 1] != who) else None for i, who in enumerate(shown)]


def licence_line(talk: dict[str, Any]) -> str | None:
    """'Lizenz: CC BY 4.0 (https://…) · Quelle: https://…/talks/ID', where the talk has one."""
    lic = talk.get("licence")
    if not lic:
        return None
    line = f"Lizenz: {lic['name']}" + (f" ({lic['url']})" if lic.get("url") else "")
    return line + (f" · Quelle: {talk['url']}" if str(talk.get("url", "")).startswith("http") else "")


def to_txt(transcript: Transcript, talk: dict[str, Any]) -> str:
    lines: list[str] = []
    for seg, turn in zip(transcript.segments, turns(transcript, talk), strict=True):
        if turn:
            lines.extend([""] if lines else [])
            lines.append(f"{turn}: {seg.text}")
        else:
            lines.append(seg.text)
    if (licence := licence_line(talk)) is not None:
        lines += ["", licence]
    return "\n".join(lines) + ("\n" if lines else "")


def to_srt(transcript: Transcript, talk: dict[str, Any]) -> str:
    out = []
    starts = turns(transcript, talk)
    for i, seg in enumerate(transcript.segments, 1):
        timing = f"{_clock(seg.start, ',')} --> {_clock(seg.end, ',')}"
        text = _cue_text(seg.text)
        if starts[i - 1]:
            text = f"{_cue_text(str(starts[i - 1]))}: {text}"
        out.append(f"{i}\n{timing}\n{text}\n")
    return "\n".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(transcript: Transcript, talk: dict[str, Any]) -> str:
    out = ["WEBVTT", "Kind: captions", f"Language: {transcript.language}", ""]
    if (licence := licence_line(talk)) is not None:
        out += ["NOTE " + licence.replace("-->", "->"), ""]
    shown = speakers(transcript, talk)
    for i, seg in enumerate(transcript.segments, 1):
        text = _escape(_cue_text(seg.text))
        if shown[i - 1]:  # a voice tag on every cue: a player may show any cue alone
            text = f"<v {_escape(_cue_text(str(shown[i - 1])))}>{text}"
        out.append(f"{i}\n{_clock(seg.start, '.')} --> {_clock(seg.end, '.')}\n{text}\n")
    return "\n".join(out)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading
    apostrophe (OWASP, CSV injection). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(transcript: Transcript, talk: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["start", "end", "speaker", "text"])
    for seg, who in zip(transcript.segments, speakers(transcript, talk), strict=True):
        writer.writerow([f"{seg.start:.3f}", f"{seg.end:.3f}", csv_cell(who or ""),
                         csv_cell(seg.text)])
    return buf.getvalue()


def to_json(transcript: Transcript, talk: dict[str, Any]) -> str:
    data = transcript.to_dict()
    segments = data["segments"]
    for seg, who in zip(segments, speakers(transcript, talk), strict=True):
        if who:
            seg["speaker_label"] = seg["speaker"]
            seg["speaker"] = who
    doc = {
        "talk": talk,
        "language": transcript.language,
        "duration": transcript.duration,
        "provenance": data["provenance"],
        "segments": segments,
    }
    if data["slides"]:  # text read off the slides, from the second each appears
        doc["slides"] = [{k: s[k] for k in ("start", "end", "text")} for s in data["slides"]]
    # orjson: the standard library's encoder falls back to pure Python when it indents
    # (24 ms against 2 ms for a 2,400-word talk; README, Corpus)
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2, default=plain).decode("utf-8") + "\n"


def from_json_export(text: str) -> Transcript:
    """Read a JSON export back into the transcript model."""
    from .transcript import Provenance, Slide

    doc = json.loads(text)
    return Transcript(
        talk_id=doc["talk"]["id"],
        language=doc["language"],
        duration=float(doc["duration"]),
        segments=[segment_from_dict({**s, "speaker": s.get("speaker_label", s.get("speaker"))})
                  for s in doc["segments"]],
        provenance=Provenance(**doc["provenance"]),
        slides=[Slide(float(s["start"]), float(s["end"]), s["text"]) for s in doc.get("slides", ())],
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
