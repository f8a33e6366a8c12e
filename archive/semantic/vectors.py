"""A talk's meaning vectors, kept beside its transcript (``transcripts/{talk}.meaning.npy``):
one vector per distinct sentence or slide text, keyed by a hash of the text, the row of each
index document (sentences, then slides, as :mod:`archive.search.documents` numbers them), and
the model that made them.

- A reindex reads them and never embeds again.
- A correction changes one sentence's text: only that text is embedded (:func:`fill`).
- A file made by another model counts as none: its vectors are not comparable.

Stored as float16: half the disk of float32, and the cosine moves by under 1e-6 on these
unit vectors.

The file is four arrays in NumPy's ``.npy`` format one after another (``np.save`` four times
to one file; ``np.load`` reads them back in turn): the model, the rows' order, the vectors,
the keys. A search reads the vectors of up to ten talks: through ``np.load`` of an ``.npz``
(a zip of the same arrays, the format before) a talk took 0.49 ms, this way 0.19 ms (600
talks of the million-segment bench archive, page cache warm). Files in the old format
are still read, and rewritten in this one by the next :func:`fill` (``talkarchive embed``).
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import transcript as tr
from ..paths import transcript_path
from ..settings import Settings
from . import model

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Stored:
    """What the file holds: a vector per distinct text, and per document row its vector's row
    (-1: none, an empty text). The keys stay a NumPy array until asked for: turning 200 of them
    into Python strings took 1 ms of the 1.3 ms a load costs, and a search loads the vectors of
    up to ten talks but needs no key."""

    raw_keys: np.ndarray  # unicode, one per vector
    vectors: np.ndarray  # float16, one row per key
    order: np.ndarray  # int32, one per document row
    legacy: bool = False  # read from the old .npz format: the next fill rewrites it

    @functools.cached_property
    def keys(self) -> list[str]:
        return self.raw_keys.tolist()

    def by_key(self) -> dict[str, np.ndarray]:
        return dict(zip(self.keys, self.vectors, strict=True))

    def of_row(self, row: int) -> np.ndarray | None:
        at = int(self.order[row]) if 0 <= row < len(self.order) else -1
        return None if at < 0 else self.vectors[at]


def vectors_path(settings: Settings, talk_id: str) -> Path:
    return transcript_path(settings, talk_id).with_suffix(".meaning.npy")


def legacy_path(settings: Settings, talk_id: str) -> Path:
    """Where the vectors were kept before (a ``.npz``), still read until rewritten."""
    return transcript_path(settings, talk_id).with_suffix(".meaning.npz")


def text_key(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode(), usedforsecurity=False).hexdigest()[:20]


def texts_of(transcript: tr.Transcript) -> list[str]:
    """What gets a vector, in index document order: every sentence, then every slide's text."""
    return [s.text for s in transcript.segments] + [" ".join(s.text.split())
                                                    for s in transcript.slides]


def load(settings: Settings, talk_id: str) -> Stored | None:
    """The talk's stored vectors; None when there are none from this model."""
    for path in (vectors_path(settings, talk_id), legacy_path(settings, talk_id)):
        try:
            return _read(path, path.stat().st_mtime_ns)
        except OSError:
            continue
    return None


@functools.lru_cache(maxsize=128)  # a search reads the vectors of the talks on its page
def _read(path: Path, mtime: int) -> Stored | None:
    try:
        if path.suffix == ".npz":
            return _read_legacy(path)
        with open(path, "rb") as arrays:
            if str(np.load(arrays, allow_pickle=False)) != model.MODEL_ID:
                return None
            order, rows, keys = (np.load(arrays, allow_pickle=False) for _ in range(3))
            return Stored(keys, rows, order)
    except (OSError, ValueError, KeyError, EOFError):  # damaged: embed again, never fail a search
        return None


def _read_legacy(path: Path) -> Stored | None:
    with np.load(path, allow_pickle=False) as stored:
        if str(stored["model"]) != model.MODEL_ID:
            return None
        return Stored(stored["keys"], stored["vectors"], stored["order"], legacy=True)


def save(settings: Settings, talk_id: str, found: dict[str, np.ndarray], order: list[str]) -> None:
    path = vectors_path(settings, talk_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    keys = list(found)
    row = {k: i for i, k in enumerate(keys)}
    rows = np.stack(list(found.values())).astype(np.float16) if found else \
        np.zeros((0, model.DIMENSIONS), dtype=np.float16)
    with open(tmp, "wb") as out:
        for array in (np.array(model.MODEL_ID),
                      np.array([row.get(k, -1) for k in order], dtype=np.int32), rows,
                      np.array(keys, dtype="U20")):
            np.save(out, array, allow_pickle=False)
    os.replace(tmp, path)
    legacy_path(settings, talk_id).unlink(missing_ok=True)


def fill(settings: Settings, talk_id: str, transcript: tr.Transcript,
         embed: Embed = model.embed) -> int:
    """Give every text of the transcript a stored vector, embedding only the missing ones and
    dropping those of texts it no longer has. Returns how many were embedded."""
    stored = load(settings, talk_id)
    have = stored.by_key() if stored else {}
    texts = texts_of(transcript)
    order = [text_key(t) if t.strip() else "" for t in texts]
    wanted = {k: t for k, t in zip(order, texts, strict=True) if k}
    missing = [k for k in wanted if k not in have]
    if missing:
        rows = embed([wanted[k] for k in missing])
        have.update(zip(missing, rows, strict=True))
    keys = list(wanted)
    at = {k: i for i, k in enumerate(keys)}
    rows_of = np.array([at.get(k, -1) for k in order], dtype=np.int32)
    if stored is None or stored.legacy or missing or stored.keys != keys or \
            not np.array_equal(stored.order, rows_of):
        save(settings, talk_id, {k: have[k] for k in keys}, order)
    return len(missing)


def for_index(stored: Stored | None, row: int) -> list[float] | None:
    """The vector of document ``row`` as Meilisearch takes it, or None (no vector yet, or an
    empty text). Rounded to four decimals: a float16 holds about as many, and the JSON of a
    million segments stays under 3 GB."""
    vec = None if stored is None else stored.of_row(row)
    return None if vec is None else list(np.round(vec.astype(np.float32), 4).tolist())
