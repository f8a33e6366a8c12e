"""Transcription engines behind one interface: faster-whisper (default) and openai-whisper.

Both run the same verified weights, decode German by default, return word timestamps and skip
non-speech with the Silero VAD, so silence gives an empty transcript rather than a hallucinated
subtitle credit. Audio is read from a 16 kHz WAV in bounded chunks, so memory does not grow
with the length of the recording.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import re
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from archive.errors import ModelError
from archive.settings import Settings
from archive.transcript import Provenance, Segment, Word, split_sentences

from . import models
from .media import SAMPLE_RATE

Progress = Callable[[float], None]

# Credits that Whisper learned from subtitle files and invents on noise; never said in a talk.
_HALLUCINATIONS = re.compile(
    r"untertitel (der|von|im auftrag)|amara\.org|untertitelung|copyright.*(wdr|zdf|ard)"
    r"|swr 20\d\d|vielen dank f(ü|ue)r(s| das) zuschauen",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TranscribeOptions:
    language: str = "de"
    beam_size: int = 5
    vad_filter: bool = True
    vad_speech_pad_ms: int = 800
    batch_size: int = 0
    initial_prompt: str | None = None


class Engine(Protocol):
    name: str
    files: models.ModelFiles
    device: str
    compute_type: str

    def transcribe_chunk(
        self, audio: np.ndarray, options: TranscribeOptions, progress: Progress
    ) -> list[Word]: ...


# Faster than anyone speaks: fast German speakers reach about 5 words a second.
MAX_WORDS_PER_SECOND = 8.0


def _is_hallucination(text: str) -> bool:
    return bool(_HALLUCINATIONS.search(text))


def _too_fast(words: list[Word]) -> bool:
    """Words squeezed into less time than anyone can say them: with a prompt, Whisper can repeat
    an earlier sentence in the last moment of a window (ten words in 0.8 s of padding, or at one
    instant)."""
    if len(words) < 4:
        return False
    return len(words) > MAX_WORDS_PER_SECOND * max(words[-1].end - words[0].start, 0.1)


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, files: models.ModelFiles, device: str, compute_type: str, threads: int):
        from faster_whisper import WhisperModel

        self.files, self.device, self.compute_type = files, device, compute_type
        self.model = WhisperModel(
            str(files.directory), device=device, compute_type=compute_type, cpu_threads=threads
        )

    def transcribe_chunk(
        self, audio: np.ndarray, options: TranscribeOptions, progress: Progress
    ) -> list[Word]:
        from faster_whisper import BatchedInferencePipeline

        kwargs: dict[str, Any] = dict(
            language=options.language,
            beam_size=options.beam_size,
            word_timestamps=True,
            vad_filter=options.vad_filter,
            vad_parameters={"speech_pad_ms": options.vad_speech_pad_ms},
            initial_prompt=options.initial_prompt,
        )
        if options.batch_size > 0:
            pipeline = BatchedInferencePipeline(self.model)
            segments, _ = pipeline.transcribe(audio, batch_size=options.batch_size, **kwargs)
        else:
            segments, _ = self.model.transcribe(audio, **kwargs)
        words: list[Word] = []
        for seg in segments:
            progress(seg.end)
            said = [Word(round(w.start, 3), round(w.end, 3), w.word, round(w.probability, 4))
                    for w in seg.words or []]
            if not _is_hallucination(seg.text) and not _too_fast(said):
                words.extend(said)
        return words


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, files: models.ModelFiles, device: str, threads: int):
        import torch

        self.files, self.device, self.compute_type = files, device, "float32"
        if threads:
            torch.set_num_threads(threads)
        if files.openai_checkpoint.exists():
            from .convert import load_openai_model

            self.model = load_openai_model(files.openai_checkpoint, device)
        else:
            import whisper

            self.model = whisper.load_model(files.name, device=device)

    def transcribe_chunk(
        self, audio: np.ndarray, options: TranscribeOptions, progress: Progress
    ) -> list[Word]:
        from faster_whisper.vad import SpeechTimestampsMap, VadOptions, get_speech_timestamps

        if options.vad_filter:
            speech = get_speech_timestamps(
                audio, VadOptions(speech_pad_ms=options.vad_speech_pad_ms)
            )
            if not speech:
                return []
            mapping = SpeechTimestampsMap(speech, SAMPLE_RATE)
            audio = np.concatenate([audio[c["start"] : c["end"]] for c in speech])
        result = self.model.transcribe(
            audio,
            language=options.language,
            beam_size=options.beam_size,
            best_of=options.beam_size,
            fp16=self.device == "cuda",
            word_timestamps=True,
            initial_prompt=options.initial_prompt,
            verbose=None,
        )
        words: list[Word] = []
        for seg in result["segments"]:
            said: list[Word] = []
            for w in seg.get("words", []):
                start, end = float(w["start"]), float(w["end"])
                if options.vad_filter:
                    idx = mapping.get_chunk_index(start)
                    start = mapping.get_original_time(start, idx)
                    end = mapping.get_original_time(end, idx, is_end=True)
                said.append(Word(round(start, 3), round(end, 3), w["word"],
                                 round(float(w["probability"]), 4)))
            if not _is_hallucination(seg["text"]) and not _too_fast(said):
                words.extend(said)
            progress(words[-1].end if words else 0.0)
        return words


@functools.lru_cache(maxsize=2)
def _load(engine: str, files: models.ModelFiles, device: str, compute_type: str,
          threads: int) -> Engine:
    try:
        if engine == "openai-whisper":
            return OpenAIWhisperEngine(files, device, threads)
        return FasterWhisperEngine(files, device, compute_type, threads)
    except (OSError, RuntimeError, ValueError) as exc:
        raise ModelError(f"cannot load {engine} model {files.name}: {exc}") from None


def load_engine(settings: Settings) -> Engine:
    files = models.resolve(settings)
    threads = settings.cpu_threads or os.cpu_count() or 1
    return _load(settings.engine, files, settings.device, settings.resolved_compute_type(), threads)


def _quietest_cut(audio: np.ndarray, search: int) -> int:
    """Index in the last ``search`` samples with the least energy (10 ms frames)."""
    tail = audio[-search:]
    frame = SAMPLE_RATE // 100
    n = len(tail) // frame
    if n == 0:
        return len(audio)
    energy = (tail[: n * frame].reshape(n, frame) ** 2).mean(axis=1)
    return len(audio) - search + int(np.argmin(energy)) * frame + frame // 2


def read_chunks(wav_path: Path, chunk_seconds: float) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (offset seconds, float32 audio) from a 16 kHz mono WAV, cutting each chunk at the
    quietest moment of its last 10 s so that no word is split."""
    size = int(chunk_seconds * SAMPLE_RATE)
    search = 10 * SAMPLE_RATE
    with wave.open(str(wav_path), "rb") as wav:
        if wav.getframerate() != SAMPLE_RATE or wav.getnchannels() != 1:
            raise ValueError("expected 16 kHz mono audio")
        offset = 0
        carry = np.zeros(0, dtype=np.float32)
        while True:
            raw = wav.readframes(size - len(carry))
            fresh = np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0
            audio = np.concatenate([carry, fresh]) if len(carry) else fresh
            if len(audio) == 0:
                return
            last = len(fresh) < size - len(carry)
            cut = len(audio) if last or len(audio) <= search else _quietest_cut(audio, search)
            yield offset / SAMPLE_RATE, audio[:cut]
            offset += cut
            carry = audio[cut:].copy()
            if last and len(carry) == 0:
                return


def release_memory() -> None:
    """Hand the heap the engine freed back to the system (glibc keeps it otherwise): the
    batched pipeline frees ~0.4 GB after each chunk, and without this the process kept growing
    from chunk to chunk (60 min: 1.61 GB peak; README, Ingest). A no-op off glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _no_progress(_seconds: float) -> None:
    pass


@dataclass
class EngineResult:
    segments: list[Segment]
    provenance: Provenance


def transcribe_wav(
    engine: Engine,
    wav_path: Path,
    duration: float,
    options: TranscribeOptions,
    chunk_seconds: float,
    progress: Progress | None = None,
) -> EngineResult:
    """Run the engine over the whole recording and cut the words into sentence segments."""
    started = time.perf_counter()
    words: list[Word] = []
    report: Progress = progress or _no_progress
    for offset, audio in read_chunks(wav_path, chunk_seconds):

        def shifted(t: float, o: float = offset) -> None:
            report(o + t)

        chunk_words = engine.transcribe_chunk(audio, options, shifted)
        words.extend(
            Word(round(w.start + offset, 3), round(w.end + offset, 3), w.word, w.probability)
            for w in chunk_words
        )
        report(offset + len(audio) / SAMPLE_RATE)
        release_memory()
    report(duration)
    provenance = Provenance(
        engine=engine.name,
        model=engine.files.name,
        model_sha256=engine.files.sha256,
        device=engine.device,
        compute_type=engine.compute_type,
        options=asdict(options),
        seconds=round(time.perf_counter() - started, 3),
    )
    return EngineResult(split_sentences(words), provenance)


def prompt_for(title: str | None, glossary: list[str] | None) -> str | None:
    """The initial prompt for a talk with a glossary: its title as a sentence, then the terms.

    Whisper reads the prompt as text said just before, so it copies its style: a bare comma list
    made the base model answer in comma lists ("In Olpe, Missen, Kleine, Sensoren"). The same list
    as faster-whisper ``hotwords`` goes into every window and did that on every window; on a 20 s
    talk it looped one word. Title plus terms, prompt only, kept the names: 7 of 7 on
    bench/glossary.py, and the demo talks' WER fell (bench/demo_quality.py)."""
    if not glossary:
        return None
    terms = ", ".join(glossary)
    return f"{title.rstrip('.')}. {terms}." if title else f"{terms}."


def options_for(settings: Settings, language: str | None, duration: float,
                glossary: list[str] | None = None, title: str | None = None) -> TranscribeOptions:
    models.resolve(settings)  # fail before any work when the model is not installed
    batched = settings.engine == "faster-whisper" and duration >= settings.batch_min_seconds
    return TranscribeOptions(
        language=language or settings.language,
        beam_size=settings.beam_size,
        batch_size=settings.batch_size if batched else 0,
        initial_prompt=prompt_for(title, glossary),
    )
