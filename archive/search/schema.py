"""The index schema and ranking, in one file: what is searchable, filterable and sortable, the
ranking rules, and the schema version. A change here bumps :data:`SCHEMA_VERSION`; the next
``serve``, worker or ``reindex`` then rebuilds both indexes into new ones and swaps them in.

Two indexes: one document per transcript segment (``{index}``), and one per talk
(``{index}_talks``) that ranks, pages, counts and facets talks without Meilisearch's
``distinct`` (18 ms at the median at a million segments against ~3 ms; README, Performance).
"""

from __future__ import annotations

from typing import Any

from ..settings import Settings

SCHEMA_VERSION = 5  # 5: slide text, as segment documents marked `slide`
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


def talks_uid(uid: str) -> str:
    """The talk index that belongs to the segment index ``uid``."""
    return f"{uid}_talks"


def schema_key(settings: Settings) -> str:
    """The catalog's meta key that records which schema version the live indexes were built for."""
    return f"{settings.meili_index}.schema_version"
