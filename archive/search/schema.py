"""The index schema and ranking, in one file: what is searchable, filterable and sortable, the
ranking rules, and the schema version. A change here bumps :data:`SCHEMA_VERSION`; the next
``serve``, worker or ``reindex`` then rebuilds both indexes into new ones and swaps them in.

Two indexes: one document per transcript segment (``{index}``), and one per talk
(``{index}_talks``) that ranks, pages, counts and facets talks without Meilisearch's
``distinct`` (18 ms at the median at a million segments against ~3 ms; README, Performance).
"""

from __future__ import annotations

from typing import Any

from ..semantic.model import DIMENSIONS
from ..settings import Settings

SCHEMA_VERSION = 7  # 7: a vector on each segment document, for search by meaning
FACETS = ["event", "year", "town", "speakers", "language"]
TALK_FIELDS = ["talk_id", "title", "event", "date", "town", "speakers", "has_poster"]
# A talk's details, searchable in the talk index before its transcript: a match there ranks
# above a match of the same words in what was said (the `attribute` rule).
DETAILS = ["title", "speakers", "event", "town", "description"]
PART_POSITIONS = 30_000  # well under Meilisearch's 65,535 positions per attribute
SENTENCE_GAP = 8  # positions Meilisearch puts between two array items

# Exact words rank above compound parts: `attribute` orders text before text_alt.
RANKING_RULES = ["words", "typo", "proximity", "attribute", "sort", "exactness"]

SEGMENT_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["text", "text_alt"],
    "displayedAttributes": ["*"],
    "filterableAttributes": ["talk_id", "idx", "published", "speaker", *FACETS],
    "sortableAttributes": ["start", "year"],
    "rankingRules": RANKING_RULES,
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8}},
    "faceting": {"maxValuesPerFacet": 200},
    "pagination": {"maxTotalHits": 100000},
    "stopWords": [],
}
TALK_SETTINGS: dict[str, Any] = {
    **SEGMENT_SETTINGS,
    "searchableAttributes": [*DETAILS, "text", "text_alt"],
    "filterableAttributes": ["published", *FACETS],
    "sortableAttributes": ["date", "year"],
}


# Search by meaning: Meilisearch's own vector store, fed the archive's vectors
# (archive/semantic), one per segment document (a sentence or a slide's text). No
# `distribution`: a semantic score stays (1 + cosine) / 2, so the floor that
# archive/search/meaning.py sets per query is exact.
#
# Why on the segments, not the talks: Meilisearch keeps the i-th vector of every document in
# a store of its own, and a search visits every store. With a talk's 200 sentence vectors on
# its talk document a vector search took 70 ms at 100,000 segments whatever the limit; with one
# vector per segment document, 1.8 ms (bench/search.py, README "Found by meaning"). Passages of
# 30 s in place of sentences measured worse on the dev set (R@1 0.28 against 0.52).
# Meilisearch's stable vector store (arroy) is kept: its experimental HNSW store (hannoy,
# `vectorStore: experimental` behind an instance-wide feature flag) searched 100,000 segment
# vectors in 1.8 ms against 3.3 ms, but indexed them in 104 s against 69 s. At a million
# segments (bench/search.py, 2026-12-06) a question's nearest talks took 5.4 / 9.3 ms (p50 /
# p95) against 8.0 / 13.3 ms and the index took 6.2 GB of disk against 9.7, but the reindex
# with stored vectors took 1,783 s against 1,068 s the same day: at the 30-minute target,
# with no margin.
EMBEDDER = "meaning"


def embedders(settings: Settings) -> dict[str, Any]:
    """The index's embedder settings: ours when search by meaning is on, none otherwise."""
    if not settings.semantic:
        return {}
    return {EMBEDDER: {"source": "userProvided", "dimensions": DIMENSIONS}}


def index_settings(settings: Settings, base: dict[str, Any]) -> dict[str, Any]:
    """One index's settings: the schema's, and the segment index gets the embedder when search
    by meaning is on (the talk index holds no vectors)."""
    found = embedders(settings) if base is SEGMENT_SETTINGS else {}
    return {**base, "embedders": found} if found else dict(base)


def schema_version(settings: Settings) -> str:
    """The version the live indexes must have been built for: vectors or none count too."""
    return f"{SCHEMA_VERSION}+{EMBEDDER}" if settings.semantic else str(SCHEMA_VERSION)


def talks_uid(uid: str) -> str:
    """The talk index that belongs to the segment index ``uid``."""
    return f"{uid}_talks"


def schema_key(settings: Settings) -> str:
    """The catalog's meta key that records which schema version the live indexes were built for."""
    return f"{settings.meili_index}.schema_version"
