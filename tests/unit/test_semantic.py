"""Search by meaning, below the search engine: the real sentence model, the vectors kept beside
a transcript, the documents that carry them, and the query bodies that ask for them. The real
Meilisearch runs in tests/e2e/test_meaning.py."""

from __future__ import annotations

import ctypes
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from archive import catalog as cat
from archive import transcript as tr
from archive.errors import TalkarchiveError
from archive.search import meaning, schema
from archive.search.documents import add_vectors, segment_documents, talk_document
from archive.semantic import model, query_encoder, vectors
from archive.settings import Settings


def transcript(*texts: str) -> tr.Transcript:
    segs = [tr.Segment(i * 5.0, i * 5.0 + 4, t, [tr.Word(i * 5.0, i * 5.0 + 1, " " + t)])
            for i, t in enumerate(texts)]
    return tr.Transcript("t1", "de", 60.0, segs, tr.Provenance("e", "m", None, "cpu", "int8", {}))


def talk() -> cat.Talk:
    return cat.Talk(id="t1", content_hash="0" * 64, title="Mobilität", speakers=[],
                    language="de", duration=60.0, status="ready", published=True,
                    original_name="f.mp4", original_path="x", media_path="x", has_video=True,
                    segment_count=2, licence="CC-BY-4.0")


class Counting:
    """A stand-in model that counts what it was asked to embed."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.asked += texts
        rows = np.random.default_rng(len(self.asked)).normal(size=(len(texts), model.DIMENSIONS))
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_the_real_model_puts_a_paraphrase_nearer_than_unrelated_text() -> None:
    rows = model.embed(["Wo kann ich mein Auto abstellen?",
                        "Parkplätze für Autos gibt es am Bahnhof.",
                        "Der Chor singt am Sonntag in der Kirche.", ""])
    assert rows.shape == (4, model.DIMENSIONS) and rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows[:3], axis=1), 1.0, atol=1e-5)
    assert not rows[3].any()  # no text, no vector
    assert rows[0] @ rows[1] > rows[0] @ rows[2]


def test_a_text_whose_normalization_would_overrun_the_engine_is_embedded() -> None:
    # U+FDFA becomes 18 characters: 150 of them, given as they are, aborted the process
    rows = model.embed(["\ufdfa" * 150, "\ufdfa Guten Tag"])
    mapped = model.embed(["\u0635\u0644\u0649 \u0627\u0644\u0644\u0647 \u0639\u0644\u064a\u0647 "
                          "\u0648\u0633\u0644\u0645" * 150])
    assert float(rows[0] @ mapped[0]) > 0.9999 and np.linalg.norm(rows[1]) > 0.99


def test_the_shipped_background_vectors_are_the_model_s_own(tmp_path: Path) -> None:
    from archive.semantic import background

    lines = background.sentences()
    shipped = background.saved(background.digest(lines))
    assert shipped is not None, "background.txt or the model changed: " \
        "run scripts/background_vectors.py"
    assert shipped.shape == (60, model.DIMENSIONS)
    assert (np.sum(shipped * model.embed(lines), axis=1) > 0.9999).all()
    assert background.saved(background.digest(lines[1:])) is None  # another text: embedded


def test_model_files_are_checked_against_their_sha256(tmp_path: Path) -> None:
    for name in model.FILES:
        (tmp_path / name).write_bytes(b"not the model")
    with pytest.raises(TalkarchiveError, match="sha256 mismatch"):
        model.verify(tmp_path)
    assert model.verify() == model.verify()  # the installed package's files match


def test_vectors_are_made_once_and_a_correction_embeds_only_its_sentence(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    fake = Counting()
    first = transcript("Der Bürgerbus fährt nach Bedarf.", "Man bucht per App.")
    assert vectors.fill(settings, "t1", first, fake) == 2
    assert vectors.fill(settings, "t1", first, fake) == 0  # a reindex embeds nothing again
    corrected = transcript("Der Bürgerbus fährt nach Bedarf.", "Man bucht per App oder Telefon.")
    assert vectors.fill(settings, "t1", corrected, fake) == 1
    assert fake.asked[-1] == "Man bucht per App oder Telefon."
    stored = vectors.load(settings, "t1")
    assert stored is not None
    assert set(stored.keys) == {vectors.text_key(s.text) for s in corrected.segments}  # stale gone
    assert list(stored.order) == [0, 1]


def test_vectors_of_another_model_or_a_damaged_file_count_as_none(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    settings = Settings(data_dir=tmp_path)
    vectors.fill(settings, "t1", transcript("Ein Satz."), Counting())
    monkeypatch.setattr(model, "MODEL_ID", "another-model")
    assert vectors.load(settings, "t1") is None
    vectors.vectors_path(settings, "t1").write_bytes(b"garbage")
    assert vectors.load(settings, "t1") is None


def test_vectors_in_the_old_npz_format_are_read_and_rewritten_without_embedding(
        tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    spoken = transcript("Der Bürgerbus fährt nach Bedarf.", "", "Man bucht per App.")
    vectors.fill(settings, "t1", spoken, Counting())
    new = vectors.load(settings, "t1")
    assert new is not None and not new.legacy
    old = vectors.legacy_path(settings, "t1")
    np.savez(old, model=np.array(model.MODEL_ID), keys=new.raw_keys, vectors=new.vectors,
             order=new.order)  # as the archive stored them before
    vectors.vectors_path(settings, "t1").unlink()
    before = vectors.load(settings, "t1")
    assert before is not None and before.legacy and before.keys == new.keys
    assert np.array_equal(before.vectors, new.vectors) and list(before.order) == [0, -1, 1]
    nothing = Counting()
    assert vectors.fill(settings, "t1", spoken, nothing) == 0 and nothing.asked == []
    after = vectors.load(settings, "t1")
    assert after is not None and not after.legacy and not old.exists()  # rewritten, old gone
    assert np.array_equal(after.vectors, new.vectors) and after.keys == new.keys


def test_each_segment_document_carries_its_vector_or_null(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    spoken = transcript("Der Bürgerbus fährt nach Bedarf.", "", "Man bucht per App.")
    vectors.fill(settings, "t1", spoken, Counting())
    stored = vectors.load(settings, "t1")
    assert stored is not None and list(stored.order) == [0, -1, 1]  # no text, no vector
    docs = list(segment_documents(spoken, talk()))
    assert "_vectors" not in docs[0]  # search by meaning off
    add_vectors(docs, stored)
    sent = [d["_vectors"][schema.EMBEDDER] for d in docs]
    assert sent[1] is None  # or Meilisearch fails the whole batch
    assert len(sent[0]) == model.DIMENSIONS and abs(float(np.linalg.norm(sent[0])) - 1) < 1e-3
    assert float(np.dot(sent[0], stored.vectors[0].astype(np.float32))) > 0.9999
    add_vectors(docs, None)  # a talk without vectors yet: found by its words alone
    assert all(d["_vectors"] == {schema.EMBEDDER: None} for d in docs)
    assert "_vectors" not in talk_document(talk(), docs)  # the talk index holds none


def test_turning_meaning_off_or_on_asks_for_another_index() -> None:
    on, off = Settings(semantic=True), Settings(semantic=False)
    assert schema.schema_version(on) != schema.schema_version(off)
    assert schema.index_settings(on, schema.SEGMENT_SETTINGS)["embedders"][schema.EMBEDDER][
        "source"] == "userProvided"
    assert "embedders" not in schema.index_settings(on, schema.TALK_SETTINGS)
    assert "embedders" not in schema.index_settings(off, schema.SEGMENT_SETTINGS)


def test_the_meaning_of_a_query_has_a_vector_and_a_floor() -> None:
    on = Settings(semantic=True)
    found = meaning.of_query("Wo kann ich parken?")
    assert len(found.vector) == model.DIMENSIONS
    assert 0.5 < found.floor < 1  # above how near the query is to everyday German
    assert meaning.wanted(on, "Wo kann ich parken?", exact=False)
    assert not meaning.wanted(on, "parken", exact=True)
    assert not meaning.wanted(Settings(semantic=False), "parken", exact=False)
    assert not meaning.wanted(on, "  ", exact=False)
    keyword = {"indexUid": "x_talks", "q": "parken", "filter": ["published = true"],
               "hitsPerPage": 10, "attributesToRetrieve": ["talk_id"]}
    body = meaning.talk_query("x", keyword, found)  # without the vector: keywords only
    assert body["vector"] is found.vector and body["hybrid"]["semanticRatio"] == 1.0
    assert body["indexUid"] == "x" and body["distinct"] == "talk_id"  # a talk's best sentence
    assert "rankingScoreThreshold" not in body  # Meilisearch would search on for it: near()
    assert body["filter"] == keyword["filter"]
    at = (1 + found.floor) / 2  # Meilisearch's score of a sentence on the floor
    hits = [{"talk_id": "a", "_rankingScore": at + 0.01}, {"talk_id": "b", "_rankingScore": at},
            {"talk_id": "c", "_rankingScore": at - 1e-4}]
    assert [h["talk_id"] for h in meaning.near(hits, found)] == ["a", "b"]


def hit(talk_id: str, score: float, matching: int = 2) -> dict[str, object]:
    return {"talk_id": talk_id, "_rankingScore": score,
            "_rankingScoreDetails": {"words": {"matchingWords": matching, "maxMatchingWords": 2}}}


def test_every_word_hits_keep_their_order_and_a_partial_hit_needs_meaning_too() -> None:
    words = [hit("a", 0.9), hit("b", 0.8), hit("c", 0.5, matching=1), hit("d", 0.4, matching=1)]
    near = [{"talk_id": "e", "_rankingScore": 0.93}, {"talk_id": "c", "_rankingScore": 0.91},
            {"talk_id": "b", "_rankingScore": 0.95}]
    page, change = meaning.merge(words, near, 10)  # type: ignore[arg-type]
    assert [h["talk_id"] for h in page] == ["a", "b", "e", "c"]  # d: one word, no meaning
    assert change == 0 and page[2]["_meaning"] and not page[3].get("_meaning")
    assert meaning.merge(words, [], 1)[0] == [words[0]]  # type: ignore[arg-type]


def fetch(docs: list[dict[str, object]], where: str) -> list[dict[str, object]]:
    """What Meilisearch answers to :func:`meaning.moments_query`'s filter."""
    return [d for d in docs
            if any(f'talk_id = "{d["talk_id"]}" AND idx IN [' in part and
                   str(d["idx"]) in part.split("[", 1)[1].split("]")[0].split(", ")
                   for part in where.split(" OR "))]


def test_sentences_found_by_meaning_come_before_partial_hits_and_jump_to_their_start(
        tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    texts = ("Der Bürgerbus fährt nach Bedarf.", "Die Fahrer sind Ehrenamtliche aus den Dörfern.",
             "Im Herbst wächst das Gebiet.")
    spoken = transcript(*texts)
    for talk_id in ("t1", "t2"):
        vectors.fill(settings, talk_id, spoken, model.embed)
    docs = [{"talk_id": t, "idx": i, "start": s.start, "end": s.end, "text": s.text,
             "speaker": None} for t in ("t1", "t2") for i, s in enumerate(spoken.segments)]
    vector = query_encoder.embed_query("Freiwillige sitzen am Steuer")
    anything = meaning.Meaning(vector, floor=-1.0)  # any sentence of the talk may be shown
    picked = meaning.picks(settings, ["t1", "t2", "no-vectors"], anything)
    assert set(picked) == {"t1", "t2"} and picked["t2"][0][0] == 1  # the nearest first
    worded = {"idx": 0, "meaning": False, "all_words": True, "at": 0.0}
    partial = {"idx": 2, "meaning": False, "all_words": False, "at": 10.0}
    moments = {"t1": [worded], "t2": [partial]}
    shown = meaning.chosen(moments, picked, anything)
    assert "t1" not in shown and shown["t2"][0] == 1 and sorted(shown["t2"]) == [0, 1]
    query = meaning.moments_query("segs", shown, None)
    assert query is not None and query["indexUid"] == "segs" and query["q"] == ""
    assert query["limit"] == 2
    meaning.add_moments(moments, shown, meaning.by_row(fetch(docs, query["filter"])))
    assert moments["t1"] == [worded]  # the speaker's own words: kept as they are
    found = moments["t2"][0]
    assert found["meaning"] and found["idx"] == 1 and found["at"] == 5.0  # the nearest first
    assert found["url"] == "/talks/t2?t=5" and "<" not in found["text"]
    assert moments["t2"][-1] is partial and len(moments["t2"]) == 3  # each sentence once
    strict = meaning.Meaning(vector, floor=1.01)  # nothing is that near: the best one still
    alone: dict[str, list[dict[str, object]]] = {"t2": []}
    only_t2 = {"t2": picked["t2"]}
    query = meaning.moments_query("segs", {"t2": [r for r, _ in picked["t2"]]}, 'speaker = "Anna"')
    assert query is not None and query["filter"].endswith('AND speaker = "Anna"')
    fetched = meaning.by_row(fetch(docs, query["filter"]))
    shown = meaning.chosen(alone, only_t2, strict, fetched.keys())  # type: ignore[arg-type]
    meaning.add_moments(alone, shown, fetched)  # type: ignore[arg-type]
    assert [m["idx"] for m in alone["t2"]] == [1]  # a talk found by meaning shows its best
    # under a speaker filter only that speaker's sentences may be shown: the best of those
    assert meaning.chosen({"t2": []}, only_t2, strict, {("t2", 2)}) == {"t2": [2]}
    assert meaning.moments_query("segs", {}, None) is None


def test_a_near_talk_s_nearest_sentence_needs_no_fetch_and_only_the_others_are_fetched(
        tmp_path: Path) -> None:
    from archive.search import query as search_query

    class Recorded:
        def __init__(self) -> None:
            self.requests: list[Sequence[Mapping[str, Any]]] = []

        def multi_search(self, queries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
            self.requests.append(queries)
            return [{"hits": fetch(docs, q["filter"])} for q in queries]

    settings = Settings(data_dir=tmp_path)
    spoken = transcript("Der Bürgerbus fährt nach Bedarf.",
                        "Die Fahrer sind Ehrenamtliche aus den Dörfern.", "Im Herbst wächst das Gebiet.")
    vectors.fill(settings, "t2", spoken, model.embed)
    docs: list[dict[str, object]] = [
        {"talk_id": "t2", "idx": i, "start": s.start, "end": s.end, "text": s.text,
         "speaker": None} for i, s in enumerate(spoken.segments)]
    vector = query_encoder.embed_query("Freiwillige sitzen am Steuer")
    picked = meaning.picks(settings, ["t2"], meaning.Meaning(vector, floor=-1.0))
    nearest, cosine = picked["t2"][0]
    near = [{**docs[nearest], "title": "Bürgerbus"}]  # the talk's hit is its nearest sentence
    client = Recorded()
    segments: dict[str, list[dict[str, Any]]] = {"t2": []}
    only_it = meaning.Meaning(vector, floor=cosine)  # no other sentence reaches the floor
    search_query._meaning_moments(settings, client, segments, picked, only_it, near, None)  # type: ignore[arg-type]
    assert [m["idx"] for m in segments["t2"]] == [nearest] and client.requests == []
    segments = {"t2": []}
    anything = meaning.Meaning(vector, floor=-1.0)
    search_query._meaning_moments(settings, client, segments, picked, anything, near, None)  # type: ignore[arg-type]
    assert [m["idx"] for m in segments["t2"]] == [r for r, _ in picked["t2"]]
    [[asked]] = client.requests  # one round trip, for the two sentences that did not come
    assert asked["limit"] == 2 and str(nearest) not in asked["filter"].split("[", 1)[1]


def test_a_partial_talk_the_merge_drops_gets_no_sentence_picked_or_fetched(
        tmp_path: Path) -> None:
    from archive.search import query as search_query

    settings = Settings(data_dir=tmp_path, semantic=True, meili_index="segs")
    spoken = transcript("Der Bürgerbus fährt nach Bedarf.",
                        "Die Fahrer sind Ehrenamtliche aus den Dörfern.", "Im Herbst wächst das Gebiet.")
    docs: list[dict[str, object]] = []
    for talk_id in ("t2", "t3"):
        vectors.fill(settings, talk_id, spoken, model.embed)
        docs += [{"talk_id": talk_id, "idx": i, "start": s.start, "end": s.end, "text": s.text,
                  "speaker": None} for i, s in enumerate(spoken.segments)]
    partial = {**hit("t3", 0.5, matching=1), "title": "Herbst"}  # one of two words, not near
    near = [{**docs[1], "title": "Bürgerbus", "_rankingScore": 0.99}]  # above the floor

    class ByKind:  # requests go out from three threads: answered by kind
        def __init__(self) -> None:
            self.requests: list[dict[str, Any]] = []

        def multi_search(self, queries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
            self.requests += [dict(q) for q in queries]
            return [{"hits": near} if "vector" in q else
                    {"hits": [partial], "totalHits": 1} if q["indexUid"] == "segs_talks" else
                    {"hits": fetch(docs, q["filter"]) if q["q"] == "" else []} for q in queries]

    client = ByKind()
    found = search_query.search(settings, client, "Freiwillige Steuer")  # type: ignore[arg-type]
    assert [t["id"] for t in found["talks"]] == ["t2"]  # t3 shares a word, not the meaning
    fetches = [q for q in client.requests if q["q"] == "" and q["indexUid"] == "segs"]
    assert not any("t3" in q["filter"] for q in fetches)


def test_the_api_asks_the_keyword_page_then_the_nearest_talks(tmp_path: Path) -> None:
    from .fakes import FakeSearch, add_talk, app_with

    class ByKind(FakeSearch):  # requests go out from two threads: answered by kind
        def __init__(self, words: dict[str, Any], near: dict[str, Any]) -> None:
            super().__init__()
            self.words, self.near = words, near

        def multi_search(self, queries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
            self.requests.append([dict(q) for q in queries])
            return [self.near if "vector" in q else self.words for q in queries]

    talk_hit = {"talk_id": "t1", "title": "Mobilität", "speakers": [], "_rankingScore": 0.93,
                "idx": 0, "start": 0.0, "end": 2.0, "text": "Parken am Bahnhof."}  # its nearest
    search = ByKind({"hits": [], "totalHits": 0, "facetDistribution": {"town": {"Soest": 7}}},
                    {"hits": [talk_hit]})
    with app_with(tmp_path, search, semantic=True) as (client, catalog, _token):
        add_talk(catalog, tmp_path, "t1")
        r = client.get("/api/search", params={"q": "Wo kann ich parken?"})
        exact = FakeSearch([[{"hits": [], "totalHits": 0}]])
        with app_with(tmp_path / "exact", exact, semantic=True) as (client2, _c, _t):
            assert client2.get("/api/search", params={"q": "parken", "exact": "true"}
                               ).json()["meaning"] is False
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meaning"] is True and body["facets"] == {"town": {"Soest": 7}}
    assert body["total"] == 1 and body["talks"][0]["id"] == "t1"
    assert body["talks"][0]["segments"] == []  # no stored vectors: no sentence to show
    assert len(search.requests) == 2  # a talk found by meaning alone asks no keyword moments
    [words], [near] = sorted(search.requests, key=lambda r: "vector" in r[0])
    assert "vector" not in words and words["showRankingScoreDetails"] is True
    assert len(near["vector"]) == model.DIMENSIONS and near["hybrid"]["semanticRatio"] == 1.0
    assert near["filter"] == words["filter"] and near["distinct"] == "talk_id"
    assert len(exact.requests) == 1 and "vector" not in exact.requests[0][0]


def test_the_api_loads_the_meaning_s_model_beside_its_start_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import threading

    from .fakes import FakeSearch, app_with

    def started(on: bool, folder: str) -> None:
        with app_with(tmp_path / folder, FakeSearch(), semantic=on) as (client, _c, _t):
            for thread in threading.enumerate():
                if thread.name == "meaning-warm-up":
                    thread.join(30)
            assert client.get("/api/health").status_code == 200

    calls: list[int] = []
    monkeypatch.setattr(meaning, "warm", lambda: calls.append(1))
    started(True, "on")
    started(False, "off")
    assert calls == [1]

    def broken() -> None:
        raise TalkarchiveError("sentence model file missing: x")

    monkeypatch.setattr(meaning, "warm", broken)
    started(True, "broken")  # the start-up goes on; the first query meets the error
    assert "did not load at start-up: sentence model file missing" in caplog.text


def test_a_server_s_start_up_objects_leave_the_garbage_collector_s_walks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import threading

    from fastapi.testclient import TestClient

    from api.app import create_app

    monkeypatch.setattr(meaning, "warm", lambda: None)
    settings = Settings(data_dir=tmp_path, meili_url="http://127.0.0.2:9",
                        meili_master_key="k" * 20, semantic=True)
    frozen = {}
    gc.unfreeze()
    try:
        for settle in (False, True):  # tests start many apps: only a server's settles
            with TestClient(create_app(settings, settle=settle)) as client:
                for thread in threading.enumerate():
                    if thread.name == "meaning-warm-up":
                        thread.join(30)
                client.get("/api/health")
                frozen[settle] = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert frozen[False] == 0 and frozen[True] > 10_000


def test_a_full_page_of_every_word_hits_is_not_searched_by_meaning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from .fakes import FakeSearch, add_talk, app_with

    every = {"words": {"matchingWords": 2, "maxMatchingWords": 2}}
    some = {"words": {"matchingWords": 1, "maxMatchingWords": 2}}

    def hits(*details: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"talk_id": f"t{i}", "title": "x", "speakers": [], "_rankingScore": 0.9,
                 "_rankingScoreDetails": d} for i, d in enumerate(details)]

    assert not meaning.needed(hits(every, every), page=1, per_page=2)  # nothing could join
    assert meaning.needed(hits(every), page=1, per_page=2)  # room below for the meaning's
    assert meaning.needed(hits(every, some), page=1, per_page=2)
    assert not meaning.needed(hits(every), page=2, per_page=2)  # no talk to add later on
    assert meaning.needed(hits(every, some), page=2, per_page=2)  # its moments may change
    assert meaning.needed([], page=1, per_page=2)

    class Answers(FakeSearch):
        def multi_search(self, queries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
            self.requests.append([dict(q) for q in queries])
            if "vector" in queries[0]:
                raise AssertionError("the nearest talks were asked")
            if queries[0]["indexUid"].endswith("_talks"):
                return [{"hits": hits(*[every] * 10), "totalHits": 30, "facetDistribution": {}}]
            return [{"hits": []} for _ in queries]

    search = Answers()
    calls: list[str] = []
    with app_with(tmp_path, search, semantic=True) as (client, catalog, _token):
        for i in range(10):
            add_talk(catalog, tmp_path, f"t{i}")
        monkeypatch.setattr(meaning, "of_query", calls.append)  # embedding would be a call
        r = client.get("/api/search", params={"q": "Bürgerbus Ehrenamt"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["meaning"] is True and body["total"] == 30 and len(body["talks"]) == 10
    assert calls == []  # not even embedded
    assert not any("vector" in q for request in search.requests for q in request)


def test_the_archive_s_sentences_are_embedded_on_two_engine_threads() -> None:
    engine = ctypes.CDLL(str(model.package_dir() / model._engine_name()))
    model.embed(["Freiwillige sitzen am Steuer"])
    query_encoder.embed_query("Wer fährt den Bürgerbus?")  # not on the engine
    assert engine.omp_get_max_threads() == model.THREADS == 2
