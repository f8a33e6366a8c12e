"""A chapter: where it starts (seconds of the talk), its title, and where it came from.

Sources, in the order they win: ``staff`` (edited by hand, never replaced by a detection),
``programme`` (a panel's sub-items from the conference programme), ``slides`` (slide titles,
derived when the transcript is read) and ``topics`` (topic segmentation; see the README for
why no talk gets these yet). A chapter ends where the next one starts, the last one at the end
of the talk.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

Source = Literal["slides", "programme", "staff", "topics"]
SOURCES: tuple[str, ...] = get_args(Source)
MAX_TITLE = 120  # characters; a longer title is cut at a word and ends in "…"
MAX_CHAPTERS = 200  # a talk never needs more; keeps every format and the MP4 mux small
MIN_SECONDS = 10.0  # a detected chapter shorter than this is merged away (YouTube's minimum too)

_SPACE = re.compile(r"\s+")
# control characters and line breaks become spaces; format, private and unassigned ones go
_DROPPED = {"Cc": " ", "Zl": " ", "Zp": " ", "Cf": "", "Co": "", "Cs": "", "Cn": ""}


@dataclass(frozen=True, slots=True)
class Chapter:
    start: float
    title: str
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "title": self.title, "source": self.source}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chapter:
        source = data.get("source", "staff")
        if source not in SOURCES:
            raise ValueError(f"unknown chapter source {source!r}")
        return cls(float(data["start"]), str(data["title"]), cast(Source, source))


def clean_title(text: str, limit: int = MAX_TITLE) -> str:
    """One line of printable text: control and format characters dropped, white space folded,
    at most ``limit`` characters (cut at a word, with "…")."""
    kept = "".join(_DROPPED.get(unicodedata.category(c), c) for c in text)
    line = _SPACE.sub(" ", kept).strip()
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0] if " " in line[: limit - 1] else line[: limit - 1]
    return cut.rstrip(" ,;:-–") + "…"


def ordered(chapters: Iterable[Chapter], duration: float) -> list[Chapter]:
    """By start; a chapter outside the talk, or at the same second as the one before, left out."""
    out: list[Chapter] = []
    for chapter in sorted(chapters, key=lambda c: c.start):
        if chapter.start < 0 or (duration > 0 and chapter.start >= duration):
            continue
        if out and chapter.start - out[-1].start < 0.5:
            continue
        out.append(chapter)
    return out[:MAX_CHAPTERS]


def spans(chapters: list[Chapter], duration: float) -> list[tuple[Chapter, float]]:
    """Each chapter with its end: the next chapter's start, the last one's the talk's end."""
    if not chapters:
        return []
    ends = [c.start for c in chapters[1:]] + [max(duration, chapters[-1].start)]
    return list(zip(chapters, ends, strict=True))


def merge_short(chapters: list[Chapter], duration: float,
                min_seconds: float = MIN_SECONDS) -> list[Chapter]:
    """Chapters shorter than ``min_seconds`` merged into a neighbour, shortest first: the pair
    keeps the earlier start and the title of its longer part."""
    items = list(chapters)
    while len(items) > 1:
        lengths = [end - c.start for c, end in spans(items, duration)]
        i = min(range(len(items)), key=lambda k: lengths[k])
        if lengths[i] >= min_seconds:
            break
        if i == 0:
            j = 1
        elif i == len(items) - 1:
            j = i - 1
        else:
            j = i - 1 if lengths[i - 1] <= lengths[i + 1] else i + 1
        a, b = min(i, j), max(i, j)
        longer = items[a] if lengths[a] >= lengths[b] else items[b]
        items[a:b + 1] = [Chapter(items[a].start, longer.title, longer.source)]
    return items
