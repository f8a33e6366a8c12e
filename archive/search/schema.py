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

SCHEMA_VERSION = 6  # 6: sentence vectors in the talk index, for search by meaning
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
# (archive/semantic). No `distribution`: a semantic score stays (1 + cosine) / 2, so the floor
# that archive/search/meaning.py sets per query is exact.
EMBEDDER = "meaning"
# A talk's vectors: one per passage of consecutive sentences this long; 0: one per sentence.
# Sentences won on the dev set (bench/meaning.py): R@1 0.52 against 0.28 for 30 s passages, and
# a mean of a passage's sentences was near every query (12 of 12 absent queries found hits).
PASSAGE_SECONDS = 0.0


def embedders(settings: Settings) -> dict[str, Any]:
    """The index's embedder settings: ours when search by meaning is on, none otherwise."""
    if not settings.semantic:
        return {}
    return {EMBEDDER: {"source": "userProvided", "dimensions": DIMENSIONS}}


def index_settings(settings: Settings, base: dict[str, Any]) -> dict[str, Any]:
    """One index's settings: the schema's, and the talk index gets the embedder when search
    by meaning is on (the segment index holds no vectors: a sentence found by meaning is
    picked from the talk's stored vectors, :mod:`archive.search.meaning`)."""
    found = embedders(settings) if base is TALK_SETTINGS else {}
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
