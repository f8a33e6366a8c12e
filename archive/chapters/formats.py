"""Chapters in the formats that carry them: WebVTT (``<track kind="chapters">``), Podcasting
2.0 JSON chapters, ffmpeg's FFMETADATA (the MP4 download's chapter atoms) and schema.org
``Clip`` parts (search engines' "key moments")."""

from __future__ import annotations

import json
from typing import Any

from .model import Chapter, spans

VTT_TYPE = "text/vtt; charset=utf-8"
JSON_TYPE = "application/json+chapters"  # the media type the JSON chapters spec names
PODCAST_VERSION = "1.2.0"


def _vtt_clock(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _cue(text: str) -> str:
    """One line of cue text, "&", "<" and ">" escaped (so no "-->" reads as a timing line)."""
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(chapters: list[Chapter], duration: float) -> str:
    """A WebVTT chapters file: one cue per chapter, from its start to the next one's."""
    out = ["WEBVTT", "Kind: chapters", ""]
    for i, (chapter, end) in enumerate(spans(chapters, duration), 1):
        out.append(f"chapter-{i}\n{_vtt_clock(chapter.start)} --> {_vtt_clock(end)}\n"
                   f"{_cue(chapter.title)}\n")
    return "\n".join(out)


def to_podcast(chapters: list[Chapter], title: str | None = None) -> dict[str, Any]:
    """Podcasting 2.0 JSON chapters (version 1.2.0): ``startTime`` in seconds and ``title``."""
    doc: dict[str, Any] = {"version": PODCAST_VERSION,
                           "chapters": [{"startTime": round(c.start, 3), "title": c.title}
                                        for c in chapters]}
    if title:
        doc["title"] = title
    return doc


def podcast_json(chapters: list[Chapter], title: str | None = None) -> str:
    return json.dumps(to_podcast(chapters, title), ensure_ascii=False, indent=1) + "\n"


def _meta(value: str) -> str:
    """A value in FFMETADATA: '=', ';', '#', '\\' and line breaks escaped with a backslash."""
    for special in ("\\", "=", ";", "#"):
        value = value.replace(special, "\\" + special)
    return " ".join(value.split())


def to_ffmetadata(chapters: list[Chapter], duration: float, title: str | None = None,
                  artist: str | None = None) -> str:
    """ffmpeg's metadata file: the talk's title and speakers, and a ``[CHAPTER]`` per chapter
    in milliseconds (``TIMEBASE=1/1000``)."""
    out = [";FFMETADATA1"]
    if title:
        out.append(f"title={_meta(title)}")
    if artist:
        out.append(f"artist={_meta(artist)}")
    for chapter, end in spans(chapters, duration):
        start_ms = round(chapter.start * 1000)
        out += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start_ms}",
                f"END={max(round(end * 1000), start_ms + 1)}", f"title={_meta(chapter.title)}"]
    return "\n".join(out) + "\n"


def clips(chapters: list[Chapter], duration: float, page_url: str) -> list[dict[str, Any]]:
    """schema.org ``Clip`` items for a ``VideoObject``'s ``hasPart``: whole seconds, and a URL
    that plays from the clip's start (``?t=``: a crawler drops a ``#`` fragment)."""
    starts = [int(c.start) for c in chapters]
    ends = starts[1:] + [max(int(round(duration)), starts[-1] + 1)] if chapters else []
    items = []
    for chapter, start, end in zip(chapters, starts, ends, strict=True):
        items.append({"@type": "Clip", "name": chapter.title, "startOffset": start,
                      "endOffset": max(end, start + 1), "url": f"{page_url}?t={start}"})
    return items
