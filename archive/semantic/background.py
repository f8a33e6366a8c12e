"""How near a query is to German text in general: the mean cosine between the query and sixty
everyday sentences on every kind of topic (``background.txt``, written for this).

e5 puts every German sentence near every other (unrelated pairs ~0.79, paraphrases ~0.85 on
the dev set), and how near depends on the query: a short generic query is near everything.
A sentence counts as found by meaning only where it is nearer to the query than that
background by a margin (:data:`archive.search.meaning.MARGIN`). On the dev set this separated
questions about nothing in the archive from answered ones better than any fixed cut-off
(README, "Found by meaning").

The sixty vectors ship beside the text (``background.npy``, written by
``scripts/background_vectors.py``), stamped with a digest of the model and the text: each
process that searched by meaning embedded them anew, about 1 s on 2 cores (5 s beside an
indexing Meilisearch). Where the stamp does not match (the text or the model changed), they
are embedded as before, and tests/unit/test_semantic.py fails until the file is written again.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from pathlib import Path

import numpy as np

from . import model

SAVED = "background.npy"


def sentences() -> list[str]:
    text = (resources.files("archive.semantic") / "background.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def digest(lines: list[str]) -> str:
    """What the vectors were made from: the model and the sentences."""
    return hashlib.sha256("\n".join([model.MODEL_ID, *lines]).encode()).hexdigest()


def saved(stamp: str) -> np.ndarray | None:
    """The shipped vectors, where they were made from ``stamp``."""
    try:
        with (resources.files("archive.semantic") / SAVED).open("rb") as arrays:
            if str(np.load(arrays, allow_pickle=False)) != stamp:
                return None
            rows: np.ndarray = np.load(arrays, allow_pickle=False)
            return rows
    except (OSError, ValueError, EOFError):
        return None


def write(path: Path) -> None:
    """Embed the sentences and save them with their stamp (scripts/background_vectors.py)."""
    lines = sentences()
    with open(path, "wb") as out:
        np.save(out, np.array(digest(lines)), allow_pickle=False)
        np.save(out, model.embed(lines), allow_pickle=False)


@functools.cache
def _rows() -> np.ndarray:
    lines = sentences()
    rows = saved(digest(lines))
    return rows if rows is not None else model.embed(lines)


def mean_cosine(vector: list[float]) -> float:
    """The query's mean cosine to everyday German sentences."""
    return float(np.mean(_rows() @ np.asarray(vector, dtype=np.float32)))
