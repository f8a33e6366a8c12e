"""Talks cut out of a room's day recording: which slots a recording covers, what a cut talk takes
from its slot, its ``cut`` record, and its transcript in its own time.

A cut talk is an ordinary talk. Its ``cut`` says where it lies in the day recording::

    {"recording": sha256, "start": s, "end": s, "source": "programme"|"detected"|"staff",
     "confidence": 0..1, "reviewed": bool}

``start`` and ``end`` are seconds of the day recording. Its transcript is in its own time
(second 0 is ``start``); the day's transcript, kept beside the recording, lets staff move a cut
without transcribing again (:func:`recut_transcript`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import licences
from .. import transcript as tr
from ..chapters.model import Chapter
from ..clock import now_iso
from ..details import TalkDetails
from ..errors import Conflict, InputError
from .tables import DayRecording, Event, ProgrammeSlot

# A recording may start this long before its room's first slot, or run this long after the last.
SLACK = dt.timedelta(hours=1)
CUT_SOURCES = ("programme", "detected", "staff")


def slots_in(session: Session, room: str, starts_at: dt.datetime, duration: float
             ) -> tuple[Event, list[ProgrammeSlot]]:
    """The programme slots of ``room`` that a recording starting at ``starts_at`` can hold, in
    programme order, and their event; a clear error when the programme has none."""
    ends_at = starts_at + dt.timedelta(seconds=duration)
    found = session.scalars(
        select(ProgrammeSlot)
        .where(ProgrammeSlot.start >= starts_at - SLACK, ProgrammeSlot.start < ends_at)
        .order_by(ProgrammeSlot.start)).all()
    wanted = room.strip().casefold()
    slots = [s for s in found if s.room.strip().casefold() == wanted]
    if not slots:
        rooms = sorted({s.room for s in found})
        known = f"; rooms then: {', '.join(rooms)}" if rooms else ""
        raise InputError(
            f"the programme has no slot in room '{room}' between {starts_at.isoformat()} and "
            f"{ends_at.isoformat()}{known}: import the programme first "
            "(talkarchive programme import FILE) or check --room and --starts-at")
    events = {s.event_id for s in slots}
    if len(events) > 1:
        raise InputError(f"room '{room}' has slots of {len(events)} events at that time")
    event = session.get(Event, slots[0].event_id)
    assert event is not None
    return event, slots


def talk_hash(recording: str, guid: str) -> str:
    """A cut talk's content address: its day recording and its slot, so cutting the same day
    again finds the same talks."""
    return hashlib.sha256(f"{recording}/{guid}".encode()).hexdigest()


def _language(value: str | None) -> str | None:
    code = (value or "").split("-")[0].strip().lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _licence(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if value in licences.LICENCES else None


def details_of(slot: ProgrammeSlot, event: Event, published: bool) -> TalkDetails:
    """What a talk takes from its slot: title and description, persons as speakers and as
    terms for the engine, the event, its date and place, the language and the licence."""
    return TalkDetails.model_validate({
        "title": slot.title, "description": slot.abstract or None,
        "speakers": list(slot.persons or [])[:20], "event": event.title, "date": slot.day,
        "town": event.place or None, "language": _language(slot.language),
        "glossary": list(slot.persons or [])[:50], "published": published,
        "licence": _licence(slot.licence)})


def cut_record(recording: str, start: float, end: float, source: str, confidence: float,
               reviewed: bool, evidence: list[str] | None = None) -> dict[str, Any]:
    """A talk's ``cut``; ``evidence``: what placed it, in words staff can check."""
    return {"recording": recording, "start": round(start, 3), "end": round(end, 3),
            "source": source, "confidence": round(confidence, 3), "reviewed": reviewed,
            "evidence": list(evidence or [])}


def day_view(day: tr.Transcript, row: DayRecording, slots: list[ProgrammeSlot],
             talks: dict[str, Any]) -> dict[str, Any]:
    """What staff review a day by: its speech, speakers and slides on one time line, and each
    slot's proposed cut (``talks``: talk id -> its ``cut``)."""
    speech: list[tuple[float, float, str | None]] = []
    for seg in day.segments:
        if speech and seg.start - speech[-1][1] < 2.5 and seg.speaker == speech[-1][2]:
            speech[-1] = (speech[-1][0], seg.end, seg.speaker)
        else:
            speech.append((seg.start, seg.end, seg.speaker))
    return {
        "recording": row.content_hash, "room": row.room, "starts_at": row.starts_at.isoformat(),
        "duration": row.duration, "name": row.original_name, "has_video": row.has_video,
        "speech": [{"start": round(a, 2), "end": round(b, 2), "speaker": who}
                   for a, b, who in speech],
        "slides": [{"start": s.start, "end": s.end, "text": s.text[:200]} for s in day.slides],
        "slots": [{"guid": s.guid, "title": s.title, "planned": (s.start - row.starts_at)
                   .total_seconds(), "duration": s.duration, "status": s.status.value,
                   "talk_id": s.talk_id, "cut": talks.get(s.talk_id or "")} for s in slots]}


def _shift_words(words: list[tr.Word], offset: float) -> list[tr.Word]:
    return [tr.Word(round(w.start - offset, 3), round(w.end - offset, 3), w.word, w.probability)
            for w in words]


def _inside(segments: list[tr.Segment], start: float, end: float) -> list[tr.Segment]:
    """The segments whose words fall into start..end (by each word's middle), words outside cut
    off."""
    out = []
    for seg in segments:
        words = [w for w in seg.words if start <= (w.start + w.end) / 2 <= end]
        if words:
            out.append(tr.Segment(words[0].start, words[-1].end, tr.segment_text(words), words,
                                  seg.speaker))
    return out


def _shift(segments: list[tr.Segment], offset: float) -> list[tr.Segment]:
    out = []
    for seg in segments:
        words = _shift_words(seg.words, offset)
        out.append(tr.Segment(round(seg.start - offset, 3), round(seg.end - offset, 3), seg.text,
                              words, seg.speaker))
    return out


def _slides(slides: list[tr.Slide], start: float, end: float) -> list[tr.Slide]:
    return [tr.Slide(round(max(s.start, start) - start, 3), round(min(s.end, end) - start, 3),
                     s.text, s.image) for s in slides if s.end > start and s.start < end]


def cut_transcript(day: tr.Transcript, talk_id: str, start: float, end: float,
                   recording: str) -> tr.Transcript:
    """A talk's transcript from the day's: the words between ``start`` and ``end``, in the
    talk's own time, with the slides it shows and the voices it has."""
    segments = _shift(_inside(day.segments, start, end), start)
    used = {s.speaker for s in segments if s.speaker}
    return tr.Transcript(
        talk_id=talk_id, language=day.language, duration=round(end - start, 3),
        segments=segments, provenance=replace(day.provenance),
        history=[{"at": now_iso(), "who": "cut", "recording": recording,
                  "start": round(start, 3), "end": round(end, 3)}],
        voices={k: v for k, v in day.voices.items() if k in used},
        slides=_slides(day.slides, start, end))


def recut_transcript(day: tr.Transcript, talk: tr.Transcript, old: tuple[float, float],
                     new: tuple[float, float], recording: str, who: str) -> tr.Transcript:
    """The talk's transcript after its cut moved from ``old`` to ``new`` (day seconds): where
    old and new overlap, the talk's own sentences with every staff correction; the rest from
    the day's transcript. Nothing is transcribed again."""
    kept = _shift(talk.segments, -old[0])  # back into day time
    lo, hi = max(old[0], new[0]), min(old[1], new[1])
    ours = _inside(kept, lo, hi) if lo < hi else []
    theirs = [s for s in _inside(day.segments, *new)
              if not ours or s.end <= ours[0].start or s.start >= ours[-1].end]
    merged = sorted(_inside(theirs, *new) + ours, key=lambda s: s.start)
    start, end = new
    voices = dict(day.voices) | dict(talk.voices)
    used = {s.speaker for s in merged if s.speaker}
    return tr.Transcript(
        talk_id=talk.talk_id, language=talk.language, duration=round(end - start, 3),
        segments=_shift(merged, start), provenance=talk.provenance,
        history=[*talk.history, {"at": now_iso(), "who": who, "recording": recording,
                                 "start": round(start, 3), "end": round(end, 3)}],
        voices={k: v for k, v in voices.items() if k in used},
        slides=_slides(day.slides, start, end), chapters=_moved(talk.chapters, old[0] - start,
                                                                end - start))


def _moved(chapters: list[Chapter] | None, shift: float, duration: float) -> list[Chapter] | None:
    """Stored chapters follow the talk's new second 0; those now outside it are dropped (the
    first one that starts before the new start begins at 0)."""
    if chapters is None:
        return None
    moved = sorted((replace(c, start=round(c.start + shift, 3)) for c in chapters),
                   key=lambda c: c.start)
    inside = [c for c in moved if 0 <= c.start < duration]
    before = [c for c in moved if c.start < 0]
    if before and not any(c.start == 0 for c in inside):
        inside.insert(0, replace(before[-1], start=0.0))
    return inside


def without(day: tr.Transcript, stretches: list[tuple[float, float]]) -> tr.Transcript:
    """The day's transcript without the words said in ``stretches`` (slots whose speakers
    opted out: what they said is not kept)."""
    def keep(w: tr.Word) -> bool:
        return not any(a <= (w.start + w.end) / 2 <= b for a, b in stretches)

    segments = []
    for seg in day.segments:
        words = [w for w in seg.words if keep(w)]
        if words:
            segments.append(tr.Segment(words[0].start, words[-1].end, tr.segment_text(words),
                                       words, seg.speaker))
    return replace(day, segments=segments)


def day_transcript_id(recording: str) -> str:
    """The id under which a day recording's transcript is kept beside the talks' (staff only)."""
    return f"day-{recording[:16]}"


def recording_of(session: Session, talk_cut: dict[str, Any] | None) -> DayRecording:
    if not talk_cut:
        raise Conflict("this talk was not cut out of a day recording", code="not_cut")
    found = session.get(DayRecording, talk_cut["recording"])
    if found is None:
        raise Conflict("the day recording of this talk is no longer kept", code="not_cut")
    return found
