"""The ingest pipeline: plain stage functions with explicit inputs and outputs.

probe -> hash (content address) -> 16 kHz audio -> transcribe -> speaker turns -> media
(original, web rendition, poster) -> transcript JSON (source of truth) -> catalog row + outbox
row in one transaction.
The index follows from the outbox (:func:`archive.search.outbox.drain_outbox`). Anything that
fails leaves nothing behind: no catalog row, no index documents, no files of the failed talk.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import catalog as cat
from archive import speakers
from archive import transcript as tr
from archive.clock import now_iso
from archive.details import TalkDetails
from archive.errors import JobCancelled, MediaError
from archive.paths import original_path, sha256_file, slides_dir, talk_id_for, transcript_path
from archive.search.outbox import queue_change
from archive.semantic.fill import fill_talk
from archive.semantic.vectors import vectors_path
from archive.settings import Settings

from . import diarize, engines, media, slides

log = logging.getLogger("talkarchive.ingest")
Progress = Callable[[str, float, float], None]  # stage, done, total


@dataclass
class IngestResult:
    talk: cat.Talk
    created: bool


@dataclass
class _Stored:
    """Files a run has written so far: removed again when a later stage fails."""

    written: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)  # made for this talk alone

    def add(self, path: Path) -> Path:
        self.written.append(path)
        return path

    def remove(self) -> None:
        for path in self.written:
            path.unlink(missing_ok=True)
        for folder in self.folders:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def _noop(stage: str, done: float, total: float) -> None:
    pass


def _store_original(settings: Settings, path: Path, content_hash: str) -> tuple[Path, bool]:
    target = original_path(settings, content_hash, path.suffix)
    if target.exists():
        return target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    shutil.copyfile(path, tmp)
    os.replace(tmp, target)
    return target, True


def transcribe(settings: Settings, probe: media.Probe, work: Path, options: engines.TranscribeOptions,
               progress: Progress) -> engines.EngineResult:
    """16 kHz mono audio, then the engine, in bounded chunks."""
    progress("extracting audio", 0, probe.duration)
    wav = work / "audio.wav"
    media.extract_audio(probe, wav)
    engine = engines.load_engine(settings)
    return engines.transcribe_wav(
        engine, wav, probe.duration, options, settings.chunk_seconds,
        lambda t: progress("transcribing", min(t, probe.duration), probe.duration),
    )


def speaker_turns(settings: Settings, wav: Path, segments: list[tr.Segment], progress: Progress
                  ) -> tuple[list[tr.Segment], dict[str, tr.Voice], dict[str, Any] | None]:
    """Who said each sentence (``TALKARCHIVE_DIARIZE``): segments cut at speaker changes, each
    label's voice, and the diarizer's provenance. Off: the segments as they are."""
    if not settings.diarize:
        return segments, {}, None
    progress("finding speakers", 0, 1)
    found = diarize.diarize(settings, wav)
    progress("finding speakers", 1, 1)
    engines.release_memory()
    return diarize.assign_speakers(segments, found.turns), found.voices, found.provenance


def slide_text(settings: Settings, probe: media.Probe, work: Path, language: str,
               progress: Progress) -> slides.SlideResult | None:
    """The text of the video's slides (``TALKARCHIVE_SLIDES``); None for audio, or when off.
    Slides that cannot be read leave the talk without slide text, not without a transcript:
    the reason is logged and kept in the provenance."""
    if not (settings.slides and probe.has_video):
        return None
    progress("reading slides", 0, 1)
    options = slides.options_for(language)
    try:
        result = slides.detect(probe, work, options)
    except MediaError as exc:
        log.warning("%s: no slide text: %s", probe.path.name, exc)
        return slides.SlideResult([], {}, {"error": str(exc)})
    progress("reading slides", 1, 1)
    return result


def store_slides(settings: Settings, talk_id: str, found: slides.SlideResult | None,
                 stored: _Stored) -> None:
    """The slides' thumbnails, below the talk's slide folder."""
    if found is None or not found.thumbnails:
        return
    folder = slides_dir(settings, talk_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored.folders.append(folder)
    for name, source in found.thumbnails.items():
        shutil.copyfile(source, stored.add(folder / name))


def store_media(settings: Settings, path: Path, probe: media.Probe, content_hash: str,
                talk_id: str, stored: _Stored) -> tuple[Path, Path, Path | None]:
    """The original (content-addressed), a web rendition where needed, and a poster frame."""
    original, new = _store_original(settings, path, content_hash)
    if new:
        stored.add(original)
    web = original
    if not probe.web_playable:
        web = stored.add(media.make_web_rendition(probe, settings.media_dir / "web" / f"{talk_id}.mp4"))
    poster = settings.media_dir / "posters" / f"{talk_id}.jpg"
    if not media.make_poster(probe, poster):
        return original, web, None
    return original, web, stored.add(poster)


def catalog_row(talk_id: str, content_hash: str, meta: TalkDetails, original_name: str,
                probe: media.Probe, files: tuple[Path, Path, Path | None], language: str,
                segment_count: int, licence: str) -> cat.Talk:
    original, web, poster = files
    return cat.Talk(
        id=talk_id, content_hash=content_hash,
        title=meta.title or Path(original_name).stem.replace("_", " ")[:500],
        event=meta.event, date=meta.date, year=meta.year, speakers=meta.speakers,
        town=meta.town, language=language, description=meta.description, licence=licence,
        glossary=meta.glossary,
        duration=round(probe.duration, 3), status=cat.TalkStatus.READY.value,
        published=meta.published, original_name=original_name[:500],
        original_path=str(original), media_path=str(web),
        poster_path=str(poster) if poster else None, has_video=probe.has_video,
        segment_count=segment_count,
    )


def embed_sentences(settings: Settings, talk_id: str, stored: _Stored,
                    progress: Progress) -> None:
    """Every sentence's vector for search by meaning, stored beside the transcript (a model
    that cannot load leaves the talk to be found by its words alone; logged)."""
    if not settings.semantic:
        return
    progress("embedding", 0, 1)
    stored.add(vectors_path(settings, talk_id))
    fill_talk(settings, talk_id)
    progress("embedding", 1, 1)


def ingest_file(
    settings: Settings,
    catalog: cat.Catalog,
    path: Path,
    meta: TalkDetails,
    progress: Progress = _noop,
    original_name: str | None = None,
    job_id: str | None = None,
) -> IngestResult:
    """Turn one recording into a stored talk with its transcript; the index follows later.
    ``original_name`` is the file's name as its owner gave it (a queued upload waits under an
    internal name); it names the talk when there is no title. With ``job_id``, nothing is stored
    when that job's row is gone by then (the talk was deleted meanwhile)."""
    original_name = original_name or path.name
    probe = media.probe(path)
    progress("hashing", 0, 1)
    content_hash = sha256_file(path)
    existing = catalog.by_hash(content_hash)
    if existing is not None and existing.status == cat.TalkStatus.READY:
        return IngestResult(existing, created=False)
    talk_id = talk_id_for(content_hash)
    language = meta.language or settings.language
    options = engines.options_for(settings, language, probe.duration, meta.glossary,
                                  meta.title, name=original_name)
    work = settings.work_dir / talk_id
    work.mkdir(parents=True, exist_ok=True)
    stored = _Stored()
    try:
        result = transcribe(settings, probe, work, options, progress)
        segments, voices, diarization = speaker_turns(settings, work / "audio.wav",
                                                      result.segments, progress)
        result.provenance.diarization = diarization
        found = slide_text(settings, probe, work, language, progress)
        result.provenance.slides = found.provenance if found else None
        progress("storing media", 0, 1)
        files = store_media(settings, path, probe, content_hash, talk_id, stored)
        store_slides(settings, talk_id, found, stored)
        transcript = tr.Transcript(talk_id=talk_id, language=language,
                                   duration=round(probe.duration, 3), segments=segments,
                                   provenance=result.provenance, voices=voices,
                                   slides=found.slides if found else [])
        tr.save(transcript, stored.add(transcript_path(settings, talk_id)))
        embed_sentences(settings, talk_id, stored, progress)
        talk = catalog_row(talk_id, content_hash, meta, original_name, probe, files, language,
                           len(transcript.segments), meta.licence or settings.default_licence)
        with catalog.exclusive(cat.TALK_LOCK), catalog.session() as session:
            if job_id is not None and session.get(cat.Job, job_id) is None:
                raise JobCancelled(f"talk {talk_id} was deleted while it was transcribed")
            session.merge(talk)
            session.query(cat.DeletedTalk).filter_by(id=talk_id).delete()  # back again
            queue_change(session, talk_id)
    except BaseException:
        stored.remove()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return IngestResult(talk, created=True)


def rediarize(settings: Settings, catalog: cat.Catalog, talk_id: str,
              progress: Progress = _noop) -> tr.Transcript:
    """Find the speaker turns of a stored talk again. Its sentences and words (with every staff
    correction) are kept and only re-cut where the speaker changes; names follow their voices
    to the new labels (:func:`archive.speakers.carry_names`)."""
    talk = speakers.talk_or_404(catalog, talk_id)
    path = transcript_path(settings, talk.id)
    transcript = tr.load(path)
    work = settings.work_dir / f"{talk.id}-rediarize"
    work.mkdir(parents=True, exist_ok=True)
    try:
        progress("extracting audio", 0, 1)
        wav = work / "audio.wav"
        media.extract_audio(media.probe(Path(talk.original_path)), wav)
        progress("finding speakers", 0, 1)
        found = diarize.diarize(settings, wav)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    old_voices = transcript.voices
    unlabelled = [tr.Segment(s.start, s.end, s.text, s.words, None) for s in transcript.segments]
    transcript.segments = diarize.assign_speakers(unlabelled, found.turns)
    transcript.voices = found.voices
    transcript.provenance.diarization = found.provenance
    transcript.history.append({"at": now_iso(), "who": "rediarize", "speakers": len(found.voices)})
    tr.save(transcript, path)
    speakers.carry_names(catalog, talk.id, old_voices, found.voices, len(transcript.segments))
    progress("finding speakers", 1, 1)
    return transcript
