"""Moving a cut talk's in and out points: its media, transcript and index follow, without
transcribing again.

The new points are snapped out of words (a point inside a word moves to the word's edge); the
transcript keeps the talk's own sentences with their corrections where old and new overlap and
takes the rest from the day's transcript (:func:`archive.programme.cuts.recut_transcript`).
The cut is then ``source: staff`` and ``reviewed``, and its slot no longer waits for review.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import update

from archive import catalog as cat
from archive import transcript as tr
from archive.errors import InputError, NotFound
from archive.paths import slides_dir, transcript_path
from archive.programme import cuts
from archive.programme.tables import ProgrammeSlot
from archive.search.outbox import queue_change
from archive.settings import Settings

from . import dayrecording, media
from .pipeline import _Stored

MIN_SECONDS = 1.0


def snap(day: tr.Transcript, start: float, end: float) -> tuple[float, float]:
    """Points inside a word move out of it: the start to the word's start, the end to its end."""
    for seg in day.segments:
        for w in seg.words:
            if w.start < start < w.end:
                start = w.start
            if w.start < end < w.end:
                end = w.end
    return round(start, 3), round(end, 3)


class BadCut(InputError):
    """Points the schema allows but the day recording cannot: outside it, or too short."""

    code = "bad_cut"
    status = 422


def check_points(start: float, end: float, duration: float) -> None:
    if not (0 <= start < end <= duration + 0.001):
        raise BadCut(f"a cut needs 0 ≤ start < end ≤ {duration:.3f} (the day recording's "
                         f"length); got start {start}, end {end}")
    if end - start < MIN_SECONDS:
        raise BadCut(f"a cut must be at least {MIN_SECONDS:.0f} s long")


def _load(settings: Settings, catalog: cat.Catalog, talk_id: str
          ) -> tuple[cat.Talk, dict[str, Any], Path, tr.Transcript]:
    with catalog.session() as session:
        talk = session.get(cat.Talk, talk_id) if len(talk_id) <= 32 else None
        if talk is None:
            raise NotFound(f"no talk {talk_id!r}")
        row = cuts.recording_of(session, talk.cut)
        session.expunge_all()
    day = tr.load(transcript_path(settings, cuts.day_transcript_id(row.content_hash)))
    return talk, dict(talk.cut or {}), Path(row.original_path), day


def recut(settings: Settings, catalog: cat.Catalog, talk_id: str, start: float, end: float,
          who: str = "staff") -> cat.Talk:
    """Move the cut of ``talk_id`` to ``start``..``end`` (seconds of the day recording)."""
    talk, old, original, day = _load(settings, catalog, talk_id)
    check_points(start, end, day.duration)
    start, end = snap(day, start, end)
    probe = media.probe(original)
    start, copy = dayrecording._copy_start(probe, day, start)
    recording = str(old["recording"])
    own_path = transcript_path(settings, talk.id)
    own = cuts.recut_transcript(day, tr.load(own_path),
                                (float(old["start"]), float(old["end"])),
                                (start, end), recording, who)
    stored = _Stored()
    try:
        files = dayrecording._media_files(settings, probe, f"{talk.id}-next", start, end, copy,
                                          stored)
        _commit(settings, catalog, talk, own, files, cuts.cut_record(
            recording, start, end, "staff", 1.0, reviewed=True))
    except BaseException:
        stored.remove()
        raise
    _refresh_slides(settings, recording, own)
    return talk


def _commit(settings: Settings, catalog: cat.Catalog, talk: cat.Talk, own: tr.Transcript,
            files: tuple[Path, Path, Path | None], record: dict[str, Any]) -> None:
    """Put the new media in place of the old, then the transcript and the row."""
    media_file = Path(talk.media_path)
    files[0].replace(media_file)
    if files[2] is not None:
        if talk.poster_path:
            files[2].replace(talk.poster_path)
        else:
            files[2].unlink()
    tr.save(own, transcript_path(settings, talk.id))
    with catalog.exclusive(cat.TALK_LOCK), catalog.session() as session:
        row = session.get(cat.Talk, talk.id)
        if row is None:
            raise NotFound(f"talk {talk.id} was deleted meanwhile")
        row.cut, row.duration = record, own.duration
        row.segment_count = len(own.segments)
        session.execute(update(ProgrammeSlot).where(ProgrammeSlot.talk_id == talk.id)
                        .values(needs_review=False))
        queue_change(session, talk.id)


def _refresh_slides(settings: Settings, recording: str, own: tr.Transcript) -> None:
    source = slides_dir(settings, cuts.day_transcript_id(recording))
    target = slides_dir(settings, own.talk_id)
    for name in {s.image for s in own.slides if s.image}:
        if (source / name).is_file() and not (target / name).is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, target / name)
