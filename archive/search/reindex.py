"""The search indexes: one Meilisearch document per transcript segment, and one per talk.

Segment documents carry the start of every word, so a hit knows the second its matched word
was said; ids are deterministic (``{talk}-{n}``): re-running an ingest never duplicates.
The talk index (``{index}_talks``) holds one document per talk with its whole transcript and
its metadata: it ranks, pages, counts and facets talks without Meilisearch's ``distinct``,
which at a million segments costs more than the whole search may take (README, Performance).
A talk's text is split into parts (``text.p0``, ``text.p1``, ...) because Meilisearch indexes
at most 65,535 word positions per attribute; sentences are array items, so a phrase never
matches across two sentences.

Both are derived: :func:`reindex` rebuilds them from the transcripts alone into fresh indexes
and swaps both in at once, so search never goes dark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import catalog as cat
from . import transcript as tr
from .errors import SearchError
from .german import index_variants, use_cache
from .meili import MeiliClient
from .settings import Settings

SCHEMA_VERSION = 3
FACETS = ["event", "year", "town", "speakers", "language"]
TALK_FIELDS = ["talk_id", "title", "event", "date", "town", "speakers", "has_poster"]
PART_POSITIONS = 30_000  # well under Meilisearch's 65,535 positions per attribute
SENTENCE_GAP = 8  # positions Meilisearch puts between two array items
INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["text", "text_alt"],
    "displayedAttributes": ["*"],
    "filterableAttributes": ["talk_id", "idx", "published", *FACETS],
    "sortableAttributes": ["start", "year"],
    "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8}},
    "faceting": {"maxValuesPerFacet": 200},
    "pagination": {"maxTotalHits": 100000},
    "stopWords": [],
}
TALK_INDEX_SETTINGS: dict[str, Any] = {
    **INDEX_SETTINGS,
    "filterableAttributes": ["published", *FACETS],
    "sortableAttributes": ["date", "year"],
}


def talks_uid(uid: str) -> str:
    """The talk index that belongs to the segment index ``uid``."""
    return f"{uid}_talks"


def _meta(talk: cat.Talk) -> dict[str, Any]:
    return {
        "talk_id": talk.id,
        "title": talk.title,
        "event": talk.event,
        "date": talk.date,
        "has_poster": bool(talk.poster_path),
        "year": talk.year,
        "town": talk.town,
        "speakers": list(talk.speakers or []),
        "language": talk.language,
        "published": talk.published,
    }


def documents(transcript: tr.Transcript, talk: cat.Talk) -> Iterator[dict[str, Any]]:
    """The segment documents of one talk."""
    meta = _meta(talk)
    for i, seg in enumerate(transcript.segments):
        yield {
            "id": f"{talk.id}-{i:05d}",
            "idx": i,
            "start": seg.start,
            "end": seg.end,
            "text": seg.text,
            "text_alt": index_variants(seg.text),
            "word_starts": [w.start for w in seg.words if w.word.strip()],
            **meta,
        }


def talk_document(talk: cat.Talk, segments: list[dict[str, Any]]) -> dict[str, Any]:
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
    return {"id": talk.id, **_meta(talk), "text": text, "text_alt": alt}


def _batches(docs: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _exists(client: MeiliClient, uid: str) -> bool:
    try:
        client.request("GET", f"/indexes/{uid}")
    except SearchError as exc:
        if exc.code == "index_not_found":
            return False
        raise
    return True


def _create_missing(client: MeiliClient, uid: str) -> None:
    if not _exists(client, uid):
        client.wait(client.request("POST", "/indexes", json={"uid": uid, "primaryKey": "id"}))


def create_index(client: MeiliClient, uid: str, settings: dict[str, Any] | None = None) -> None:
    _create_missing(client, uid)
    client.wait(client.request("PATCH", f"/indexes/{uid}/settings",
                               json=INDEX_SETTINGS if settings is None else settings))


def _schema_key(settings: Settings) -> str:
    return f"{settings.meili_index}.schema_version"


def ensure_index(settings: Settings, client: MeiliClient, catalog: cat.Catalog,
                 progress: Callable[[int, int], None] | None = None) -> bool:
    """Make the indexes exist with the current settings; rebuild (and swap in) on a schema
    change or when one was lost. Returns True when a rebuild ran."""
    if not needs_rebuild(settings, client, catalog):
        return False
    reindex(settings, client, catalog, progress)
    return True


def needs_rebuild(settings: Settings, client: MeiliClient, catalog: cat.Catalog) -> bool:
    """True when an index is missing or was built for another schema version."""
    uid = settings.meili_index
    return not (catalog.meta_get(_schema_key(settings)) == str(SCHEMA_VERSION)
                and _exists(client, uid) and _exists(client, talks_uid(uid)))


def talk_documents(settings: Settings, talk: cat.Talk) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """A talk's segment documents and its talk document, from its transcript on disk
    (None when there is none)."""
    use_cache(settings.cache_dir)
    path = settings.transcripts_dir / f"{talk.id}.json"
    if not path.exists():
        return None
    segments = list(documents(tr.load(path), talk))
    return segments, talk_document(talk, segments)


def reindex(settings: Settings, client: MeiliClient, catalog: cat.Catalog,
            progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild both indexes from the transcripts into new indexes, then swap both in with one
    task (when there is no live index yet, nobody is searching it: it is filled directly).
    Returns the number of segment documents."""
    uid, talks_index = settings.meili_index, talks_uid(settings.meili_index)
    high_water = catalog.outbox_high_water()
    live = _exists(client, uid) or _exists(client, talks_index)
    # (live name, name it is built under) for the segment and the talk index
    pairs = [(name, f"{name}__rebuild" if live else name) for name in (uid, talks_index)]
    for (_, target), index_settings in zip(pairs, (INDEX_SETTINGS, TALK_INDEX_SETTINGS), strict=True):
        if live and _exists(client, target):
            client.wait(client.request("DELETE", f"/indexes/{target}"))
        create_index(client, target, index_settings)
    (_, seg_target), (_, talk_target) = pairs
    talks = [t for t in catalog.talks() if t.status == "ready"]
    total = sum(t.segment_count for t in talks)
    sent = 0
    tasks = []
    pending_talks: list[dict[str, Any]] = []
    pending_size = 0
    for talk in talks:
        docs = talk_documents(settings, talk)
        if docs is None:
            continue
        segments, talk_doc = docs
        for batch in _batches(segments, settings.index_batch_size):
            tasks.append(client.request("POST", f"/indexes/{seg_target}/documents", json=batch))
        pending_talks.append(talk_doc)
        pending_size += len(segments)
        if pending_size >= settings.index_batch_size:
            tasks.append(client.request("POST", f"/indexes/{talk_target}/documents", json=pending_talks))
            pending_talks, pending_size = [], 0
        sent += len(segments)
        if progress:
            progress(sent, total)
    if pending_talks:
        tasks.append(client.request("POST", f"/indexes/{talk_target}/documents", json=pending_talks))
    for task in tasks:
        client.wait(task)
    if live:
        for name, _ in pairs:  # a swap needs both sides; an empty stand-in is enough
            _create_missing(client, name)
        client.wait(client.request("POST", "/swap-indexes",
                                   json=[{"indexes": [name, rebuild]} for name, rebuild in pairs]))
        for _, rebuild in pairs:
            client.wait(client.request("DELETE", f"/indexes/{rebuild}"))
    catalog.outbox_done(high_water)
    catalog.meta_set(_schema_key(settings), str(SCHEMA_VERSION))
    return sent


def drain_outbox(settings: Settings, client: MeiliClient, catalog: cat.Catalog) -> int:
    """Apply pending catalog changes to both indexes; a row goes only after its tasks
    succeeded."""
    ensure_index(settings, client, catalog)
    uid, talks_index = settings.meili_index, talks_uid(settings.meili_index)
    done = 0
    while rows := catalog.pending_outbox(100):
        for row in rows:
            filt = f'talk_id = "{row.talk_id}"'
            talk = catalog.get(row.talk_id)
            docs = None
            if row.action == "upsert" and talk is not None and talk.status == "ready":
                docs = talk_documents(settings, talk)
            tasks = []
            if docs is not None:
                segments, talk_doc = docs
                for batch in _batches(segments, settings.index_batch_size):
                    tasks.append(client.request("POST", f"/indexes/{uid}/documents", json=batch))
                tasks.append(client.request("POST", f"/indexes/{talks_index}/documents", json=[talk_doc]))
                filt += f" AND idx >= {len(segments)}"
            else:
                tasks.append(client.request("DELETE", f"/indexes/{talks_index}/documents/{row.talk_id}"))
            tasks.append(client.request("POST", f"/indexes/{uid}/documents/delete", json={"filter": filt}))
            for task in tasks:
                client.wait(task)
            catalog.outbox_done(row.id, only=True)
            done += 1
    return done


def queue_change(session: Any, talk_id: str, action: str = "upsert") -> None:
    """Record an index change in the caller's catalog transaction."""
    session.add(cat.Outbox(talk_id=talk_id, action=action))

