"""Staff chapters: a talk's chapters replaced by hand (source ``staff``), or handed back to
detection. They are kept in the transcript, win over every detected source, and a later
detection (:func:`archive.chapters.with_detected`) leaves them alone."""

from __future__ import annotations

import math
import re
from typing import Any

from archive import catalog as cat
from archive import transcript as tr
from archive.errors import InputError
from archive.paths import transcript_path
from archive.settings import Settings

from .model import MAX_CHAPTERS, MAX_TITLE, Chapter, clean_title


class ChapterError(InputError):
    """Chapters of the right shape that do not fit the talk (after its end, two at once)."""

    code = "bad_chapters"
    status = 422


CLOCK_PATTERN = r"^\s*(\d+:)?\d{1,2}:\d{1,2}(\.\d+)?\s*$"
_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*$")


def seconds(value: Any) -> float:
    """A start as seconds (a number) or a clock ("1:23", "1:02:03.5")."""
    if isinstance(value, bool):
        raise InputError("a chapter's start is a number of seconds or a time such as 1:23")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and (match := _CLOCK.match(value)):
        hours, minutes, secs = match.groups()
        if int(minutes) >= 60 or float(secs) >= 60:
            raise ChapterError(f"{value.strip()!r} is not a time")
        number = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
    else:
        raise InputError("a chapter's start is a number of seconds or a time such as 1:23")
    if not math.isfinite(number) or number < 0:
        raise InputError("a chapter's start is not negative")
    return number


def parse(items: list[dict[str, Any]], duration: float) -> list[Chapter]:
    """Staff chapters from ``[{"start", "title"}]``: in order, inside the talk, each with a
    title, no two at the same second."""
    if len(items) > MAX_CHAPTERS:
        raise ChapterError(f"at most {MAX_CHAPTERS} chapters")
    chapters: list[Chapter] = []
    for n, item in enumerate(items, 1):
        start = seconds(item.get("start"))
        raw = item.get("title")
        if not isinstance(raw, str) or not clean_title(raw, 10_000):
            raise ChapterError(f"chapter {n} has no title")
        if len(clean_title(raw, 10_000)) > MAX_TITLE:
            raise ChapterError(f"chapter {n}: a title has at most {MAX_TITLE} characters")
        if start >= duration:
            raise ChapterError(f"chapter {n} starts at {start:g} s, after the end of the talk "
                               f"({duration:.0f} s)")
        chapters.append(Chapter(round(start, 3), clean_title(raw), "staff"))
    chapters.sort(key=lambda c: c.start)
    for a, b in zip(chapters, chapters[1:], strict=False):
        if b.start - a.start < 1.0:
            raise ChapterError(f"two chapters start at {a.start:g} s; one chapter a second at most")
    return chapters


def replace(settings: Settings, catalog: cat.Catalog, talk_id: str,
            items: list[dict[str, Any]] | None) -> tr.Transcript:
    """Set a talk's chapters by hand (an empty list: no chapters at all), or with ``None``
    hand them back to detection. Not in the transcript's history, which lists corrections of
    what was said (the corpus counts them). Under the talks' lock, so a talk deleted meanwhile
    is not written back."""
    with catalog.exclusive(cat.TALK_LOCK), catalog.session() as s:
        talk = cat.find_talk(s, talk_id)
        path = transcript_path(settings, talk.id)
        transcript = tr.load(path)
        chapters = None if items is None else parse(items, transcript.duration)
        transcript.chapters = chapters
        tr.save(transcript, path)
    return transcript
