"""How near a query is to German text in general: the mean cosine between the query and sixty
everyday sentences on every kind of topic (``background.txt``, written for this).

e5 puts every German sentence near every other (unrelated pairs ~0.79, paraphrases ~0.85 on
the dev set), and how near depends on the query: a short generic query is near everything.
A sentence counts as found by meaning only where it is nearer to the query than that
background by a margin (:data:`archive.search.meaning.MARGIN`). On the dev set this separated
questions about nothing in the archive from answered ones better than any fixed cut-off
(README, "Found by meaning")."""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np

from . import model


@functools.cache
def _rows() -> np.ndarray:
    text = (resources.files("archive.semantic") / "background.txt").read_text(encoding="utf-8")
    return model.embed([line for line in text.splitlines() if line.strip()])


def mean_cosine(vector: list[float]) -> float:
    """The query's mean cosine to everyday German sentences."""
    return float(np.mean(_rows() @ np.asarray(vector, dtype=np.float32)))
