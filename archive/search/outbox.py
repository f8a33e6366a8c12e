"""The outbox: every catalog change the index must follow is an outbox row written in the same
transaction as the change (:func:`queue_change`); a single writer (:func:`drain_outbox`) applies
the rows to both indexes and deletes a row only after Meilisearch finished its tasks.
At-least-once, never ahead of the catalog.
"""

from __future__ import annotations

from typing import Any

from .. import catalog as cat
from ..semantic.fill import fill_talk
from ..settings import Settings
from .client import SearchClient
from .documents import batches, talk_documents
from .reindex import ensure_index
from .schema import talks_uid


def queue_change(session: Any, talk_id: str, action: cat.OutboxAction = cat.OutboxAction.UPSERT
                 ) -> None:
    """Record an index change in the caller's catalog transaction."""
    session.add(cat.Outbox(talk_id=talk_id, action=action.value))


def _apply(settings: Settings, client: SearchClient, catalog: cat.Catalog, row: cat.Outbox) -> None:
    uid, talks_index = settings.meili_index, talks_uid(settings.meili_index)
    stale = f'talk_id = "{row.talk_id}"'
    talk = catalog.get(row.talk_id)
    docs = None
    if row.action == cat.OutboxAction.UPSERT and talk is not None and talk.status == cat.TalkStatus.READY:
        if settings.semantic:  # a new or corrected sentence gets its vector (the rest are kept)
            fill_talk(settings, talk.id)
        docs = talk_documents(settings, talk)
    tasks = []
    if docs is not None:
        segments, talk_doc = docs
        tasks += [client.add_documents(uid, batch)
                  for batch in batches(segments, settings.index_batch_size)]
        tasks.append(client.add_documents(talks_index, [talk_doc]))
        stale += f" AND idx >= {len(segments)}"  # segments a correction or re-run left over
    else:
        tasks.append(client.delete_document(talks_index, row.talk_id))
    tasks.append(client.delete_where(uid, stale))
    for task in tasks:
        client.wait(task)


def drain_outbox(settings: Settings, client: SearchClient, catalog: cat.Catalog) -> int:
    """Apply pending catalog changes to both indexes; a row goes only after its tasks
    succeeded. Returns the number of rows applied."""
    ensure_index(settings, client, catalog)
    done = 0
    with catalog.exclusive("index-drain"):  # one writer; a second caller waits for the first
        while rows := catalog.pending_outbox(100):
            for row in rows:
                _apply(settings, client, catalog, row)
                catalog.outbox_done(row.id, only=True)
                done += 1
    return done
