"""Chapters for talks without slides or programme items: does topic segmentation beat
equidistant chapters? Pk (Beeferman et al. 1999, computed by the `segeval` package; lower is
better) on documents with known topic boundaries, built from German texts that were spoken:
the three shared talks (../shared/data/talks_de/*.txt), our three demo talks (ingest/demo.py)
and the read sentences of ../shared/data/speech_de (its Thorsten-Voice and EmoDB texts, each
set one block, as a stretch of questions from the floor is).

Each document strings 4 to 6 of these 8 blocks together in a random order (seeded), sentence
by sentence; a boundary lies between two blocks. Both methods are told how many chapters the
document has (the baseline is at its best then), and a third line gives the method's own
count (Hearst's cut-off: depth above mean - sd/2):

- equidistant: boundaries after every n/k sentences;
- lexical cohesion (TextTiling after Hearst 1997, on sentences): the cosine of the content
  words (lower case, stop words out, compounds split by archive.german, cut to 6 letters) of
  the w sentences before and after each gap; boundaries at the deepest valleys.

    .venv/bin/python bench/chapters.py [--documents 300] [--seed 21] [--window 3]

Topic chapters go into the product only where the method's Pk is lower than the baseline's.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import segeval  # noqa: E402

from archive import german  # noqa: E402
from ingest import demo  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
_STOP_WORDS = """
aber alle allen aller alles als also am an andere auch auf aus bei beim bin bis bist da dabei
damit dann das dass dem den denn der des dich die dies diese diesem diesen dieser dir doch dort
du durch ein eine einem einen einer eines er es etwas euch euer eure für gegen hat hatte haben
habe hier hin ich ihr ihre ihm ihn im in ins ist ja jede jeder jetzt kann kein keine man mehr
mein meine mich mir mit muss nach nicht noch nun nur ob oder ohne sehr sein seine sich sie sind
so soll sondern über um und uns unser unsere unter viel vom von vor war waren was wenn wer wie
wir wird wo zu zum zur zwischen heute schon immer ganz gibt geht wurde werden worden
"""
STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[^\W\d_]+")


def blocks() -> dict[str, list[str]]:
    """The topics, each a list of sentences in the order they were said."""
    found: dict[str, list[str]] = {}
    for path in sorted((SHARED / "talks_de").glob("*.txt")):
        lines = [re.sub(r"^\[m\d\]\s*", "", line).strip() for line in path.read_text().splitlines()]
        found[path.stem] = [line for line in lines if line]
    for talk in demo.DEMO_TALKS:
        found[talk.slug] = list(talk.sentences)
    rows = [json.loads(line) for line in (SHARED / "speech_de" / "manifest.jsonl").read_text().splitlines()]
    for name in ("thorsten_voice_samples", "emodb_neutral"):
        texts = list(dict.fromkeys(r["text"] for r in rows if r["set"] == name))
        found[name] = texts[:10]
    return found


def documents(topics: dict[str, list[str]], count: int, seed: int) -> list[list[tuple[str, int]]]:
    """Each document: (sentence, block number in the document) in order."""
    rng = random.Random(seed)
    names = sorted(topics)
    out = []
    for _ in range(count):
        chosen = rng.sample(names, rng.randint(4, 6))
        out.append([(s, k) for k, name in enumerate(chosen) for s in topics[name]])
    return out


def terms(sentence: str) -> Counter[str]:
    bag: Counter[str] = Counter()
    for word in _WORD.findall(sentence.lower()):
        if word in STOP or len(word) < 3:
            continue
        for part in german.split_compound(word) or (german.fold(word),):
            bag[part[:6]] += 1
    return bag


def cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def depths(sentences: list[str], window: int) -> list[float]:
    """The depth of the cohesion valley at each gap (gap i lies before sentence i)."""
    bags = [terms(s) for s in sentences]
    sims = []
    for i in range(1, len(bags)):
        before = sum((bags[j] for j in range(max(0, i - window), i)), Counter())
        after = sum((bags[j] for j in range(i, min(len(bags), i + window))), Counter())
        sims.append(cosine(before, after))
    out = []
    for g, s in enumerate(sims):
        left = max(sims[: g + 1])
        right = max(sims[g:])
        out.append((left - s) + (right - s))
    return out


def pick(depth: list[float], k: int | None, gap: int = 2) -> list[int]:
    """Gaps (1-based sentence indexes) with the deepest valleys, ``gap`` sentences apart;
    ``k`` of them, or those above Hearst's cut-off."""
    order = sorted(range(len(depth)), key=lambda g: -depth[g])
    cutoff = statistics.mean(depth) - statistics.pstdev(depth) / 2 if depth else 0.0
    chosen: list[int] = []
    for g in order:
        if k is not None and len(chosen) >= k:
            break
        if k is None and depth[g] <= cutoff:
            break
        if all(abs(g - c) >= gap for c in chosen):
            chosen.append(g)
    return sorted(g + 1 for g in chosen)


def masses(n: int, boundaries: list[int]) -> tuple[int, ...]:
    edges = [0, *sorted(boundaries), n]
    return tuple(b - a for a, b in zip(edges, edges[1:], strict=False) if b > a)


def equidistant(n: int, k: int) -> list[int]:
    return [round(n * j / (k + 1)) for j in range(1, k + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--window", type=int, default=3)
    args = parser.parse_args()
    if not (SHARED / "talks_de").is_dir():
        sys.exit(f"{SHARED} is absent: the set is built from it")
    topics = blocks()
    docs = documents(topics, args.documents, args.seed)
    scores: dict[str, list[float]] = {"equidistant": [], "cohesion": [], "cohesion_own_k": []}
    for doc in docs:
        sentences = [s for s, _ in doc]
        n = len(sentences)
        truth = [i for i in range(1, n) if doc[i][1] != doc[i - 1][1]]
        reference = masses(n, truth)
        depth = depths(sentences, args.window)
        guesses = {"equidistant": equidistant(n, len(truth)),
                   "cohesion": pick(depth, len(truth)),
                   "cohesion_own_k": pick(depth, None)}
        for name, found in guesses.items():
            scores[name].append(float(segeval.pk(masses(n, found), reference)))
    sizes = {name: len(s) for name, s in topics.items()}
    print(f"set: {len(docs)} documents of 4-6 of {len(topics)} blocks {sizes}, seed {args.seed}")
    base = statistics.mean(scores["equidistant"])
    for name, values in scores.items():
        mean = statistics.mean(values)
        wins = sum(v < b for v, b in zip(values, scores["equidistant"], strict=True))
        print(f"Pk {name:15s} {mean:.3f} (sd {statistics.pstdev(values):.3f}; "
              f"better than equidistant in {wins}/{len(values)}; ratio {mean / base:.2f})")


if __name__ == "__main__":
    main()
