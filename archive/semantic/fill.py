"""Giving a talk its vectors when the index takes it up (a new talk, a correction, a re-cut):
only sentences without a stored vector are embedded. Talks from before search by meaning get
theirs from :mod:`archive.search.backfill`; until then they are found by their words alone."""

from __future__ import annotations

import logging

from .. import transcript as tr
from ..errors import TalkarchiveError
from ..paths import transcript_path
from ..settings import Settings
from . import vectors

log = logging.getLogger(__name__)


def fill_talk(settings: Settings, talk_id: str) -> int:
    """Embed the talk's sentences that have no stored vector; how many that were. A model that
    cannot load costs the talk its vectors, never its place in the index (logged)."""
    path = transcript_path(settings, talk_id)
    if not path.is_file():
        return 0
    try:
        return vectors.fill(settings, talk_id, tr.load(path))
    except TalkarchiveError as exc:
        log.warning("talk %s keeps no vectors: %s", talk_id, exc)
        return 0
