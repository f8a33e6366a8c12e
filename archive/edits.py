"""Staff changes to a talk: metadata, publish/unpublish, corrections, deletion (GDPR).

Each change commits the catalog and an outbox row together; the index follows when the outbox
is drained (within seconds: the API drains it right after the change)."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path
from typing import Any

from . import catalog as cat
from . import details
from . import transcript as tr
from .catalog import TALK_LOCK
from .clock import now, now_iso
from .errors import InputError, NotFound
from .paths import slides_dir, transcript_path
from .programme import cuts
from .search.outbox import queue_change
from .semantic.vectors import legacy_path, vectors_path
from .settings import Settings

MAX_SEGMENT_TEXT = 5000


def update(catalog: cat.Catalog, talk_id: str, data: dict[str, Any]) -> cat.Talk:
    """Change a talk's details (:func:`archive.details.changes` validates them)."""
    changes = details.changes(data)
    with catalog.session() as s:
        talk = cat.find_talk(s, talk_id)
        was_public = talk.published
        for key, value in changes.items():
            setattr(talk, key, value)
        if was_public and not talk.published:  # harvesters learn it is gone (OAI-PMH)
            s.merge(cat.DeletedTalk(id=talk_id, deleted_at=now()))
        if "date" in changes:
            talk.year = int(changes["date"][:4]) if changes["date"] else None
        queue_change(s, talk_id)
    return catalog.get(talk_id)  # type: ignore[return-value]


def _retime(old: list[tr.Word], text: str, start: float, end: float) -> list[tr.Word]:
    """Words of the corrected text: timings kept where the word still matches, interpolated
    between the neighbouring kept timings elsewhere."""
    new_tokens = text.split()
    old_tokens = [w.word.strip() for w in old]
    words: list[tr.Word | None] = [None] * len(new_tokens)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            w = old[block.a + k]
            words[block.b + k] = tr.Word(w.start, w.end, " " + new_tokens[block.b + k],
                                         w.probability)
    i = 0
    while i < len(words):
        if words[i] is not None:
            i += 1
            continue
        j = i
        while j < len(words) and words[j] is None:
            j += 1
        left = words[i - 1].end if i > 0 and words[i - 1] else start  # type: ignore[union-attr]
        right = words[j].start if j < len(words) and words[j] else end  # type: ignore[union-attr]
        step = max(right - left, 0.0) / (j - i)
        for k in range(i, j):
            a = round(left + (k - i) * step, 3)
            words[k] = tr.Word(a, round(a + step, 3), " " + new_tokens[k], None)
        i = j
    return [w for w in words if w is not None]


def correct_segment(settings: Settings, catalog: cat.Catalog, talk_id: str, n: int, text: str,
                    who: str) -> tr.Segment:
    text = " ".join(text.split())
    if not text:
        raise InputError("the corrected text is empty")
    if len(text) > MAX_SEGMENT_TEXT:
        raise InputError(f"the corrected text is longer than {MAX_SEGMENT_TEXT} characters")
    with catalog.session() as s:
        talk = cat.find_talk(s, talk_id)
        path = transcript_path(settings, talk.id)
        transcript = tr.load(path)
        if not 0 <= n < len(transcript.segments):
            raise NotFound(f"talk {talk_id} has no segment {n}")
        seg = transcript.segments[n]
        before = seg.text
        seg.words = _retime(seg.words, text, seg.start, seg.end)
        seg.text = tr.segment_text(seg.words)
        transcript.history.append({
            "at": now_iso(),
            "who": who, "segment": n, "before": before, "after": seg.text,
        })
        tr.save(transcript, path)
        queue_change(s, talk_id)
    return seg


def delete(settings: Settings, catalog: cat.Catalog, talk_id: str) -> list[Path]:
    """Remove everything of a talk (GDPR): media, transcript, catalog row, voice samples, its
    jobs with their uploads, what a job left in the work dir, and (through the outbox) the
    index documents. A talk still being transcribed can be deleted too: its job rows go, and
    the job finds them gone when it would store the talk (:data:`TALK_LOCK` serialises the
    two), so it stores nothing."""
    with catalog.exclusive(TALK_LOCK), catalog.session() as s:
        talk = s.get(cat.Talk, talk_id) if len(talk_id) <= 32 else None
        job_rows = s.query(cat.Job).filter_by(talk_id=talk_id).all() if len(talk_id) <= 32 else []
        if talk is None and not job_rows:
            cat.find_talk(s, talk_id)  # the one NotFound
        files = [Path(j.upload_path) for j in job_rows if j.upload_path]
        cut = dict(talk.cut) if talk is not None and talk.cut else None
        if talk is not None:
            files += [Path(p) for p in (talk.original_path, talk.media_path, talk.poster_path) if p]
            if talk.published:  # for harvesters: the id and when, nothing more; a talk never
                s.merge(cat.DeletedTalk(id=talk_id, deleted_at=now()))  # public leaves no trace
            s.delete(talk)
        files += [transcript_path(settings, talk_id), vectors_path(settings, talk_id),
                  legacy_path(settings, talk_id)]
        for job in job_rows:
            s.delete(job)
        s.query(cat.VoiceSample).filter_by(talk_id=talk_id).delete()  # the voice goes too
        queue_change(s, talk_id, cat.OutboxAction.DELETE)
    catalog.scrub()
    if cut is not None:
        _forget_in_day(settings, cut)
    removed = [f for f in dict.fromkeys(files) if _unlink(f)]
    for work in (settings.work_dir / talk_id, settings.work_dir / f"{talk_id}-rediarize",
                 slides_dir(settings, talk_id)):
        if work.is_dir():
            shutil.rmtree(work, ignore_errors=True)
            removed.append(work)
    return removed


def _forget_in_day(settings: Settings, cut: dict[str, Any]) -> None:
    """A talk cut out of a day recording: its words leave the day's transcript too, so moving
    another cut cannot bring them back. (The day recording's file itself stays, staff only.)"""
    path = transcript_path(settings, cuts.day_transcript_id(str(cut["recording"])))
    if path.is_file():
        day = tr.load(path)
        tr.save(cuts.without(day, [(float(cut["start"]), float(cut["end"]))]), path)


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True

