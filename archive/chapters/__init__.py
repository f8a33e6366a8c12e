"""Chapters inside a talk: the model (:mod:`.model`), where they come from (:mod:`.slides`,
:mod:`.programme`, staff through :mod:`.edits`) and the formats that carry them
(:mod:`.formats`, :mod:`.youtube`).

A transcript's ``chapters`` are what was stored: ``None`` when nothing was (then the chapters
are derived from the slides whenever the transcript is read, so a new slide detection is
followed without a migration), a list otherwise: staff chapters, programme chapters, or an
empty list when staff said the talk has none. Talks without slides or programme items get no
chapters: topic segmentation did not beat equidistant chapters on our set (README, Chapters;
``bench/chapters.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import MAX_CHAPTERS, MAX_TITLE, MIN_SECONDS, SOURCES, Chapter, Source, ordered, spans
from .programme import chapters_from_programme
from .slides import chapters_from_slides

if TYPE_CHECKING:
    from archive.transcript import Transcript

__all__ = ["MAX_CHAPTERS", "MAX_TITLE", "MIN_SECONDS", "SOURCES", "Chapter", "Source",
           "chapters_from_programme", "chapters_from_slides", "for_talk", "ordered", "spans",
           "with_detected"]


def for_talk(transcript: Transcript) -> list[Chapter]:
    """The chapters a talk shows: those stored with it, else those its slides give."""
    if transcript.chapters is not None:
        return ordered(transcript.chapters, transcript.duration)
    return chapters_from_slides(transcript.slides, transcript.duration)


def by_staff(stored: list[Chapter] | None) -> bool:
    """Whether staff set these chapters (an empty stored list is only ever staff's "none")."""
    return stored is not None and (not stored or any(c.source == "staff" for c in stored))


def with_detected(stored: list[Chapter] | None, detected: list[Chapter]) -> list[Chapter] | None:
    """What a transcript stores after a new detection (a re-cut with the programme's items,
    say): staff chapters stay; otherwise the detected ones, or ``None`` (derive from slides)."""
    if by_staff(stored):
        return stored
    return detected or None
