"""Vectors for the talks that came before search by meaning (``talkarchive embed``, with a
progress bar): each talk that gets new vectors is queued through the outbox, so the index
takes them up like any other change, and a reindex never embeds."""

from __future__ import annotations

from collections.abc import Callable

from .. import catalog as cat
from .. import transcript as tr
from ..paths import transcript_path
from ..semantic import vectors
from ..settings import Settings
from .outbox import queue_change

Progress = Callable[[int, int], None]  # talks done, talks in all


def fill_archive(settings: Settings, catalog: cat.Catalog, progress: Progress | None = None
                 ) -> tuple[int, int]:
    """Stored vectors for every sentence of every ready talk. Returns (talks queued for the
    index, sentences embedded)."""
    talks = [t for t in catalog.talks() if t.status == cat.TalkStatus.READY]
    changed = embedded = 0
    for done, talk in enumerate(talks, start=1):
        path = transcript_path(settings, talk.id)
        count = vectors.fill(settings, talk.id, tr.load(path)) if path.is_file() else 0
        if count:
            changed += 1
            embedded += count
            with catalog.session() as s:
                queue_change(s, talk.id)
        if progress:
            progress(done, len(talks))
    return changed, embedded
