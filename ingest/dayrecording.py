"""A room's day recording: transcribed once, cut into the talks of its programme, and re-cut
when staff move a cut.

probe -> wall-clock start -> the room's slots -> hash -> transcribe (each slot's part with its
own title and persons as the prompt) -> speakers -> slides -> place the cuts
(:mod:`ingest.cutting`) -> the day recording (content-addressed) and its transcript -> one talk
per placed slot (own media, transcript in its own time, details from the slot) -> catalog rows,
slot links and outbox rows in one transaction. A slot whose speakers opted out gets no talk, and
its words are not kept. Anything that fails leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from archive import catalog as cat
from archive import transcript as tr
from archive.errors import InputError, JobCancelled
from archive.paths import sha256_file, slides_dir, talk_id_for, transcript_path
from archive.programme import cuts
from archive.programme.tables import DayRecording, Event, ProgrammeSlot
from archive.search.outbox import queue_change
from archive.settings import Settings

from . import cut_media, cutting, engines, media, pipeline
from .pipeline import Progress, _Stored


@dataclass
class DayResult:
    recording: str  # content hash
    event: str  # slug
    placements: list[cutting.Placement]
    talks: dict[str, str]  # slot guid -> talk id
    created: bool


def wall_clock_start(probe: media.Probe, starts_at: dt.datetime | None) -> dt.datetime:
    """``--starts-at``, else the container's creation time; refused when neither is known."""
    if starts_at is not None:
        if starts_at.tzinfo is None:
            raise InputError("--starts-at needs a time zone, e.g. 2025-09-18T09:00+02:00")
        return starts_at
    found = cut_media.recorded_at(probe)
    if found is None:
        raise InputError(f"{probe.path.name}: when did the recording start? It has no "
                         "creation_time: give --starts-at, e.g. 2025-09-18T09:00+02:00")
    return found


def planned(slots: list[ProgrammeSlot], starts_at: dt.datetime) -> list[cutting.PlannedSlot]:
    return [cutting.PlannedSlot(
        s.guid, s.title, (s.start - starts_at).total_seconds(), float(s.duration),
        " ".join([s.title, s.abstract or "", *(s.persons or [])])) for s in slots]


def options_by_offset(settings: Settings, probe: media.Probe, slots: list[ProgrammeSlot],
                      starts_at: dt.datetime) -> Callable[[float], engines.TranscribeOptions]:
    """Each part of the day is transcribed with the prompt of the slot planned then: its title
    and persons (the programme runs late, so a part takes the slot that started last)."""
    starts = [((s.start - starts_at).total_seconds(), s) for s in slots]
    default = engines.options_for(settings, None, probe.duration)

    def at(offset: float) -> engines.TranscribeOptions:
        begun = [s for t, s in starts if t <= offset + 60]
        if not begun:
            return default
        slot = begun[-1]
        return engines.options_for(settings, cuts._language(slot.language), probe.duration,
                                   list(slot.persons or []), slot.title)
    return at


def transcribe_day(settings: Settings, probe: media.Probe, work: Path,
                   options_at: Callable[[float], engines.TranscribeOptions],
                   progress: Progress) -> tuple[tr.Transcript, pipeline.slides.SlideResult | None]:
    """The whole day, once: words, speakers and slides in day seconds."""
    progress("extracting audio", 0, probe.duration)
    wav = work / "audio.wav"
    media.extract_audio(probe, wav)
    engine = engines.load_engine(settings)
    result = engines.transcribe_wav(
        engine, wav, probe.duration, options_at(0.0), settings.chunk_seconds,
        lambda t: progress("transcribing", min(t, probe.duration), probe.duration),
        options_at=options_at)
    segments, voices, diarization = pipeline.speaker_turns(settings, wav, result.segments,
                                                           progress)
    result.provenance.diarization = diarization
    language = options_at(0.0).language
    found = pipeline.slide_text(settings, probe, work, language, progress)
    result.provenance.slides = found.provenance if found else None
    day = tr.Transcript(talk_id="", language=language, duration=round(probe.duration, 3),
                        segments=segments, provenance=result.provenance, voices=voices,
                        slides=found.slides if found else [])
    return day, found


def _word_ends(day: tr.Transcript) -> list[tuple[float, float]]:
    return [(w.start, w.end) for s in day.segments for w in s.words]


def _copy_start(probe: media.Probe, day: tr.Transcript, start: float) -> tuple[float, bool]:
    """Where the talk's media starts, and whether it can be copied: on a keyframe in the pause
    before its first word when there is one (never before the word before it)."""
    if not probe.web_playable:
        return start, False
    before = [e for _, e in _word_ends(day) if e <= start + 0.001]
    earliest = max(before[-1] + 0.05 if before else 0.0, start - 3.0)
    found = cut_media.copy_point(probe, start, earliest)
    return (found, True) if found is not None else (start, False)


def _media_files(settings: Settings, probe: media.Probe, talk_id: str, start: float,
                 end: float, copy: bool, stored: _Stored) -> tuple[Path, Path, Path | None]:
    own = cut_media.cut(probe, start, end, settings.media_dir / "cuts" / f"{talk_id}.mp4", copy)
    stored.add(own)
    poster = settings.media_dir / "posters" / f"{talk_id}.jpg"
    if not media.make_poster(media.probe(own), poster):
        return own, own, None
    return own, own, stored.add(poster)


def _slide_images(settings: Settings, source: Path, talk: tr.Transcript, stored: _Stored) -> None:
    names = {s.image for s in talk.slides if s.image and (source / s.image).is_file()}
    if not names:
        return
    folder = slides_dir(settings, talk.talk_id)
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(source / name, stored.add(folder / name))


@dataclass
class _Day:
    recording: str
    probe: media.Probe
    transcript: tr.Transcript
    event: Event
    name: str
    starts_at: dt.datetime


def make_talk(settings: Settings, day: _Day, slot: ProgrammeSlot, placed: cutting.Placement,
              stored: _Stored) -> cat.Talk:
    """One placed slot as an ordinary talk: own media, transcript in its own time, details
    from the slot, and its ``cut``."""
    assert placed.start is not None and placed.end is not None
    content_hash = cuts.talk_hash(day.recording, slot.guid)
    talk_id = talk_id_for(content_hash)
    start, copy = _copy_start(day.probe, day.transcript, placed.start)
    files = _media_files(settings, day.probe, talk_id, start, placed.end, copy, stored)
    own = cuts.cut_transcript(day.transcript, talk_id, start, placed.end, day.recording)
    tr.save(own, stored.add(transcript_path(settings, talk_id)))
    _slide_images(settings, slides_dir(settings, cuts.day_transcript_id(day.recording)), own,
                  stored)
    confident = placed.status == cutting.Placed.CUT
    meta = cuts.details_of(slot, day.event, published=confident)
    at = (day.starts_at + dt.timedelta(seconds=start)).astimezone(dt.UTC).strftime("%H%M")
    talk = pipeline.catalog_row(
        talk_id, content_hash, meta, f"{day.name} {slot.room} {at}", media.probe(files[0]),
        files, meta.language or day.transcript.language, len(own.segments),
        meta.licence or settings.default_licence)
    talk.cut = cuts.cut_record(day.recording, start, placed.end, "detected", placed.confidence,
                               reviewed=False, evidence=placed.reasons)
    return talk


def _existing(catalog: cat.Catalog, recording: str, slots: list[ProgrammeSlot]
              ) -> DayResult | None:
    """The same day recording again: nothing is done, its talks are reported."""
    with catalog.session() as session:
        row = session.get(DayRecording, recording)
        if row is None:
            return None
        event = session.get(Event, row.event_id) if row.event_id else None
        talks = {s.guid: s.talk_id for s in slots if s.talk_id}
    return DayResult(recording, event.slug if event else "", [], talks, created=False)


def _store_day(settings: Settings, path: Path, probe: media.Probe, recording: str,
               day: tr.Transcript, found: pipeline.slides.SlideResult | None,
               stored: _Stored) -> Path:
    """The day recording (content-addressed), its transcript and its slides, kept for staff
    and for moving cuts."""
    original, new = pipeline._store_original(settings, path, recording)
    if new:
        stored.add(original)
    day.talk_id = cuts.day_transcript_id(recording)
    tr.save(day, stored.add(transcript_path(settings, day.talk_id)))
    pipeline.store_slides(settings, day.talk_id, found, stored)
    return original


def _commit(catalog: cat.Catalog, row: DayRecording, talks: dict[str, cat.Talk],
            placements: list[cutting.Placement], job_id: str | None) -> None:
    review = {p.guid for p in placements if p.status == cutting.Placed.NEEDS_REVIEW}
    with catalog.exclusive(cat.TALK_LOCK), catalog.session() as session:
        if job_id is not None and session.get(cat.Job, job_id) is None:
            raise JobCancelled(f"day recording {row.content_hash[:16]} was deleted meanwhile")
        session.merge(row)
        for guid, talk in talks.items():
            session.merge(talk)
            session.query(cat.DeletedTalk).filter_by(id=talk.id).delete()
            queue_change(session, talk.id)
            slot = session.scalars(select(ProgrammeSlot).where(
                ProgrammeSlot.event_id == row.event_id, ProgrammeSlot.guid == guid)).one()
            slot.talk_id, slot.needs_review = talk.id, guid in review


def ingest_day(settings: Settings, catalog: cat.Catalog, path: Path, room: str,
               starts_at: dt.datetime | None = None, progress: Progress = pipeline._noop,
               original_name: str | None = None, job_id: str | None = None) -> DayResult:
    """Transcribe a room's day recording once and cut it into its programme's talks."""
    name = original_name or path.name
    probe = media.probe(path)
    begins = wall_clock_start(probe, starts_at)
    with catalog.session() as session:
        event, slots = cuts.slots_in(session, room, begins, probe.duration)
        session.expunge_all()
    progress("hashing", 0, 1)
    recording = sha256_file(path)
    if (done := _existing(catalog, recording, slots)) is not None:
        return done
    work = settings.work_dir / f"day-{recording[:16]}"
    work.mkdir(parents=True, exist_ok=True)
    stored = _Stored()
    try:
        transcript, found = transcribe_day(settings, probe, work,
                                           options_by_offset(settings, probe, slots, begins),
                                           progress)
        progress("cutting", 0, 1)
        placements = cutting.place(transcript.segments, transcript.slides,
                                   planned(slots, begins), probe.duration)
        by_guid = {s.guid: s for s in slots}
        opted_out = [(p.start, p.end) for p in placements if by_guid[p.guid].do_not_record
                     and p.start is not None and p.end is not None]
        transcript = cuts.without(transcript, opted_out)
        original = _store_day(settings, path, probe, recording, transcript, found, stored)
        day = _Day(recording, probe, transcript, event, Path(name).stem, begins)
        talks = {p.guid: make_talk(settings, day, by_guid[p.guid], p, stored)
                 for p in placements
                 if p.status != cutting.Placed.MISSING and not by_guid[p.guid].do_not_record}
        row = DayRecording(content_hash=recording, event_id=event.id, room=slots[0].room,
                           starts_at=begins, duration=round(probe.duration, 3),
                           original_name=name[:500], original_path=str(original),
                           has_video=probe.has_video)
        _commit(catalog, row, talks, placements, job_id)
    except BaseException:
        stored.remove()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return DayResult(recording, event.slug, placements, {g: t.id for g, t in talks.items()},
                     created=True)


def _zone_of_room(catalog: cat.Catalog, room: str) -> ZoneInfo | None:
    """The time zone of the events that have a room of this name (a form's local time is
    meant there); None when they disagree or none has it."""
    with catalog.session() as session:
        zones = set(session.scalars(
            select(Event.timezone).join(ProgrammeSlot, ProgrammeSlot.event_id == Event.id)
            .where(ProgrammeSlot.room == room.strip()).distinct()))
    return ZoneInfo(zones.pop()) if len(zones) == 1 else None


def check_day(catalog: cat.Catalog, probe: media.Probe, room: str, starts_at: str | None
              ) -> dict[str, str | None]:
    """An upload's day-recording fields, checked before it is queued: a known start (a local
    time is taken in the room's event's time zone) and slots of that room at that time."""
    begins: dt.datetime | None = None
    if starts_at and starts_at.strip():
        try:
            begins = dt.datetime.fromisoformat(starts_at.strip())
        except ValueError:
            raise InputError(f"starts_at {starts_at!r}: not a time, e.g. "
                             "2025-09-18T09:00+02:00") from None
        if begins.tzinfo is None:
            zone = _zone_of_room(catalog, room)
            if zone is None:
                raise InputError(f"starts_at {starts_at!r} needs its time zone (+02:00)")
            begins = begins.replace(tzinfo=zone)
    begins = wall_clock_start(probe, begins)
    with catalog.session() as session:
        cuts.slots_in(session, room, begins, probe.duration)
    return {"room": room.strip(), "starts_at": begins.isoformat()}
