"""German words for the index: ß folding and compound splitting.

Meilisearch's ``deu`` locale cuts unknown words into fragments, so it stays off; instead every
segment gets an extra searchable field with ß folded to "ss" and compounds split into their
parts ("Kreidetafel" -> "kreide tafel"), while the original text still ranks exact matches first.

The parts come from the Debian German word list (package ``wngerman``). That list lacks many
short nouns that only occur inside compounds ("Tafel" only as "Gedenktafel", "Tafelberg"), so a
string also counts as a part when several listed words begin with it and several end with it.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
from collections import Counter
from pathlib import Path

WORDLIST = Path("/usr/share/dict/ngerman")
MIN_PART = 4
MIN_WORD = 8
_LINKS = ("s", "es", "n", "en", "e", "er")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    return text.replace("ß", "ss").replace("ẞ", "SS")


_cache_file: Path | None = None


def use_cache(cache_dir: Path) -> None:
    """Keep the built lexicon below ``cache_dir`` (building it takes ~2 s, loading ~0.1 s)."""
    global _cache_file
    _cache_file = cache_dir / "german-lexicon-v1.pickle"


@functools.lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    if not WORDLIST.exists():
        return frozenset()
    stamp = f"{WORDLIST.stat().st_size}-{WORDLIST.stat().st_mtime_ns}"
    if _cache_file is not None and _cache_file.exists():
        try:
            with _cache_file.open("rb") as f:
                cached_stamp, words = pickle.load(f)
            if cached_stamp == stamp:
                return frozenset(words)
        except (OSError, pickle.UnpicklingError, ValueError, EOFError):
            pass
    built = _build()
    if _cache_file is not None:
        _cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = _cache_file.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump((stamp, built), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, _cache_file)
    return built


def _build() -> frozenset[str]:
    words = [w.strip().lower() for w in WORDLIST.read_text("utf-8").splitlines()]
    words = [w for w in words if w.isalpha()]
    known = set(words)
    starts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    for w in words:
        if len(w) >= MIN_WORD:
            for i in range(MIN_PART, min(len(w) - MIN_PART, 12) + 1):
                starts[w[:i]] += 1
            for i in range(max(MIN_PART, len(w) - 12), len(w) - MIN_PART + 1):
                ends[w[i:]] += 1
    known.update(p for p, n in ends.items() if n >= 3 and starts.get(p, 0) >= 2)
    return frozenset(fold(w) for w in known if len(w) >= MIN_PART)


def _head_known(head: str, known: frozenset[str]) -> bool:
    if head in known:
        return True
    return any(head.endswith(s) and head[: -len(s)] in known for s in _LINKS)


@functools.lru_cache(maxsize=65536)
def split_compound(word: str) -> tuple[str, ...]:
    """Parts of a German compound (lower case, ß folded), or () when it is not one."""
    w = fold(word.lower())
    known = lexicon()
    if len(w) < MIN_WORD or not known:
        return ()
    for i in range(MIN_PART, len(w) - MIN_PART + 1):
        head, tail = w[:i], w[i:]
        if tail not in known:
            continue
        if _head_known(head, known):
            return (head, tail)
        inner = split_compound(head)
        if inner:
            return (*inner, tail)
    return ()


def index_variants(text: str) -> str:
    """The extra searchable text of a segment: folded words and the parts of compounds."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        folded = fold(token)
        if folded != token:
            out.append(folded)
        out.extend(split_compound(token))
    return " ".join(out)
