"""Search by meaning, judged: the dev set (bench/data/meaning_queries.json) against an archive
of the shared German talks and clips (one talk per talk file and per clip set, plus the demo
talks as distractors), searched through the archive's own query code and a real Meilisearch.

For keywords alone and for hybrid search at several ratios (the meaning's weight against
partial keyword hits) and margins (how far above the query's background a cosine must be) it
prints, per query kind:
- R@1, R@10 and MRR over the moments in result order (talks, then each talk's moments);
- for exact-word queries, how many correct keyword top-3 hits hybrid pushed down (must be 0);
- for queries about nothing in the archive, how many found anything (should be 0).

    .venv/bin/python bench/meaning.py [--ratios 0.3 0.5 0.7] [--margins 0 0.02 0.04]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import catalog as cat  # noqa: E402
from archive import transcript as tr  # noqa: E402
from archive.paths import transcript_path  # noqa: E402
from archive.search import meaning, reindex, server  # noqa: E402
from archive.search import query as search_mod  # noqa: E402
from archive.semantic import vectors  # noqa: E402
from archive.settings import Settings  # noqa: E402
from ingest import demo  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
DEV = ROOT / "bench" / "data" / "meaning_queries.json"
KEY = "bench-master-key-0123456789abcdef"


def sources() -> Iterator[tuple[str, str, list[str]]]:
    """(talk id, title, sentences), with the source name kept in the id's map."""
    for truth in sorted((DATA / "talks_de").glob("*.truth.json")):
        yield f"talks_de/{truth.name.removesuffix('.truth.json')}", truth.stem, \
            [s["text"] for s in json.loads(truth.read_text())["sentences"]]
    for line in (DATA / "speech_de" / "manifest.jsonl").read_text().splitlines():
        row = json.loads(line)  # each clip a recording of its own
        yield f"speech_de/{row['audio']}", Path(row["audio"]).stem, [row["text"]]
    for talk in demo.DEMO_TALKS:
        yield f"demo/{talk.slug}", talk.title, list(talk.sentences)


def transcript_of(talk_id: str, texts: list[str]) -> tr.Transcript:
    segs, clock = [], 0.0
    for text in texts:
        words = [tr.Word(round(clock + i * 0.4, 2), round(clock + i * 0.4 + 0.35, 2), " " + w)
                 for i, w in enumerate(text.split())]
        segs.append(tr.Segment(words[0].start, words[-1].end, tr.segment_text(words), words))
        clock = words[-1].end + 0.6
    return tr.Transcript(talk_id, "de", clock, segs,
                         tr.Provenance("bench", "none", None, "cpu", "none", {}))


def make_archive(settings: Settings) -> dict[str, str]:
    """Transcripts, vectors and catalog rows; returns talk id -> source name."""
    catalog = cat.Catalog(settings)
    names: dict[str, str] = {}
    rows = []
    for n, (source, title, texts) in enumerate(sources()):
        talk_id = f"{n:016x}"
        names[talk_id] = source
        transcript = transcript_of(talk_id, texts)
        tr.save(transcript, transcript_path(settings, talk_id))
        vectors.fill(settings, talk_id, transcript)
        rows.append(cat.Talk(
            id=talk_id, content_hash=f"{n:064x}", title=title.replace("_", " "), event="Bench",
            date="2025-09-18", year=2025, speakers=[], town=None, language="de",
            duration=transcript.duration, status="ready", published=True, original_name="x.mp4",
            original_path="/x", media_path="/x", poster_path=None, has_video=False,
            segment_count=len(texts)))
    with catalog.session() as s:
        s.add_all(rows)
    catalog.dispose()
    return names


def ranked(settings: Settings, client: Any, names: dict[str, str], q: str, exact: bool
           ) -> list[tuple[str, str]]:
    """The moments of the first page, in the order a reader meets them: (source, text)."""
    found = search_mod.search(settings, client, q, exact=exact, per_page=20)
    out = []
    for talk in found["talks"]:
        for seg in talk["segments"]:
            text = html.unescape(re.sub(r"</?mark>", "", seg["text"]))
            out.append((names[talk["id"]], text))
    return out


def scores(results: dict[str, list[tuple[str, str]]], queries: list[dict[str, Any]]
           ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in ("paraphrase", "exact"):
        rr, r1, r10 = [], 0, 0
        chosen = [q for q in queries if q["kind"] == kind]
        for q in chosen:
            good = {(a["source"], a["text"]) for a in q["answers"]}
            ranks = [i for i, hit in enumerate(results[q["id"]], start=1) if hit in good]
            first = ranks[0] if ranks else None
            r1 += first == 1
            r10 += bool(first and first <= 10)
            rr.append(1 / first if first else 0.0)
        n = max(len(chosen), 1)
        out[kind] = {"queries": len(chosen), "R@1": round(r1 / n, 3), "R@10": round(r10 / n, 3),
                     "MRR": round(sum(rr) / n, 3)}
    absent = [q for q in queries if q["kind"] == "absent"]
    out["absent_with_hits"] = sum(bool(results[q["id"]]) for q in absent)
    return out


def pushed_down(keyword: dict[str, list[tuple[str, str]]], hybrid: dict[str, list[tuple[str, str]]],
                queries: list[dict[str, Any]]) -> int:
    """Exact-word queries where a correct keyword top-3 hit ranks lower under hybrid."""
    count = 0
    for q in (q for q in queries if q["kind"] == "exact"):
        good = {(a["source"], a["text"]) for a in q["answers"]}
        for i, hit in enumerate(keyword[q["id"]][:3]):
            if hit in good and (hit not in hybrid[q["id"]] or hybrid[q["id"]].index(hit) > i):
                count += 1
                break
    return count


def grid(settings: Settings, client: Any, names: dict[str, str], queries: list[dict[str, Any]],
         args: argparse.Namespace, label: str) -> dict[str, Any]:
    keyword = {q["id"]: ranked(settings, client, names, q["query"], True) for q in queries}
    report: dict[str, Any] = {"keywords": scores(keyword, queries)}
    for ratio in args.ratios:
        for margin in args.margins:
            meaning.RATIO, meaning.MARGIN = ratio, margin
            hybrid = {q["id"]: ranked(settings, client, names, q["query"], False) for q in queries}
            report[f"{label} ratio={ratio} margin={margin}"] = {
                **scores(hybrid, queries), "exact_pushed_down": pushed_down(keyword, hybrid, queries)}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ratios", type=float, nargs="+", default=[0.3, 0.5, 0.7])
    parser.add_argument("--margins", type=float, nargs="+", default=[0.0, 0.02, 0.03, 0.04, 0.05])
    parser.add_argument("--port", type=int, default=7981)
    parser.add_argument("--dev", type=Path, default=DEV, help="the judged queries")
    args = parser.parse_args()
    queries = json.loads(args.dev.read_text())["queries"]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), meili_url=f"http://127.0.0.1:{args.port}",
                            meili_master_key=KEY, meili_index="meaning")
        names = make_archive(settings)
        managed = server.ManagedMeili(settings)
        managed.start()
        try:
            client = server.client_for(settings, timeout=600)
            catalog = cat.Catalog(settings)
            reindex.reindex(settings, client, catalog)
            report = grid(settings, client, names, queries, args, "sentences")
            catalog.dispose()
        finally:
            managed.stop()
    for name, row in report.items():
        print(name, json.dumps(row))


if __name__ == "__main__":
    main()
