"""The query: talks ranked by how well they match, each with its matching segments and the second
the first matched word was said. ``talkarchive search --json`` and ``GET /api/search`` both
return :func:`search`'s object."""

from __future__ import annotations

import html
import json
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..german import fold
from ..settings import Settings
from . import meaning
from .client import SearchClient
from .schema import DETAILS, FACETS, TALK_FIELDS, talks_uid

MAX_QUERY = 200
PER_PAGE = 10
SEGMENTS_PER_TALK = 5
SEGMENT_POOL = 40
# A search by meaning sends two requests from here while its own thread works: the page's
# moments while the query is embedded (on one thread, archive.semantic.query_encoder, so
# Meilisearch has the other core; when an embedding took both, a request beside it slowed it
# from 6 to 11 ms at a million segments), and the nearest talks while sentences are picked.
# Two per search: enough workers that 16 searches at once do not queue behind each other.
_BESIDE = ThreadPoolExecutor(max_workers=32, thread_name_prefix="search-beside")
_PRE, _POST = "\ue000", "\ue001"


@dataclass
class Filters:
    event: str | None = None
    year: int | None = None
    town: str | None = None
    speaker: str | None = None
    language: str | None = None


def quote(value: str) -> str:
    """A Meilisearch filter string literal; the value cannot end the string or add operators."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_expression(filters: Filters, *, staff: bool = False) -> list[str]:
    parts = [] if staff else ["published = true"]
    if filters.event:
        parts.append(f"event = {quote(filters.event)}")
    if filters.year is not None:
        parts.append(f"year = {int(filters.year)}")
    if filters.town:
        parts.append(f"town = {quote(filters.town)}")
    if filters.speaker:
        parts.append(f"speakers = {quote(filters.speaker)}")
    if filters.language:
        parts.append(f"language = {quote(filters.language)}")
    return parts


def _at(formatted: str, word_starts: list[float], start: float) -> float:
    """Start of the first matched word: count the words before the first highlight."""
    pos = formatted.find(_PRE)
    if pos < 0 or not word_starts:
        return start
    before = formatted[:pos].replace(_POST, "")
    index = len(before.split())
    if before and not before[-1].isspace():
        index -= 1  # the match begins inside a word (a prefix match on a compound's part)
    index = max(0, min(index, len(word_starts) - 1))
    return word_starts[index]


def _highlight(formatted: str) -> str:
    return html.escape(formatted, quote=False).replace(_PRE, "<mark>").replace(_POST, "</mark>")


def _segment(hit: dict[str, Any]) -> dict[str, Any]:
    """A moment of a hit: the text with its matches marked, from the second the first matched
    word was said; ``all_words`` when every word of the query is in it (known when the query
    asked for ranking details: a search by meaning)."""
    formatted = hit["_formatted"]["text"]
    # floored to the hundredth, as every clock on the pages floors to the second: rounding
    # made a word at 4.996 s "00:05" in the hit and "00:04" in the transcript row
    at = math.floor(_at(formatted, hit.get("word_starts", []), hit["start"]) * 100 + 1e-6) / 100
    return {
        "start": hit["start"],
        "end": hit["end"],
        "at": at,
        "text": _highlight(formatted),
        "url": f"/talks/{hit['talk_id']}?t={at:g}",
        "speaker": hit.get("speaker"),
        "slide": bool(hit.get("slide")),
        "meaning": False,
        "idx": hit.get("idx"),  # for merging the sentences found by meaning; not returned
        "all_words": meaning.all_words(hit),
    }


def _matched(hit: dict[str, Any], segments: list[dict[str, Any]]) -> list[str]:
    """Which of the talk's fields the query matched: its details by name (highlighted in the
    talk hit), and "transcript" when it has a matching sentence. Asking Meilisearch for match
    positions instead cost 13 ms at the median at a million segments (README, Performance):
    it walks the whole transcript of every talk on the page."""
    formatted = hit.get("_formatted") or {}
    found = [name for name in DETAILS if _PRE in json.dumps(formatted.get(name), ensure_ascii=False)]
    if any(not s["meaning"] for s in segments):
        found.append("transcript")
    if any(s["meaning"] for s in segments):
        found.append("meaning")
    return found


_HIGHLIGHT: dict[str, Any] = {
    "attributesToRetrieve": ["talk_id", "idx", "start", "end", "word_starts", "speaker", "slide"],
    "attributesToHighlight": ["text"],
    "highlightPreTag": _PRE,
    "highlightPostTag": _POST,
}


def build_talk_query(settings: Settings, query: str, filters: Filters | None = None, page: int = 1,
                     *, staff: bool = False, per_page: int = PER_PAGE) -> dict[str, Any]:
    """The first request of a search: one page of talks from the talk index, ranked by how
    well the talk matches, with the exact talk count and facet counts (talks, not segments).
    Without a query, the newest talks come first."""
    query = query.strip()
    if len(query) > MAX_QUERY:
        raise InputError(f"query is longer than {MAX_QUERY} characters", code="query_too_long")
    if page < 1 or page > 1000:
        raise InputError("page must be between 1 and 1000", code="bad_page")
    q = fold(query)
    body: dict[str, Any] = {
        "indexUid": talks_uid(settings.meili_index),
        "q": q,
        "filter": filter_expression(filters or Filters(), staff=staff),
        "page": page,
        "hitsPerPage": per_page,
        "facets": FACETS,
        "attributesToRetrieve": TALK_FIELDS,
    }
    if q:  # which details matched: highlighting these short fields is cheap
        body.update(attributesToHighlight=DETAILS, highlightPreTag=_PRE, highlightPostTag=_POST)
    else:
        body["sort"] = ["date:desc"]
    return body


def build_segment_queries(settings: Settings, talk_query: dict[str, Any], talk_ids: list[str],
                          *, per_talk: bool = False, speaker: str | None = None
                          ) -> list[dict[str, Any]]:
    """The second request: the best highlighted segments of the talks on the page, one shared
    pool, or (``per_talk``) one query per talk for talks the pool left without a segment.
    A speaker filter keeps only that speaker's sentences. Searching by meaning too, each hit
    says whether it holds every word of the query (it then stays above the meaning's)."""
    common = {"indexUid": settings.meili_index, "q": talk_query["q"], **_HIGHLIGHT}
    if talk_query.get("showRankingScoreDetails"):
        common["showRankingScoreDetails"] = True
    base = list(talk_query["filter"])
    if speaker:
        base.append(f"speaker = {quote(speaker)}")
    if per_talk:
        return [{**common, "filter": [*base, f"talk_id = {quote(t)}"], "limit": SEGMENTS_PER_TALK}
                for t in talk_ids]
    ids = ", ".join(quote(t) for t in talk_ids)
    return [{**common, "filter": [*base, f"talk_id IN [{ids}]"], "limit": SEGMENT_POOL}]


def _per_talk(settings: Settings, client: SearchClient, talk_query: dict[str, Any],
              talk_ids: list[str], speaker: str | None) -> dict[str, list[dict[str, Any]]]:
    queries = build_segment_queries(settings, talk_query, talk_ids, per_talk=True, speaker=speaker)
    return {talk_id: [_segment(hit) for hit in result["hits"]]
            for talk_id, result in zip(talk_ids, _multi(client, queries), strict=True)}


def _moments(settings: Settings, client: SearchClient, talk_query: dict[str, Any],
             talk_ids: list[str], speaker: str | None) -> dict[str, list[dict[str, Any]]]:
    """The best matching sentences of the page's talks: one shared pool, then one query per
    talk the pool left empty; under a speaker filter, a talk whose listed speaker was never
    given a voice shows its best sentences of anyone."""
    segments: dict[str, list[dict[str, Any]]] = {t: [] for t in talk_ids}
    if not (talk_query["q"] and talk_ids):
        return segments
    pool = build_segment_queries(settings, talk_query, talk_ids, speaker=speaker)
    for hit in _multi(client, pool)[0]["hits"]:
        found = segments.get(hit["talk_id"])
        if found is not None and len(found) < SEGMENTS_PER_TALK:
            found.append(_segment(hit))
    missing = [t for t in talk_ids if not segments[t]]
    if missing:  # talks whose best segments rank below the shared pool
        segments.update(_per_talk(settings, client, talk_query, missing, speaker))
    unvoiced = [t for t in talk_ids if not segments[t]] if speaker else []
    if unvoiced:
        segments.update(_per_talk(settings, client, talk_query, unvoiced, None))
    return segments


def _keywords(settings: Settings, client: SearchClient, talk_query: dict[str, Any],
              speaker: str | None) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The keyword search: the page of talks (with counts and facets), then their moments."""
    first = _multi(client, [talk_query])[0]
    return first, _moments(settings, client, talk_query, [h["talk_id"] for h in first["hits"]],
                           speaker)


def search(
    settings: Settings,
    client: SearchClient,
    query: str,
    filters: Filters | None = None,
    page: int = 1,
    *,
    staff: bool = False,
    per_page: int = PER_PAGE,
    exact: bool = False,
) -> dict[str, Any]:
    """Talks ranked by how well they match, each with its best segments: two Meilisearch
    round trips for a query (talks, then their segments), one to browse. Unless ``exact``
    (or search by meaning is off), what the query means is searched for too
    (:func:`_with_meaning`)."""
    filters = filters or Filters()
    talk_query = build_talk_query(settings, query, filters, page, staff=staff, per_page=per_page)
    wanted = meaning.wanted(settings, query, exact)
    if wanted:
        first, segments, added = _with_meaning(settings, client, talk_query, query, page,
                                               filters.speaker)
    else:
        first, segments = _keywords(settings, client, talk_query, filters.speaker)
        added = 0
    talks = [
        {
            "id": hit["talk_id"],
            "title": hit.get("title") or "",
            "event": hit.get("event"),
            "date": hit.get("date"),
            "town": hit.get("town"),
            "speakers": list(hit.get("speakers") or []),
            "poster_url": f"/api/talks/{hit['talk_id']}/poster.jpg" if hit.get("has_poster")
            else None,
            "segments": [_public(m) for m in segments[hit["talk_id"]]],
            "matched": _matched(hit, segments[hit["talk_id"]]),
        }
        for hit in first["hits"]
    ]
    total = max(int(first.get("totalHits", len(talks))) + added, len(talks))
    return {
        "query": query.strip(),
        "total": total,
        "page": page,
        "pages": math.ceil(total / per_page) if total else 0,
        "talks": talks,
        "facets": first.get("facetDistribution", {}),
        "meaning": wanted,
    }


def _public(moment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in moment.items() if k not in ("idx", "all_words")}


def _with_meaning(settings: Settings, client: SearchClient, talk_query: dict[str, Any],
                  query: str, page: int, speaker: str | None
                  ) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], int]:
    """The keyword page first, asking which hits hold every word (they stay on top). Where
    the meaning could change nothing on it (:func:`archive.search.meaning.needed`), the query
    is not embedded: Meilisearch's own hybrid search skips its semantic half the same way.
    Otherwise the page's moments are asked while the query is embedded; then the talks nearest
    its vector are asked while the sentences nearest the query are picked in the page's talks
    that do not hold every word, and the near talks are merged on the first page
    (:func:`archive.search.meaning.merge`) and picked in too. The moments may still be on their
    way meanwhile (:func:`_meaning_moments`). Returns the page, its moments and how many talks
    the meaning added to the count."""
    talk_query.update(showRankingScore=True, showRankingScoreDetails=True)
    first = _multi(client, [talk_query])[0]
    ids = [h["talk_id"] for h in first["hits"]]
    if not meaning.needed(first["hits"], page, talk_query["hitsPerPage"]):
        return first, _moments(settings, client, talk_query, ids, speaker), 0
    moments = _BESIDE.submit(_moments, settings, client, talk_query, ids, speaker)
    found = meaning.of_query(query)
    asked = _BESIDE.submit(_multi, client, [meaning.talk_query(
        settings.meili_index, talk_query, found)]) if page == 1 else None
    picked = meaning.picks(settings, [h["talk_id"] for h in first["hits"]
                                      if not meaning.all_words(h)], found)
    near = meaning.near(asked.result()[0]["hits"], found) if asked else []
    added = 0
    if asked:  # the meaning's talks stand on the first page
        hits, added = meaning.merge(first["hits"], near, talk_query["hitsPerPage"])
        first = {**first, "hits": hits}
        picked.update(meaning.picks(settings, [h["talk_id"] for h in hits if h.get("_meaning")],
                                    found))
    shown = {h["talk_id"] for h in first["hits"]}
    picked = {t: rows for t, rows in picked.items() if t in shown}
    segments = moments.result()
    segments.update({h["talk_id"]: [] for h in first["hits"] if h.get("_meaning")})
    _meaning_moments(settings, client, segments, picked, found, near, speaker)
    return first, segments, added


def _meaning_moments(settings: Settings, client: SearchClient,
                     segments: dict[str, list[dict[str, Any]]],
                     picked: dict[str, list[tuple[int, float]]], found: meaning.Meaning,
                     near: list[dict[str, Any]], speaker: str | None) -> None:
    """Add the sentences found by meaning to the talks' moments. Each near talk's nearest
    sentence came with it; only the others are fetched, in one round trip (none where the
    nearest is all a talk shows). Under a speaker filter, which sentences are that speaker's
    is known once fetched: the picked ones are fetched with it, and chosen among those."""
    if speaker:
        rows = {t: [r for r, _ in p] for t, p in picked.items()}
        fetch = meaning.moments_query(settings.meili_index, rows, f"speaker = {quote(speaker)}")
        docs = meaning.by_row(_multi(client, [fetch])[0]["hits"] if fetch else [])
        shown = meaning.chosen(segments, picked, found, docs.keys())
    else:
        shown = meaning.chosen(segments, picked, found)
        docs = meaning.by_row(near)
        missing = {t: [r for r in rows if (t, r) not in docs] for t, rows in shown.items()}
        fetch = meaning.moments_query(settings.meili_index, missing, None)
        if fetch:
            docs.update(meaning.by_row(_multi(client, [fetch])[0]["hits"]))
    meaning.add_moments(segments, shown, docs)


def _multi(client: SearchClient, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One multi-search round trip; a missing index (being built) is a 503 (IndexMissing)."""
    return client.multi_search(queries)
