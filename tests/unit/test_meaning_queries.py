"""The judged dev set for search by meaning (bench/data/meaning_queries.json, read by
bench/meaning.py): well formed, and every answer a real sentence of ../shared/data."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "bench" / "data" / "meaning_queries.json"
DATA = ROOT.parent / "shared" / "data"
KINDS = {"paraphrase", "exact", "absent"}


def queries() -> list[dict[str, Any]]:
    doc = json.loads(DEV.read_text(encoding="utf-8"))
    assert doc["version"] == 1
    assert doc["description"].strip()
    return doc["queries"]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def corpus() -> dict[str, list[str]]:
    """source -> its sentences, as the bench names them."""
    if not DATA.is_dir():
        pytest.skip("../shared/data is absent")
    out: dict[str, list[str]] = {}
    for truth in sorted((DATA / "talks_de").glob("*.truth.json")):
        sentences = json.loads(truth.read_text(encoding="utf-8"))["sentences"]
        out[f"talks_de/{truth.name.removesuffix('.truth.json')}"] = [s["text"] for s in sentences]
    for line in (DATA / "speech_de" / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out[f"speech_de/{row['audio']}"] = [row["text"]]
    return out


def test_ids_kinds_and_counts() -> None:
    qs = queries()
    ids = [q["id"] for q in qs]
    assert len(ids) == len(set(ids))
    assert all(q["kind"] in KINDS for q in qs)
    assert all(isinstance(q["query"], str) and q["query"].strip() for q in qs)
    kinds = Counter(q["kind"] for q in qs)
    assert len(qs) >= 60
    assert kinds["paraphrase"] >= 40
    assert kinds["exact"] >= 15
    assert kinds["absent"] >= 8
    assert len({q["query"].lower() for q in qs}) == len(qs)


def test_answers_by_kind() -> None:
    for q in queries():
        pairs = [(a["source"], a["text"]) for a in q["answers"]]
        assert len(pairs) == len(set(pairs)), q["id"]
        if q["kind"] == "absent":
            assert pairs == [], q["id"]
        else:
            assert pairs, q["id"]


def test_every_answer_is_one_sentence_of_its_source() -> None:
    sources = corpus()
    for q in queries():
        for a in q["answers"]:
            source = a["source"]
            prefix, _, rest = source.partition("/")
            assert prefix in {"talks_de", "speech_de"}, (q["id"], source)
            path = DATA / prefix / (f"{rest}.truth.json" if prefix == "talks_de" else rest)
            assert path.is_file(), (q["id"], source)
            assert sources[source].count(a["text"]) == 1, (q["id"], source, a["text"])


def test_a_clip_text_counts_for_every_clip_that_reads_it() -> None:
    sources = corpus()
    by_text: dict[str, set[str]] = {}
    for source, texts in sources.items():
        for text in texts:
            by_text.setdefault(text, set()).add(source)
    for q in queries():
        for text in {a["text"] for a in q["answers"]}:
            listed = {a["source"] for a in q["answers"] if a["text"] == text}
            assert listed == by_text[text], (q["id"], text)


def test_exact_queries_use_the_answers_words() -> None:
    sources = corpus()
    for q in (q for q in queries() if q["kind"] == "exact"):
        wanted = words(q["query"])
        assert wanted, q["id"]
        for a in q["answers"]:
            assert set(wanted) <= set(words(a["text"])), (q["id"], a["text"])
        # and every sentence with all those words is an answer
        listed = {(a["source"], a["text"]) for a in q["answers"]}
        for source, texts in sources.items():
            for text in texts:
                if set(wanted) <= set(words(text)):
                    assert (source, text) in listed, (q["id"], source, text)
