"""Chapters from slide titles.

A slide's text is what Tesseract read off it, line by line, top to bottom (ingest/slides.py
keeps no line sizes), so a slide's title is its first line that reads like a title: letters,
not a page number, a date or a link, and not a running header (a line that most slides share,
such as the conference's name). Consecutive slides with the same title are one chapter (a
slide that builds up, or "Ergebnisse (2)"); a chapter shorter than :data:`MIN_SECONDS` is
merged into its neighbour; the first one starts at 0 when it starts within those seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .model import MIN_SECONDS, Chapter, clean_title, merge_short

if TYPE_CHECKING:
    from archive.transcript import Slide

TITLE_CHARS = 80
RUNNING_SHARE = 0.6  # a line on more than this share of the slides (three or more) is a header
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_NOT_TITLE = re.compile(
    r"^(?:(?:seite|folie|page|slide)\s*)?\d+(?:\s*(?:/|von|of)\s*\d+)?$"  # 3, 3 / 12, Folie 3
    r"|^\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}$"  # 18.09.2025
    r"|^(?:https?://|www\.)\S+$", re.IGNORECASE)
_CONTINUED = re.compile(r"\s*(?:\(\s*(?:\d+|fortsetzung|forts\.)\s*\)|\(?\d+\s*/\s*\d+\)?)$",
                        re.IGNORECASE)


def _candidates(text: str) -> list[str]:
    lines = [clean_title(line, 10_000) for line in text.splitlines()]
    return [line for line in lines if _LETTERS.search(line) and not _NOT_TITLE.match(line)]


def _key(title: str) -> str:
    """What makes two titles the same: case, punctuation and a "(2)" or "2/3" aside."""
    return " ".join(re.findall(r"\w+", _CONTINUED.sub("", title).casefold()))


def running_lines(slides: Sequence[Slide]) -> set[str]:
    """Lines most slides share (a header or footer), as :func:`_key` writes them."""
    if len(slides) < 3:
        return set()
    counts = Counter(key for s in slides for key in {_key(line) for line in _candidates(s.text)})
    return {key for key, n in counts.items() if n > RUNNING_SHARE * len(slides)}


def slide_title(text: str, skip: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The slide's title: its first line that reads like one and is no running header."""
    for line in _candidates(text):
        if _key(line) not in skip:
            return clean_title(_CONTINUED.sub("", line) or line, TITLE_CHARS)
    return None


def _same_title_once(chapters: list[Chapter]) -> list[Chapter]:
    """Consecutive chapters with the same title as one, from the first one's start."""
    out: list[Chapter] = []
    for chapter in chapters:
        if not out or _key(out[-1].title) != _key(chapter.title):
            out.append(chapter)
    return out


def chapters_from_slides(slides: Sequence[Slide], duration: float,
                         min_seconds: float = MIN_SECONDS) -> list[Chapter]:
    """One chapter where a slide with a new title appears; none for fewer than two."""
    skip = running_lines(slides)
    found: list[Chapter] = []
    for slide in sorted(slides, key=lambda s: s.start):
        title = slide_title(slide.text, skip)
        if title is None or (duration > 0 and slide.start >= duration):
            continue
        found.append(Chapter(round(max(slide.start, 0.0), 2), title, "slides"))
    found = _same_title_once(merge_short(_same_title_once(found), duration, min_seconds))
    if found and found[0].start < min_seconds:
        found[0] = Chapter(0.0, found[0].title, found[0].source)
    return found if len(found) >= 2 else []
