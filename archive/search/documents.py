"""Index documents, made from a talk's catalog row and its transcript on disk.

Segment documents carry the start of every word, so a hit knows the second its matched word
was said; ids are deterministic (``{talk}-{n:05d}``): re-running an ingest never duplicates.
A talk document holds the talk's metadata and every sentence as an array item (a phrase never
matches across two sentences), in parts ``text.p0``, ``text.p1``, ... because Meilisearch
indexes at most 65,535 word positions per attribute.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .. import catalog as cat
from .. import transcript as tr
from ..german import index_variants, use_cache
from ..paths import transcript_path
from ..semantic import vectors
from ..settings import Settings
from .schema import EMBEDDER, PART_POSITIONS, SENTENCE_GAP

Document = dict[str, Any]


def _meta(talk: cat.Talk) -> Document:
    return {
        "talk_id": talk.id,
        "title": talk.title,
        "event": talk.event,
        "date": talk.date,
        "has_poster": bool(talk.poster_path),
        "year": talk.year,
        "town": talk.town,
        "speakers": talk.all_speakers(),
        "language": talk.language,
        "published": talk.published,
    }


def segment_documents(transcript: tr.Transcript, talk: cat.Talk) -> Iterator[Document]:
    """The segment documents of one talk: its sentences, then the text of its slides (marked
    ``slide``, found from the second the slide appears), numbered on after the sentences."""
    meta = _meta(talk)
    names = talk.speaker_names or {}
    for i, seg in enumerate(transcript.segments):
        yield {
            "id": f"{talk.id}-{i:05d}",
            "idx": i,
            "start": seg.start,
            "end": seg.end,
            "text": seg.text,
            "text_alt": index_variants(seg.text),
            "word_starts": [w.start for w in seg.words if w.word.strip()],
            "speaker": (names.get(seg.speaker) or seg.speaker) if seg.speaker else None,
            **meta,
        }
    first = len(transcript.segments)
    for i, slide in enumerate(transcript.slides, start=first):
        text = " ".join(slide.text.split())
        yield {"id": f"{talk.id}-{i:05d}", "idx": i, "start": slide.start, "end": slide.end,
               "text": text, "text_alt": index_variants(text), "word_starts": [],
               "speaker": None, "slide": True, **meta}


def talk_document(talk: cat.Talk, segments: list[Document]) -> Document:
    """The talk index's document: metadata and every sentence, in parts that each stay well
    under the positions Meilisearch indexes per attribute."""
    text: dict[str, list[str]] = {}
    alt: dict[str, list[str]] = {}
    part, used = 0, 0
    for seg in segments:
        cost = len(seg["text"].split()) + len(seg["text_alt"].split()) + SENTENCE_GAP
        if used and used + cost > PART_POSITIONS:
            part, used = part + 1, 0
        used += cost
        text.setdefault(f"p{part}", []).append(seg["text"])
        if seg["text_alt"]:
            alt.setdefault(f"p{part}", []).append(seg["text_alt"])
    return {"id": talk.id, **_meta(talk), "description": talk.description, "text": text,
            "text_alt": alt}


def add_vectors(segments: list[Document], stored: vectors.Stored | None) -> None:
    """Search by meaning: each segment document's stored vector, ``null`` where it has none
    (Meilisearch fails a whole batch over a document without the embedder's key)."""
    for doc in segments:
        doc["_vectors"] = {EMBEDDER: vectors.for_index(stored, doc["idx"])}


def talk_documents(settings: Settings, talk: cat.Talk) -> tuple[list[Document], Document] | None:
    """A talk's segment documents and its talk document, from its transcript on disk
    (None when there is none)."""
    use_cache(settings.cache_dir)
    path = transcript_path(settings, talk.id)
    if not path.exists():
        return None
    transcript = tr.load(path)
    segments = list(segment_documents(transcript, talk))
    if settings.semantic:
        add_vectors(segments, vectors.load(settings, talk.id))
    return segments, talk_document(talk, segments)


def batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """Bounded requests: never the whole archive in one."""
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
