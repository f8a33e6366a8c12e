"""Chapters as the text YouTube reads from a video's description ("0:00 Begrüßung", one a
line). YouTube shows chapters only when the first starts at 0:00, there are at least three,
and each lasts at least ten seconds. :func:`youtube_text` fixes what it can (the first
chapter moved to 0:00, too-short chapters merged into a neighbour) and says why when too few
are left."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Chapter, merge_short, spans

MIN_COUNT = 3
MIN_SECONDS = 10.0


@dataclass(frozen=True)
class YouTubeText:
    text: str | None  # the lines to copy, or None when the chapters cannot satisfy YouTube
    reason: str | None  # why not: "too_few" (fewer than three of ten seconds), "none"
    fixed: bool  # the chapters were changed to satisfy the rules


def stamp(seconds: float) -> str:
    """YouTube's time stamps: 0:00, 12:34, 1:02:03."""
    s = int(seconds)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def fit(chapters: list[Chapter], duration: float) -> list[Chapter]:
    """The chapters as YouTube needs them: whole seconds, the first at 0, none shorter than
    ten seconds (merged into a neighbour)."""
    whole: list[Chapter] = []
    for c in chapters:
        start = 0 if not whole else int(c.start)
        if whole and start <= whole[-1].start:
            continue
        whole.append(Chapter(float(start), c.title, c.source))
    return merge_short(whole, float(int(duration)), MIN_SECONDS)


def satisfies(chapters: list[Chapter], duration: float) -> bool:
    """YouTube's rules: first at 0:00, at least three, each at least ten seconds long."""
    return (len(chapters) >= MIN_COUNT and chapters[0].start == 0
            and all(end - c.start >= MIN_SECONDS for c, end in spans(chapters, duration)))


def youtube_text(chapters: list[Chapter], duration: float) -> YouTubeText:
    if not chapters:
        return YouTubeText(None, "none", False)
    fitted = fit(chapters, duration)
    if not satisfies(fitted, float(int(duration))):
        return YouTubeText(None, "too_few", False)
    changed = [(c.start, c.title) for c in fitted] != [(int(c.start), c.title) for c in chapters]
    text = "\n".join(f"{stamp(c.start)} {' '.join(c.title.split())}" for c in fitted)
    return YouTubeText(text, None, changed)
