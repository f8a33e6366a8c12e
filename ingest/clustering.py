"""Grouping voice embeddings into speakers: spectral clustering with the eigen-gap.

The method is senko's (from 3D-Speaker, Apache-2.0; itself after SpeechBrain): cosine
affinities, each row pruned to its strongest 1.2 %, the unnormalised Laplacian, the number of
speakers from the largest eigen-gap, k-means on the spectral embedding; clusters of fewer than
four windows join their nearest cluster, and clusters whose centroids are at least
``merge_cosine`` alike become one. It is restated here because importing senko's module imports
torch, umap and numba (6.7 s and ~0.5 GB in a process that needs none of them; README,
Speakers). Above MAX_DENSE windows the n x n matrices would grow too big; the caller spaces its
windows so that a recording never needs more.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster.vq import kmeans2

PRUNE_KEEP = 0.012  # senko's pval: the share of affinities each row keeps
MIN_KEPT = 6  # ...and at least this many
MAX_SPEAKERS = 15
MIN_CLUSTER = 4  # windows; smaller clusters join their nearest
FEW = 10  # fewer windows than this are one speaker
MAX_DENSE = 3000


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def _spectral(x: np.ndarray) -> np.ndarray:
    unit = _unit(x.astype(np.float64))
    affinity = unit @ unit.T
    drop = min(int((1 - PRUNE_KEEP) * len(x)), len(x) - MIN_KEPT)
    if drop > 0:
        lowest = np.argpartition(affinity, drop - 1, axis=1)[:, :drop]
        np.put_along_axis(affinity, lowest, 0.0, axis=1)
    affinity = 0.5 * (affinity + affinity.T)
    np.fill_diagonal(affinity, 0.0)
    laplacian = np.diag(np.abs(affinity).sum(axis=1)) - affinity
    values, vectors = np.linalg.eigh(laplacian)
    gaps = np.diff(values[:MAX_SPEAKERS + 1])
    k = int(np.argmax(gaps)) + 1
    if k == 1:
        return np.zeros(len(x), dtype=int)
    spectral = vectors[:, :k]
    best, best_cost = None, np.inf
    for seed in range(5):  # k-means++ from a few seeds; the best fit wins
        centres, labels = kmeans2(spectral, k, minit="++", seed=seed)
        cost = float(((spectral - centres[labels]) ** 2).sum())
        if cost < best_cost:
            best, best_cost = labels, cost
    assert best is not None
    return np.asarray(best, dtype=int)


def _absorb_small(labels: np.ndarray, x: np.ndarray) -> np.ndarray:
    sizes = {c: int((labels == c).sum()) for c in np.unique(labels)}
    major = [c for c, n in sizes.items() if n >= MIN_CLUSTER]
    if not major:
        return np.zeros_like(labels)
    if len(major) == len(sizes):
        return labels
    centres = _unit(np.stack([x[labels == c].mean(0) for c in major]))
    out = labels.copy()
    for i in np.flatnonzero(~np.isin(labels, major)):
        out[i] = major[int(np.argmax(centres @ _unit(x[i:i + 1])[0]))]
    return out


def _merge_alike(labels: np.ndarray, x: np.ndarray, merge_cosine: float) -> np.ndarray:
    labels = labels.copy()
    while True:
        clusters = np.unique(labels)
        if len(clusters) == 1:
            return labels
        centres = _unit(np.stack([x[labels == c].mean(0) for c in clusters]))
        affinity = np.triu(centres @ centres.T, 1)
        i, j = np.unravel_index(int(np.argmax(affinity)), affinity.shape)
        if affinity[i, j] < merge_cosine:
            return labels
        labels[labels == clusters[j]] = clusters[i]


def cluster(x: np.ndarray, merge_cosine: float) -> np.ndarray:
    """A speaker number for each embedding (row of ``x``)."""
    if len(x) < FEW:
        return np.zeros(len(x), dtype=int)
    if len(x) > MAX_DENSE:
        raise ValueError(f"{len(x)} windows are more than {MAX_DENSE}; space them out")
    labels = _absorb_small(_spectral(x), x)
    return _merge_alike(labels, x, merge_cosine)
