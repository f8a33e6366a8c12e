"""Search benchmark: fill an index with 100,000 and 1,000,000 segment documents (real German
transcript sentences recombined) and measure, in one run:

- indexing throughput in segments/s: Meilisearch alone (pre-built segment and talk documents)
  against the whole reindex path (transcripts on disk -> documents with German variants ->
  both indexes -> swap); target >= 3,000 docs/s;
- GET /api/search of a real `talkarchive serve` against the same Meilisearch requests sent
  straight (recorded from one run of the search, then replayed; target: the API adds <= 3 ms
  at the median), and, for reference, a single segment search with highlight, crop, facets and
  distinct (how the search worked before the talk index) and its two costly parts alone:
  distinct with an exact count, and facet counts;
- p50/p95/p99 sequentially and with 16 concurrent clients (target p95 <= 20 ms sequential at 1M);
- search by meaning (issue 22): every talk's sentence vectors stored beside its transcript, the
  reindex that sends them (target <= 30 min at 1M), GET /api/search with words and meaning
  (the default; target p95 <= 40 ms) against `exact=true` (words only, the figures above), the
  share of queries whose keyword page left room for the meaning (the others are not embedded),
  and Meilisearch's resident memory and disk with the vectors.
  Ten questions outside the dev set warm the meaning's path first, as twenty words warm the
  keyword path.

    .venv/bin/python bench/search.py [--sizes 100000 1000000] [--queries 300]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import catalog as cat  # noqa: E402
from archive import transcript as tr  # noqa: E402
from archive.paths import transcript_path  # noqa: E402
from archive.search import documents, reindex, schema, server  # noqa: E402
from archive.search import meaning as meaning_mod  # noqa: E402
from archive.search import query as search_mod  # noqa: E402
from archive.semantic import model, vectors  # noqa: E402
from archive.settings import Settings  # noqa: E402
from ingest import demo  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
KEY = "bench-master-key-0123456789abcdef"
SEGMENTS_PER_TALK = 200
EVENTS = [f"Smart Cities Konferenz {y}" for y in range(2019, 2026)]
TOWNS = ["Arnsberg", "Bad Berleburg", "Menden", "Olpe", "Soest"]
SPEAKERS = [f"{a} {b}" for a in ("Anna", "Ben", "Cem", "Dana", "Emil", "Frieda")
            for b in ("Becker", "Schulte", "Weber", "Hoffmann")]


def sentences() -> list[str]:
    out = [s for t in demo.DEMO_TALKS for s in t.sentences]
    if DATA.exists():
        for line in (DATA / "speech_de" / "manifest.jsonl").read_text().splitlines():
            out.append(json.loads(line)["text"])
        for truth in (DATA / "talks_de").glob("*.truth.json"):
            out.extend(s["text"] for s in json.loads(truth.read_text())["sentences"])
    return out


def make_archive(settings: Settings, n: int, rng: random.Random) -> list[str]:
    """Transcripts on disk, their stored sentence vectors, and catalog rows for n segments;
    returns the vocabulary. A segment joins the halves of two real sentences, and its vector
    is the normalised sum of theirs (embedding a million made-up sentences would take the
    model ~20 min and measure nothing the search depends on)."""
    texts = sentences()
    pool = [s.split() for s in texts]
    pool_vectors = model.embed(texts)
    vocab = sorted({w.strip(".,!?;:").lower() for s in pool for w in s if len(w) > 3})
    catalog = cat.Catalog(settings)
    talks = []
    for t in range(n // SEGMENTS_PER_TALK):
        talk_id = f"{t:016x}"
        segs, clock = [], 0.0
        found: dict[str, np.ndarray] = {}
        for _ in range(SEGMENTS_PER_TALK):
            ia, ib = rng.randrange(len(pool)), rng.randrange(len(pool))
            a, b = pool[ia], pool[ib]
            text = a[: len(a) // 2 + 1] + b[len(b) // 2 :]
            words = [tr.Word(round(clock + i * 0.4, 2), round(clock + i * 0.4 + 0.35, 2), w)
                     for i, w in enumerate(text)]
            segs.append(tr.Segment(words[0].start, words[-1].end, tr.segment_text(words), words))
            both = pool_vectors[ia] + pool_vectors[ib]
            found[vectors.text_key(segs[-1].text)] = both / np.linalg.norm(both)
            clock = words[-1].end + 0.6
        tr.save(tr.Transcript(talk_id, "de", clock, segs,
                              tr.Provenance("bench", "none", None, "cpu", "none", {})),
                transcript_path(settings, talk_id))
        vectors.save(settings, talk_id, found, [vectors.text_key(seg.text) for seg in segs])
        year = rng.randrange(2019, 2026)
        talks.append(cat.Talk(
            id=talk_id, content_hash=f"{t:064x}", title=f"Vortrag {t}", event=f"Smart Cities Konferenz {year}",
            date=f"{year}-09-18", year=year, speakers=rng.sample(SPEAKERS, 2), town=rng.choice(TOWNS),
            language="de", duration=clock, status="ready", published=True, original_name="x.mp4",
            original_path="/x", media_path="/x", poster_path=None, has_video=True,
            segment_count=len(segs)))
    with catalog.session() as s:
        s.add_all(talks)
    catalog.dispose()
    return vocab


# Questions outside the dev set that warm the meaning's path before the timed ones (the words
# below warm only the keyword path: a full first page of every-word hits needs no meaning).
WARM_QUESTIONS = ["Wer kümmert sich um die Straßenlaternen?", "Wie komme ich ohne Auto zur Arbeit?",
                  "Was tut die Stadt gegen Hitze im Sommer?", "Wo finde ich freies WLAN?",
                  "Wie werden Bürger an Entscheidungen beteiligt?",
                  "Welche Angebote gibt es für Senioren im Internet?",
                  "Wie sicher sind meine Daten bei der Verwaltung?",
                  "Was kostet der Ausbau der Glasfaser?", "Wie wird Müll in der Stadt gesammelt?",
                  "Wann öffnet das Bürgerbüro am Samstag?"]


def paraphrases() -> list[str]:
    """A citizen's questions from the judged dev set (bench/meaning.py), for hybrid timings."""
    dev = Path(__file__).resolve().parent / "data" / "meaning_queries.json"
    return [q["query"] for q in json.loads(dev.read_text())["queries"] if q["kind"] != "exact"]


def embedded_share(settings: Settings, client: object, queries: list[str]) -> float:
    """The share of queries searched by meaning too (their keyword page left room for it)."""
    embedded: list[str] = []
    real = meaning_mod.of_query

    def counted(query: str) -> meaning_mod.Meaning:
        embedded.append(query)
        return real(query)

    meaning_mod.of_query = counted
    try:
        for q in queries:
            search_mod.search(settings, client, q)  # type: ignore[arg-type]
    finally:
        meaning_mod.of_query = real
    return round(len(embedded) / len(queries), 3)


def footprint(managed: server.ManagedMeili, data: Path) -> dict[str, float]:
    """Meilisearch's resident memory and its database on disk, in MB."""
    import psutil

    assert managed.process is not None
    rss = psutil.Process(managed.process.pid).memory_info().rss
    disk = sum(p.stat().st_size for p in (data / "meili").rglob("*") if p.is_file())
    return {"rss_mb": round(rss / 1e6), "disk_mb": round(disk / 1e6)}


def percentiles(samples: list[float]) -> dict[str, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": round(q[49], 2), "p95": round(q[94], 2), "p99": round(q[98], 2)}


def interleaved(fns: dict[str, Callable[[str], None]], queries: list[str]) -> dict[str, dict[str, float]]:
    """Each query through every function in turn; percentiles per function."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for q in queries:
        for name, fn in fns.items():
            t = time.perf_counter()
            fn(q)
            samples[name].append((time.perf_counter() - t) * 1000)
    return {name: percentiles(xs) for name, xs in samples.items()}


def timed(fn: Callable[[str], None], queries: list[str], workers: int = 1) -> dict[str, float]:
    def one(q: str) -> float:
        t = time.perf_counter()
        fn(q)
        return (time.perf_counter() - t) * 1000

    if workers == 1:
        samples = [one(q) for q in queries]
    else:
        with ThreadPoolExecutor(workers) as pool:
            samples = list(pool.map(one, queries))
    return percentiles(samples)


def run_size(n: int, queries: int, rng: random.Random, port: int) -> dict[str, object]:
    report: dict[str, object] = {"segments": n}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"http://127.0.0.1:{port}"
        settings = Settings(data_dir=Path(tmp), meili_url=url, meili_master_key=KEY,
                            meili_index="bench")
        vocab = make_archive(settings, n, rng)
        managed = server.ManagedMeili(settings)
        managed.start()
        client = server.client_for(settings, timeout=3600)
        catalog = cat.Catalog(settings)
        try:
            # Meilisearch alone: the same documents (segments and talks), pre-built, into other indexes
            docs: list[dict[str, object]] = []
            talk_docs: list[dict[str, object]] = []
            words_only = settings.model_copy(update={"semantic": False})
            for talk in catalog.talks():  # words only: the vectors' cost is the reindex's below
                built = documents.talk_documents(words_only, talk)
                if built:
                    docs.extend(built[0])
                    talk_docs.append(built[1])
            reindex.create_index(client, "alone")
            reindex.create_index(client, "alone_talks", schema.TALK_SETTINGS)
            t = time.perf_counter()
            tasks = [client.add_documents("alone", docs[i : i + 2000]) for i in range(0, len(docs), 2000)]
            tasks += [client.add_documents("alone_talks", talk_docs[i : i + 10])
                      for i in range(0, len(talk_docs), 10)]
            for task in tasks:
                client.wait(task, timeout=3600)
            alone = len(docs) / (time.perf_counter() - t)
            del docs, talk_docs
            for uid in ("alone", "alone_talks"):
                client.wait(client.delete_index(uid))
            t = time.perf_counter()
            sent = reindex.reindex(settings, client, catalog)
            report["reindex_s"] = round(time.perf_counter() - t, 1)  # stored vectors included
            whole = sent / (time.perf_counter() - t)
            report["index_docs_per_s"] = {"meilisearch_alone": round(alone), "reindex_path": round(whole)}
            print(json.dumps(report), flush=True)

            api_port = port + 1
            env = {"TALKARCHIVE_DATA_DIR": tmp, "TALKARCHIVE_MEILI_URL": url,
                   "TALKARCHIVE_MEILI_MASTER_KEY": KEY, "TALKARCHIVE_MEILI_INDEX": "bench",
                   "PATH": str(Path(sys.executable).parent)}
            proc = subprocess.Popen([str(Path(sys.executable).parent / "talkarchive"), "serve",
                                     "--no-worker", "--port", str(api_port)], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            api = httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=30)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if api.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            words = [" ".join(rng.sample(vocab, rng.choice((1, 1, 2, 3)))) for _ in range(queries)]
            direct_body = {"distinct": "talk_id", "hitsPerPage": 10, "page": 1,
                           "facets": schema.FACETS, "filter": ["published = true"],
                           "attributesToHighlight": ["text"], "attributesToCrop": ["text"],
                           "attributesToRetrieve": ["talk_id", "start", "end", "text"]}

            index = client.raw.index("bench")

            def direct(q: str) -> None:
                index.search(q, direct_body)

            def distinct_only(q: str) -> None:  # where the time of `direct` goes: distinct...
                index.search(q, {"distinct": "talk_id", "hitsPerPage": 10, "page": 1,
                                 "filter": ["published = true"], "attributesToRetrieve": ["talk_id"]})

            def facets_only(q: str) -> None:  # ...or the facet counts
                index.search(q, {"hitsPerPage": 0, "page": 1, "facets": schema.FACETS,
                                 "filter": ["published = true"]})

            class Recorder:  # the multi-searches one search makes, to replay them alone
                def __init__(self) -> None:
                    self.calls: list[list[dict[str, object]]] = []

                def multi_search(self, queries: list[dict[str, object]]) -> object:
                    self.calls.append(queries)
                    return client.multi_search(queries)

            recorded: dict[str, list[list[dict[str, object]]]] = {}
            for q in words:
                recorder = Recorder()
                search_mod.search(settings, recorder, q, exact=True)  # type: ignore[arg-type]
                recorded[q] = recorder.calls

            def same_request(q: str) -> None:  # exactly what the API sends, sent straight
                for queries in recorded[q]:
                    client.multi_search(queries)

            # The baseline below the archive's client: the same bodies over plain HTTP, a fresh
            # loopback connection each (bench only; the archive itself goes through the client).
            raw_http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"},
                                    limits=httpx.Limits(max_keepalive_connections=0))

            def same_request_raw(q: str) -> None:
                for queries in recorded[q]:
                    raw_http.post("/multi-search", json={"queries": queries}).raise_for_status()

            def through_api(q: str) -> None:  # words only, as before search by meaning
                assert api.get("/api/search", params={"q": q, "exact": "true"}).status_code == 200

            def hybrid_api(q: str) -> None:  # words and meaning: the default
                assert api.get("/api/search", params={"q": q}).status_code == 200

            for q in words[:20]:  # warm all
                direct(q)
                through_api(q)
                hybrid_api(q)
            for q in WARM_QUESTIONS:
                hybrid_api(q)
            # interleaved, query by query, so that drift on the machine hits all three alike
            sequential = interleaved({"meilisearch_one_search_ms": direct,
                                      "meilisearch_distinct_only_ms": distinct_only,
                                      "meilisearch_facets_only_ms": facets_only,
                                      "meilisearch_direct_ms": same_request,
                                      "meilisearch_raw_http_ms": same_request_raw,
                                      "api_sequential_ms": through_api,
                                      "api_hybrid_ms": hybrid_api}, words)
            report["api_hybrid_paraphrases_ms"] = timed(hybrid_api, paraphrases() * 3)
            report["embedded_share"] = {  # the rest: a full first page of every-word hits
                "words": embedded_share(settings, client, words),
                "paraphrases": embedded_share(settings, client, paraphrases())}
            report["meilisearch"] = footprint(managed, Path(tmp))
            report.update(sequential)
            report["api_16_clients_ms"] = timed(through_api, words * 2, workers=16)
            report["api_overhead_median_ms"] = round(
                sequential["api_sequential_ms"]["p50"] - sequential["meilisearch_direct_ms"]["p50"], 2)
            report["api_overhead_over_raw_http_median_ms"] = round(
                sequential["api_sequential_ms"]["p50"] - sequential["meilisearch_raw_http_ms"]["p50"], 2)
            report["client_overhead_median_ms"] = round(
                sequential["meilisearch_direct_ms"]["p50"] - sequential["meilisearch_raw_http_ms"]["p50"], 2)
            raw_http.close()
            api.close()
            proc.terminate()
            proc.wait(10)
            print(json.dumps(report), flush=True)
        finally:
            catalog.dispose()
            managed.stop()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    results = [run_size(n, args.queries, rng, 7950 + i * 2) for i, n in enumerate(args.sizes)]
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
