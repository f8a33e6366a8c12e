"""Chapters from a panel's sub-items in the programme (the day-recording cutter passes them,
as seconds from the start of the cut talk and a title)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from .model import Chapter, clean_title, ordered


def chapters_from_programme(items: Iterable[tuple[float, str]],
                            duration: float | None = None) -> list[Chapter]:
    """The sub-items as chapters (source ``programme``), in order of their offsets. An item
    without a title, at a negative or unknown offset, at or after ``duration`` or in the same
    second as the one before is left out; fewer than two items make no chapters."""
    found: list[Chapter] = []
    for offset, title in items:
        start = float(offset)
        text = clean_title(str(title or ""))
        if not text or not math.isfinite(start) or start < 0:
            continue
        found.append(Chapter(round(start, 3), text, "programme"))
    chapters = ordered(found, duration or 0.0)
    if chapters and chapters[0].start > 0 and chapters[0].start < 1.0:
        chapters[0] = Chapter(0.0, chapters[0].title, "programme")
    return chapters if len(chapters) >= 2 else []
