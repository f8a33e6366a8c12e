"""The prompt's leftovers from issue 13 (issue 21, section 5), without a model: a title keeps its
"?", "!" or ":", a talk without a title is prompted with its file's name, the terms are capped by
tokens and never the title (shorter in the batched pipeline, which puts it into every window), and a
segment dropped by the speed rule needs a second signal, counted in the provenance. The filter
is exercised through ``FasterWhisperEngine.transcribe_chunk`` with a fake model."""

from __future__ import annotations

import wave
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from archive.settings import Settings
from archive.transcript import Word
from ingest import engines
from ingest.media import SAMPLE_RATE


def by_words(text: str) -> int:
    """A stand-in tokenizer: one token a word."""
    return len(text.split())


@pytest.mark.parametrize(("title", "prompt"), [
    ("Wer baut die smarte Stadt?", "Wer baut die smarte Stadt? Soest."),
    ("Daten teilen!", "Daten teilen! Soest."),
    ("Podium:", "Podium: Soest."),
    ("Das Rathaus", "Das Rathaus. Soest."),
    ("Das Rathaus...", "Das Rathaus. Soest."),
    ("  ", "Soest."),
])
def test_a_title_keeps_its_question_or_exclamation_mark(title: str, prompt: str) -> None:
    assert engines.prompt_for(title, ["Soest"]) == prompt


@pytest.mark.parametrize(("name", "title"), [
    ("Dorfwerkstatt_Bad-Berleburg.mp4", "Dorfwerkstatt Bad Berleburg"),
    ("/uploads/2025-09-18__Keynote_DKSR.final.mov", "2025 09 18 Keynote DKSR.final"),
    ("1234-5678.mp4", None),
    (None, None),
])
def test_a_file_name_becomes_a_title(name: str | None, title: str | None) -> None:
    assert engines.title_from_name(name) == title


def test_a_talk_without_a_title_is_prompted_with_its_file_name(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    files = engines.models.ModelFiles("base", tmp_path, None)
    monkeypatch.setattr(engines.models, "resolve", lambda settings: files)
    options = engines.options_for(Settings(), "de", 20.0, ["Olpe"], None,
                                  name="Smarte_Doerfer-im-Sauerland.mp4")
    assert options.initial_prompt == "Smarte Doerfer im Sauerland. Olpe."
    titled = engines.options_for(Settings(), "de", 20.0, ["Olpe"], "Der Titel", name="x_y.mp4")
    assert titled.initial_prompt == "Der Titel. Olpe."
    assert engines.options_for(Settings(), "de", 20.0, None, None, name="a_b.mp4").initial_prompt \
        is None  # no glossary, no prompt, as before


def test_terms_are_left_off_from_the_end_never_the_title() -> None:
    title = "Die Dorfwerkstatt in Bad Berleburg"
    terms = [f"Begriff{i}" for i in range(300)]
    prompt = engines.prompt_for(title, terms, by_words, budget=40)
    assert prompt is not None and prompt.startswith(title + ". Begriff0, Begriff1,")
    assert by_words(prompt) == 40 and prompt.endswith("Begriff34.")
    # a title over the budget is the whole prompt; only Whisper's own limit cuts it
    title_50 = " ".join(f"Wort{i}" for i in range(50))
    assert engines.prompt_for(title_50, ["Soest"], by_words, budget=10) == title_50 + "."
    title_300 = " ".join(f"Wort{i}" for i in range(300))
    assert engines.prompt_for(title_300, ["Soest"], by_words) == \
        " ".join(f"Wort{i}" for i in range(engines.PROMPT_TOKENS))
    assert engines.prompt_for("Kurz", ["Soest"], by_words, budget=10) == "Kurz. Soest."


def test_a_batched_recording_gets_a_short_prompt_for_every_window(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    files = engines.models.ModelFiles("base", tmp_path, None)  # a token a byte
    monkeypatch.setattr(engines.models, "resolve", lambda settings: files)
    terms = [f"Ort{i}" for i in range(60)]
    batched = engines.options_for(Settings(), "de", 600.0, terms, "Das Rathaus")
    whole = engines.options_for(Settings(), "de", 60.0, terms, "Das Rathaus")
    assert batched.batch_size > 0 and whole.batch_size == 0
    assert batched.initial_prompt is not None and whole.initial_prompt is not None
    assert batched.initial_prompt.startswith("Das Rathaus. Ort0, Ort1")
    assert len(batched.initial_prompt.encode()) <= engines.BATCHED_PROMPT_TOKENS
    assert whole.initial_prompt.startswith(batched.initial_prompt[:-1])
    assert engines.BATCHED_PROMPT_TOKENS < len(whole.initial_prompt.encode()) \
        <= engines.PROMPT_TOKENS


def test_the_cap_counts_the_models_own_tokens() -> None:
    files = engines.models.model_dir(Settings(), "base")
    if not (files / "tokenizer.json").is_file():
        pytest.skip("the base model is not installed (make setup)")
    count = engines.token_counter(files)
    assert count("Südwestfalen") > 1  # byte-level BPE: not one token a word
    title = "Smart Cities Konferenz der 5 für Südwestfalen: Gemeinsam lernen"
    prompt = engines.prompt_for(title, [f"Zwönitz{i}" for i in range(200)], count)
    assert prompt is not None and prompt.startswith(title + ". Zwönitz0, ")
    assert engines.PROMPT_TOKENS - 8 <= count(prompt) <= engines.PROMPT_TOKENS


# --- the filter, through FasterWhisperEngine.transcribe_chunk with a fake model ---

@dataclass
class FakeWord:
    start: float
    end: float
    word: str
    probability: float


@dataclass
class FakeSegment:
    start: float
    end: float
    text: str
    words: list[FakeWord] = field(default_factory=list)


def segment(text: str, start: float, seconds: float, probability: float = 0.9) -> FakeSegment:
    said = text.split()
    step = seconds / len(said)
    return FakeSegment(start, start + seconds, " " + text, [
        FakeWord(start + i * step, start + (i + 1) * step, " " + w, probability)
        for i, w in enumerate(said)])


class FakeModel:
    """Stands in for faster_whisper.WhisperModel: answers with the segments it was given."""

    def __init__(self, segments: list[FakeSegment]) -> None:
        self.segments = segments
        self.calls: list[dict[str, Any]] = []

    def transcribe(self, audio: np.ndarray, **kwargs: Any) -> tuple[Any, None]:
        self.calls.append(kwargs)
        return iter(self.segments), None


def engine_with(model: FakeModel) -> engines.FasterWhisperEngine:
    engine = object.__new__(engines.FasterWhisperEngine)  # no model is loaded
    engine.model = model
    return engine


PROMPT = "Die Dorfwerkstatt in Bad Berleburg. Dorfwerkstatt, Bad Berleburg."


def test_transcribe_chunk_drops_fast_segments_only_with_a_second_signal() -> None:
    model = FakeModel([
        segment("Willkommen in der Dorfwerkstatt hier in Bad Berleburg.", 0.0, 4.0),
        segment("Untertitel im Auftrag des ZDF für funk, 2017", 4.5, 3.0),  # a credit
        # fast, and only the prompt again
        segment("Die Dorfwerkstatt in Bad Berleburg.", 8.0, 0.2),
        # fast, and the first sentence again
        segment("Willkommen in der Dorfwerkstatt hier.", 9.0, 0.5),
        # fast, new words, but the model was unsure of them
        segment("Kinder malen bunte Bilder am Fenster.", 10.0, 0.3, probability=0.2),
        # fast, confident, but looping on itself
        segment("dass es so weit sein kann, dass es so weit sein kann, dass es so", 10.5, 0.4),
        # fast, new words, confident: squeezed real speech, kept
        segment("Wir reparieren dort Fahrräder und Toaster.", 11.0, 0.5, probability=0.8),
        segment("Ja, ja, ja.", 12.0, 0.1),  # short: never too fast
    ])
    drops: Counter[str] = Counter()
    seen: list[float] = []
    options = engines.TranscribeOptions(initial_prompt=PROMPT)
    words = engine_with(model).transcribe_chunk(np.zeros(SAMPLE_RATE, np.float32), options,
                                                seen.append, drops)
    text = " ".join(w.word.strip() for w in words)
    assert text == ("Willkommen in der Dorfwerkstatt hier in Bad Berleburg. "
                    "Wir reparieren dort Fahrräder und Toaster. Ja, ja, ja.")
    assert drops == Counter({"hallucination": 1, "too_fast": 4, "too_fast_kept": 1})
    assert model.calls[0]["initial_prompt"] == PROMPT and model.calls[0]["word_timestamps"]
    assert all(isinstance(w, Word) and w.probability is not None for w in words)
    assert len(seen) == 8  # progress per segment


def test_without_a_prompt_a_confident_fast_sentence_is_kept() -> None:
    model = FakeModel([segment("Die Dorfwerkstatt in Bad Berleburg.", 8.0, 0.2)])
    drops: Counter[str] = Counter()
    words = engine_with(model).transcribe_chunk(np.zeros(10, np.float32),
                                                engines.TranscribeOptions(), lambda t: None, drops)
    assert len(words) == 5 and drops == Counter({"too_fast_kept": 1})


class ChunkEngine:
    """An engine that hears one word a chunk and tells which prompt it had."""

    name = "fake"
    files = engines.models.ModelFiles("base", Path("."), None)
    device = "cpu"
    compute_type = "int8"

    def __init__(self) -> None:
        self.prompts: list[str | None] = []

    def transcribe_chunk(self, audio: np.ndarray, options: engines.TranscribeOptions,
                         progress: engines.Progress, drops: Counter[str] | None = None
                         ) -> list[Word]:
        self.prompts.append(options.initial_prompt)
        if drops is not None:
            drops["too_fast"] += 1
        return [Word(1.0, 1.5, f" Teil{len(self.prompts)}.", 0.9)]


def silent_wav(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(np.zeros(int(seconds * SAMPLE_RATE), np.int16).tobytes())
    return path


def test_each_part_of_a_day_gets_its_own_prompt(tmp_path: Path) -> None:
    wav = silent_wav(tmp_path / "day.wav", 95.0)
    engine = ChunkEngine()
    base = engines.TranscribeOptions(initial_prompt="Der Tag.", batch_size=8)

    def options_at(offset: float) -> engines.TranscribeOptions:
        prompt = "Keynote. Anna Becker." if offset < 40 else "Podium. Olpe, Soest."
        return replace(base, initial_prompt=prompt)

    result = engines.transcribe_wav(engine, wav, 95.0, base, 20.0, options_at=options_at)
    offsets = [s.start - 1.0 for s in result.segments]
    assert len(offsets) == len(engine.prompts) >= 5
    assert engine.prompts == [options_at(o).initial_prompt for o in offsets]
    options = result.provenance.options
    assert options["initial_prompt"] == "Der Tag." and options["batch_size"] == 8
    assert options["parts"] == [
        {"from": 0.0, "initial_prompt": "Keynote. Anna Becker."},
        {"from": round(next(o for o in offsets if o >= 40), 3),
         "initial_prompt": "Podium. Olpe, Soest."}]
    assert options["dropped"] == {"hallucination": 0, "too_fast": len(offsets), "too_fast_kept": 0}
    plain = engines.transcribe_wav(ChunkEngine(), wav, 95.0, base, 20.0)
    assert "parts" not in plain.provenance.options
    assert plain.provenance.options["dropped"]["too_fast"] == len(offsets)
