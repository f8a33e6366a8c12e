"""The search index: one Meilisearch document per transcript segment.

Documents carry the talk's metadata for filters and facets and the start of every word, so a
hit knows the second its matched word was said. Ids are deterministic (``{talk}-{n}``):
re-running an ingest never duplicates. The index is derived: :func:`reindex` rebuilds it from
the transcripts alone into a fresh index and swaps it in, so search never goes dark.
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

SCHEMA_VERSION = 2
FACETS = ["event", "year", "town", "speakers", "language"]
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


def documents(transcript: tr.Transcript, talk: cat.Talk) -> Iterator[dict[str, Any]]:
    meta = {
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


def create_index(client: MeiliClient, uid: str) -> None:
    if not _exists(client, uid):
        client.wait(client.request("POST", "/indexes", json={"uid": uid, "primaryKey": "id"}))
    client.wait(client.request("PATCH", f"/indexes/{uid}/settings", json=INDEX_SETTINGS))


def _schema_key(settings: Settings) -> str:
    return f"{settings.meili_index}.schema_version"


def ensure_index(settings: Settings, client: MeiliClient, catalog: cat.Catalog,
                 progress: Callable[[int, int], None] | None = None) -> bool:
    """Make the index exist with the current settings; rebuild (and swap in) on a schema
    change or when it was lost. Returns True when a rebuild ran."""
    uid = settings.meili_index
    stored = catalog.meta_get(_schema_key(settings))
    if _exists(client, uid) and stored == str(SCHEMA_VERSION):
        return False
    reindex(settings, client, catalog, progress)
    return True


def talk_documents(settings: Settings, talk: cat.Talk) -> Iterator[dict[str, Any]]:
    use_cache(settings.cache_dir)
    path = settings.transcripts_dir / f"{talk.id}.json"
    if path.exists():
        yield from documents(tr.load(path), talk)


def reindex(settings: Settings, client: MeiliClient, catalog: cat.Catalog,
            progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the transcripts into a new index, then swap it in (when
    there is no live index yet, nobody is searching it: it is filled directly)."""
    uid = settings.meili_index
    high_water = catalog.outbox_high_water()
    live = _exists(client, uid)
    target = f"{uid}__rebuild" if live else uid
    if live and _exists(client, target):
        client.wait(client.request("DELETE", f"/indexes/{target}"))
    create_index(client, target)
    talks = [t for t in catalog.talks() if t.status == "ready"]
    total = sum(t.segment_count for t in talks)
    sent = 0
    tasks = []
    for talk in talks:
        for batch in _batches(talk_documents(settings, talk), settings.index_batch_size):
            tasks.append(client.request("POST", f"/indexes/{target}/documents", json=batch))
            sent += len(batch)
            if progress:
                progress(sent, total)
    for task in tasks:
        client.wait(task)
    if live:
        client.wait(client.request("POST", "/swap-indexes", json=[{"indexes": [uid, target]}]))
        client.wait(client.request("DELETE", f"/indexes/{target}"))
    catalog.outbox_done(high_water)
    catalog.meta_set(_schema_key(settings), str(SCHEMA_VERSION))
    return sent


def drain_outbox(settings: Settings, client: MeiliClient, catalog: cat.Catalog) -> int:
    """Apply pending catalog changes to the index; a row goes only after its task succeeded."""
    ensure_index(settings, client, catalog)
    uid = settings.meili_index
    done = 0
    while rows := catalog.pending_outbox(100):
        for row in rows:
            filt = f'talk_id = "{row.talk_id}"'
            talk = catalog.get(row.talk_id)
            last = None
            if row.action == "upsert" and talk is not None and talk.status == "ready":
                count = 0
                for batch in _batches(talk_documents(settings, talk), settings.index_batch_size):
                    last = client.request("POST", f"/indexes/{uid}/documents", json=batch)
                    count += len(batch)
                filt += f" AND idx >= {count}"
            last = client.request(
                "POST", f"/indexes/{uid}/documents/delete", json={"filter": filt}
            )
            client.wait(last)
            catalog.outbox_done(row.id, only=True)
            done += 1
    return done


def queue_change(session: Any, talk_id: str, action: str = "upsert") -> None:
    """Record an index change in the caller's catalog transaction."""
    session.add(cat.Outbox(talk_id=talk_id, action=action))

