"""The ingest pipeline: plain stage functions with explicit inputs and outputs.

probe -> hash (content address) -> 16 kHz audio -> transcribe -> media (original, web rendition,
poster) -> transcript JSON (source of truth) -> catalog row + outbox row in one transaction.
The index follows from the outbox (:func:`ingest.index.drain_outbox`). Anything that fails
leaves nothing behind: no catalog row, no index documents, no files of the failed talk.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import catalog as cat
from . import engines, index, media
from . import transcript as tr
from .errors import InputError
from .models import sha256_file
from .settings import Settings

Progress = Callable[[str, float, float], None]  # stage, done, total
MAX_FIELD = 2000


@dataclass
class TalkMeta:
    title: str | None = None
    event: str | None = None
    date: str | None = None
    speakers: list[str] = field(default_factory=list)
    town: str | None = None
    language: str | None = None
    description: str | None = None
    glossary: list[str] = field(default_factory=list)
    published: bool = True

    def validate(self) -> None:
        for name in ("title", "event", "town", "description"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_FIELD:
                raise InputError(f"{name} is longer than {MAX_FIELD} characters")
        if self.date:
            try:
                dt.date.fromisoformat(self.date)
            except ValueError:
                raise InputError(f"date {self.date!r} is not YYYY-MM-DD") from None
        if self.language and not (2 <= len(self.language) <= 3 and self.language.isalpha()):
            raise InputError(f"language {self.language!r} is not a language code such as de")


@dataclass
class IngestResult:
    talk: cat.Talk
    created: bool


def talk_id_for(content_hash: str) -> str:
    return content_hash[:16]


def _noop(stage: str, done: float, total: float) -> None:
    pass


def _store_original(settings: Settings, path: Path, content_hash: str) -> tuple[Path, bool]:
    target = settings.media_dir / "originals" / f"{content_hash}{path.suffix.lower()}"
    if target.exists():
        return target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    shutil.copyfile(path, tmp)
    os.replace(tmp, target)
    return target, True


def ingest_file(
    settings: Settings,
    catalog: cat.Catalog,
    path: Path,
    meta: TalkMeta,
    progress: Progress = _noop,
    original_name: str | None = None,
) -> IngestResult:
    """Turn one recording into a stored talk with its transcript; the index follows later.
    ``original_name`` is the file's name as its owner gave it (a queued upload waits under an
    internal name); it names the talk when there is no title."""
    original_name = original_name or path.name
    meta.validate()
    probe = media.probe(path)
    progress("hashing", 0, 1)
    content_hash = sha256_file(path)
    existing = catalog.by_hash(content_hash)
    if existing is not None and existing.status == "ready":
        return IngestResult(existing, created=False)
    talk_id = talk_id_for(content_hash)
    language = meta.language or settings.language
    options = engines.options_for(settings, language, probe.duration, meta.glossary)
    work = settings.work_dir / talk_id
    work.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        progress("extracting audio", 0, probe.duration)
        wav = work / "audio.wav"
        media.extract_audio(probe, wav)
        engine = engines.load_engine(settings)
        result = engines.transcribe_wav(
            engine, wav, probe.duration, options, settings.chunk_seconds,
            lambda t: progress("transcribing", min(t, probe.duration), probe.duration),
        )
        progress("storing media", 0, 1)
        original, new = _store_original(settings, path, content_hash)
        if new:
            written.append(original)
        if probe.web_playable:
            web = original
        else:
            web = media.make_web_rendition(probe, settings.media_dir / "web" / f"{talk_id}.mp4")
            written.append(web)
        poster: Path | None = settings.media_dir / "posters" / f"{talk_id}.jpg"
        assert poster is not None
        if media.make_poster(probe, poster):
            written.append(poster)
        else:
            poster = None
        transcript = tr.Transcript(
            talk_id=talk_id,
            language=language,
            duration=round(probe.duration, 3),
            segments=result.segments,
            provenance=result.provenance,
        )
        transcript_path = settings.transcripts_dir / f"{talk_id}.json"
        tr.save(transcript, transcript_path)
        written.append(transcript_path)
        talk = cat.Talk(
            id=talk_id,
            content_hash=content_hash,
            title=meta.title or Path(original_name).stem.replace("_", " "),
            event=meta.event,
            date=meta.date,
            year=int(meta.date[:4]) if meta.date else None,
            speakers=meta.speakers,
            town=meta.town,
            language=language,
            description=meta.description,
            duration=round(probe.duration, 3),
            status="ready",
            published=meta.published,
            original_name=original_name,
            original_path=str(original),
            media_path=str(web),
            poster_path=str(poster) if poster else None,
            has_video=probe.has_video,
            segment_count=len(transcript.segments),
        )
        with catalog.session() as session:
            session.merge(talk)
            index.queue_change(session, talk_id)
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return IngestResult(talk, created=True)
