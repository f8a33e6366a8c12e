"""How a talk's title and glossary become the engine's prompt, and which segments the engines
drop as made up (no model is loaded here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.settings import Settings
from archive.transcript import Word
from ingest import engines


def test_prompt_is_the_title_then_the_terms() -> None:
    assert engines.prompt_for("Die Dorfwerkstatt in Bad Berleburg", ["Dorfwerkstatt", "Olpe"]) \
        == "Die Dorfwerkstatt in Bad Berleburg. Dorfwerkstatt, Olpe."
    assert engines.prompt_for("Frage.", ["Soest"]) == "Frage. Soest."
    assert engines.prompt_for(None, ["Soest", "Menden"]) == "Soest, Menden."
    assert engines.prompt_for("Ein Titel", []) is None  # no glossary, no prompt
    assert engines.prompt_for("Ein Titel", None) is None


def test_options_carry_the_prompt_and_no_hotwords(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    files = engines.models.ModelFiles("base", tmp_path, None)  # no tokenizer.json: a rough count
    monkeypatch.setattr(engines.models, "resolve", lambda settings: files)
    options = engines.options_for(Settings(), None, 20.0, ["Soest"], "Das Rathaus")
    assert options.initial_prompt == "Das Rathaus. Soest."
    assert not hasattr(options, "hotwords")  # a list repeated in every window made loops
    assert engines.options_for(Settings(), "en", 20.0).initial_prompt is None


def _words(count: int, start: float, seconds: float) -> list[Word]:
    step = seconds / count
    return [Word(start + i * step, start + (i + 1) * step, f" w{i}", 0.9) for i in range(count)]


def test_words_faster_than_anyone_speaks_are_dropped() -> None:
    assert engines._too_fast(_words(10, 22.6, 0.8))  # a sentence again in 0.8 s of padding
    assert engines._too_fast(_words(9, 23.4, 0.0))  # all at one instant
    assert not engines._too_fast(_words(15, 0.0, 3.0))  # 5 words a second: a fast speaker
    assert not engines._too_fast(_words(3, 5.0, 0.1))  # "Ja, ja, ja." is short, not made up
    assert not engines._too_fast([])
