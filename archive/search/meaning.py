"""Search by meaning: Meilisearch's vector search over the talk index, merged with the keyword
search, and the sentences of the talks found picked by vector.

- **Talks.** Each segment document holds its sentence's vector, and a talk is as near a query
  as its nearest sentence (why on the segments: :mod:`archive.search.schema`). The keyword
  page comes first. Where the meaning could change nothing on it (:func:`needed`: every talk
  on a full first page holds every word), the query is not even embedded. Otherwise the
  page's moments are asked while the query is embedded, and then the talks nearest the
  query's vector: the segment index, one hit per talk (``distinct``), whose documents carry
  the talk's details (``semanticRatio`` 1, with the vector sent: without it a hybrid search
  quietly runs on keywords alone).
- **Only what stands out.** e5 rates every German sentence near every other. A talk or a
  sentence counts as found by meaning where its cosine beats the query's own background (its
  mean cosine to everyday German, :mod:`archive.semantic.background`) by :data:`MARGIN`. That
  floor (Meilisearch's score is (1 + cosine) / 2) cuts the nearest-but-unrelated talks with
  which vector search pads every answer. It is applied here to the nearest talks Meilisearch
  returns (:func:`near`), not sent as ``rankingScoreThreshold``: where its approximate
  neighbours fell short of a threshold, Meilisearch searched on past them, up to its 1.5 s
  search cut-off. At a million segments one of the dev set's 72 questions took 1.0 s that way,
  and with ``limit`` 3 it found nothing after 1.5 s; filtered here, 71 of the 72 find the same
  talks, the one other none, and the request took p95 8.3 against 11.6 ms.
- **Exact words keep winning.** Talks holding every word of the query keep the keyword order
  at the top; below them, talks found by meaning and talks holding only some of the words
  (kept only where they are near in meaning too) are merged by score, the meaning's weighted
  by :data:`RATIO` and the keywords' by 1 - RATIO. The counts and facets are the keyword
  query's, corrected by the talks the meaning added and dropped. The meaning's talks stand on
  the first page only, so a full first page of every-word hits adds none to the count.
- **Moments.** A hit found by meaning has no match positions. Its sentences are ranked by
  their stored vectors against the query's (a dot product over a few hundred rows, cached):
  a talk with every-word keyword hits shows those as before; in any other talk the sentences
  above the floor come first (:func:`chosen`), then keyword hits of only some of the words. A
  near talk's hit is its nearest sentence, so only its other sentences are fetched.

RATIO and MARGIN were chosen on the judged dev set (bench/meaning.py; README, "Found by
meaning").
"""

from __future__ import annotations

import html
import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..semantic import background, vectors
from ..semantic.query_encoder import embed_query
from ..settings import Settings
from .schema import EMBEDDER

RATIO = 0.5  # weight of the meaning against the keywords below the every-word hits
MARGIN = 0.06  # cosine above the query's background that counts as found by meaning
PER_TALK = 5
_FIELDS = ["talk_id", "idx", "start", "end", "text", "speaker", "slide"]


@dataclass(frozen=True)
class Meaning:
    """What a query means: its vector, and the cosine a sentence must reach."""

    vector: list[float]
    floor: float


def wanted(settings: Settings, query: str, exact: bool) -> bool:
    """Whether this search looks for the query's meaning too."""
    return settings.semantic and not exact and bool(query.strip())


def warm() -> None:
    """Load what a query's meaning needs by embedding one: the query encoder (about 0.5 s)
    and the background's sixty vectors, so that the first reader's question does not wait."""
    background.mean_cosine(embed_query("Anträge bequem von zu Hause stellen"))


def of_query(query: str) -> Meaning:
    """The query's meaning: its vector and the cosine above its background."""
    vector = embed_query(query)
    return Meaning(vector, background.mean_cosine(vector) + MARGIN)


def needed(hits: list[dict[str, Any]], page: int, per_page: int) -> bool:
    """Whether the query's meaning could change a page of keyword hits: not where every talk
    on it holds every word of the query, and (on the first page, where the talks found by
    meaning stand below those) the page is full."""
    strong = sum(1 for hit in hits if all_words(hit))
    return strong < (per_page if page == 1 else len(hits))


def talk_query(segment_index: str, keyword: dict[str, Any], found: Meaning) -> dict[str, Any]:
    """The talks nearest the query's meaning (:func:`near` keeps those above its floor), under
    the same filters: their nearest sentences, one per talk, from the segment index, with the
    talk's details and the sentence's own fields (often the only moment the talk needs:
    :func:`by_row`)."""
    fields = [*keyword["attributesToRetrieve"],
              *(f for f in _FIELDS if f not in keyword["attributesToRetrieve"])]
    return {"indexUid": segment_index, "q": keyword["q"], "filter": keyword["filter"],
            "hybrid": {"embedder": EMBEDDER, "semanticRatio": 1.0}, "vector": found.vector,
            "distinct": "talk_id",
            "limit": keyword["hitsPerPage"], "showRankingScore": True,
            "attributesToRetrieve": fields}


def near(hits: list[dict[str, Any]], found: Meaning) -> list[dict[str, Any]]:
    """The hits of :func:`talk_query` whose sentence is above the query's floor."""
    score = (1 + found.floor) / 2
    return [hit for hit in hits if hit["_rankingScore"] >= score]


def all_words(hit: dict[str, Any]) -> bool:
    """Whether a keyword hit holds every word of the query (True where not asked)."""
    words = (hit.get("_rankingScoreDetails") or {}).get("words")
    return not words or words["matchingWords"] == words["maxMatchingWords"]


def merge(words: list[dict[str, Any]], near: list[dict[str, Any]], per_page: int
          ) -> tuple[list[dict[str, Any]], int]:
    """The page: every-word keyword hits in their order, then the talks found by meaning and
    the keyword hits of only some words that are near in meaning too, by weighted score. A
    talk that shares only a word such as "wird" with the query, and nothing of its meaning, is
    dropped where something better was found; where nothing was, the page is the keyword
    one. Returns the hits and the change in the count of talks."""
    strong = [h for h in words if all_words(h)]
    if not (strong or near):  # nothing better to show: the partial hits as without meaning
        return words, 0
    nearness = {h["talk_id"]: h["_rankingScore"] for h in near}
    rest = [(max(h["_rankingScore"] * (1 - RATIO), nearness[h["talk_id"]] * RATIO), h)
            for h in words if not all_words(h) and h["talk_id"] in nearness]
    seen = {h["talk_id"] for h in words}
    added = [{**h, "_meaning": True} for h in near if h["talk_id"] not in seen]
    rest += [(h["_rankingScore"] * RATIO, h) for h in added]
    rest.sort(key=lambda pair: -pair[0])
    dropped = sum(1 for h in words if not all_words(h) and h["talk_id"] not in nearness)
    return (strong + [h for _, h in rest])[:per_page], len(added) - dropped


def picks(settings: Settings, talk_ids: list[str], found: Meaning
          ) -> dict[str, list[tuple[int, float]]]:
    """Per talk, (document row, cosine) of its sentences nearest the query, best first: enough
    to fill its moments past the keyword hits it may show (:func:`chosen` chooses)."""
    query = np.asarray(found.vector, dtype=np.float32)
    out: dict[str, list[tuple[int, float]]] = {}
    for talk_id in talk_ids:
        stored = vectors.load(settings, talk_id)
        if stored is None or not len(stored.order):
            continue
        rows = np.flatnonzero(stored.order >= 0)
        scores = (stored.vectors.astype(np.float32) @ query)[stored.order[rows]]
        best = np.argsort(-scores, kind="stable")[: 2 * PER_TALK]
        out[talk_id] = [(int(rows[i]), float(scores[i])) for i in best]
    return out


def chosen(segments: dict[str, list[dict[str, Any]]], picked: dict[str, list[tuple[int, float]]],
           found: Meaning, available: Collection[tuple[str, int]] | None = None
           ) -> dict[str, list[int]]:
    """Per talk, the document rows of the sentences to show as found by meaning: those above
    the floor that it does not show already (the nearest one where it shows nothing else),
    none where it has every-word hits (the speaker's own words suffice). ``available``: the
    (talk, row) pairs that may be shown, where a speaker filter keeps only some."""
    out: dict[str, list[int]] = {}
    for talk_id, rows in picked.items():
        shown = segments.get(talk_id, [])
        if any(m["all_words"] for m in shown):
            continue
        taken = {m["idx"] for m in shown}
        best = [(r, c) for r, c in rows if r not in taken
                and (available is None or (talk_id, r) in available)][:PER_TALK]
        keep = [p for p in best if p[1] >= found.floor] or (best[:1] if not shown else [])
        if keep:
            out[talk_id] = [r for r, _ in keep]
    return out


def moments_query(segment_index: str, rows: dict[str, list[int]], speaker_filter: str | None
                  ) -> dict[str, Any] | None:
    """The search request that fetches these sentences (document rows per talk);
    ``speaker_filter`` (a filter expression) keeps one speaker's. None: nothing to fetch."""
    parts = [f'(talk_id = "{t}" AND idx IN [{", ".join(str(r) for r in wanted)}])'
             for t, wanted in rows.items() if wanted]
    if not parts:
        return None
    where = " OR ".join(parts)
    return {"indexUid": segment_index, "q": "",
            "filter": f"({where}) AND {speaker_filter}" if speaker_filter else where,
            "limit": sum(len(wanted) for wanted in rows.values()), "attributesToRetrieve": _FIELDS}


def by_row(docs: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """Segment documents by (talk, row)."""
    return {(d["talk_id"], d["idx"]): d for d in docs}


def _moment(doc: dict[str, Any]) -> dict[str, Any]:
    at = math.floor(float(doc["start"]) * 100 + 1e-6) / 100
    return {"start": doc["start"], "end": doc["end"], "at": at,
            "text": html.escape(doc["text"], quote=False),
            "url": f"/talks/{doc['talk_id']}?t={at:g}", "speaker": doc.get("speaker"),
            "slide": bool(doc.get("slide")), "meaning": True, "idx": doc["idx"],
            "all_words": False}


def add_moments(segments: dict[str, list[dict[str, Any]]], shown: dict[str, list[int]],
                docs: dict[tuple[str, int], dict[str, Any]]) -> None:
    """Each talk's sentences found by meaning (:func:`chosen`), ahead of its keyword hits of
    only some of the query's words."""
    for talk_id, rows in shown.items():
        found = [_moment(docs[(talk_id, r)]) for r in rows if (talk_id, r) in docs]
        segments[talk_id] = (found + segments.get(talk_id, []))[:PER_TALK]
