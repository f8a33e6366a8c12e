"""Rebuilding the indexes from the transcripts alone (the index is derived).

:func:`reindex` builds both indexes afresh under new names, then swaps both in with one
``swap-indexes`` task, so search never goes dark; when there is no live index yet nobody is
searching it, and it is filled directly. :func:`ensure_index` runs it when an index is missing
or was built for another :data:`~archive.search.schema.SCHEMA_VERSION`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import catalog as cat
from ..settings import Settings
from .client import SearchClient
from .documents import Document, batches, talk_documents
from .schema import (
    SEGMENT_SETTINGS,
    TALK_SETTINGS,
    index_settings,
    schema_key,
    schema_version,
    talks_uid,
)

# (work done, all the work): each segment counts twice, once sent and once indexed; at a
# million segments Meilisearch's indexing is most of a rebuild's time.
Progress = Callable[[int, int], None]
# How long one of a rebuild's tasks may take: Meilisearch batches the queued additions, and a
# batch of a million segments with their vectors ran past the client's 300 s (bench/search.py).
TASK_TIMEOUT = 3600.0


def create_index(client: SearchClient, uid: str, settings: dict[str, Any] | None = None) -> None:
    """Create ``uid`` if missing and give it the schema's settings."""
    create_missing(client, uid)
    client.wait(client.update_settings(uid, SEGMENT_SETTINGS if settings is None else settings))


def create_missing(client: SearchClient, uid: str) -> None:
    if not client.index_exists(uid):
        client.wait(client.create_index(uid))


def needs_rebuild(settings: Settings, client: SearchClient, catalog: cat.Catalog) -> bool:
    """True when an index is missing or was built for another schema version."""
    uid = settings.meili_index
    return not (catalog.meta_get(schema_key(settings)) == schema_version(settings)
                and client.index_exists(uid) and client.index_exists(talks_uid(uid)))


def ensure_index(settings: Settings, client: SearchClient, catalog: cat.Catalog,
                 progress: Progress | None = None) -> bool:
    """Make the indexes exist with the current settings; rebuild (and swap in) on a schema
    change or when one was lost. Returns True when a rebuild ran."""
    if not needs_rebuild(settings, client, catalog):
        return False
    reindex(settings, client, catalog, progress)
    return True


@dataclass
class _Build:
    """Where a rebuild writes: (live name, name it is built under) for both indexes."""

    segments: tuple[str, str]
    talks: tuple[str, str]
    live: bool
    tasks: list[tuple[int, int]] = field(default_factory=list)  # (task, segments it adds)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [self.segments, self.talks]


def _prepare(settings: Settings, client: SearchClient) -> _Build:
    """Fresh, empty target indexes with the schema's settings."""
    uid, talks_index = settings.meili_index, talks_uid(settings.meili_index)
    live = client.index_exists(uid) or client.index_exists(talks_index)
    suffix = "__rebuild" if live else ""
    build = _Build(segments=(uid, uid + suffix), talks=(talks_index, talks_index + suffix), live=live)
    for (_, target), base in zip(build.pairs, (SEGMENT_SETTINGS, TALK_SETTINGS), strict=True):
        if live and client.index_exists(target):
            client.wait(client.delete_index(target))
        create_index(client, target, index_settings(settings, base))
    return build


def _send(settings: Settings, client: SearchClient, catalog: cat.Catalog, build: _Build,
          progress: Progress | None) -> int:
    """Send every ready talk's documents in bounded batches; talk documents are grouped so a
    request carries about as many segments' worth as a segment batch."""
    talks = [t for t in catalog.talks() if t.status == cat.TalkStatus.READY]
    total = sum(t.segment_count for t in talks)
    sent = 0
    pending: list[Document] = []
    pending_size = 0
    for talk in talks:
        docs = talk_documents(settings, talk)
        if docs is None:
            continue
        segments, talk_doc = docs
        build.tasks += [(client.add_documents(build.segments[1], batch), len(batch))
                        for batch in batches(segments, settings.index_batch_size)]
        pending.append(talk_doc)
        pending_size += len(segments)
        if pending_size >= settings.index_batch_size:
            build.tasks.append((client.add_documents(build.talks[1], pending), 0))
            pending, pending_size = [], 0
        sent += len(segments)
        if progress:
            progress(sent, 2 * total)
    if pending:
        build.tasks.append((client.add_documents(build.talks[1], pending), 0))
    return sent


def _wait(client: SearchClient, build: _Build, sent: int, progress: Progress | None) -> None:
    """Follow the rebuild's tasks to the end, counting the segments Meilisearch has indexed."""
    done = sent
    for task, count in build.tasks:
        client.wait(task, timeout=TASK_TIMEOUT)
        done += count
        if progress:
            progress(done, 2 * sent)


def _swap_in(client: SearchClient, build: _Build) -> None:
    """Swap both rebuilt indexes in with one task, then drop the old ones."""
    for name, _ in build.pairs:  # a swap needs both sides; an empty stand-in is enough
        create_missing(client, name)
    client.wait(client.swap(build.pairs))
    for _, rebuilt in build.pairs:
        client.wait(client.delete_index(rebuilt))


def reindex(settings: Settings, client: SearchClient, catalog: cat.Catalog,
            progress: Progress | None = None) -> int:
    """Rebuild both indexes from the transcripts. Returns the number of segment documents."""
    high_water = catalog.outbox_high_water()
    build = _prepare(settings, client)
    sent = _send(settings, client, catalog, build, progress)
    _wait(client, build, sent, progress)
    if build.live:
        _swap_in(client, build)
    catalog.outbox_done(high_water)
    catalog.meta_set(schema_key(settings), schema_version(settings))
    return sent
