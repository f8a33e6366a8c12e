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
from collections import Counter
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
        self, audio: np.ndarray, options: TranscribeOptions, progress: Progress,
        drops: Counter[str] | None = None,
    ) -> list[Word]: ...


# Faster than anyone speaks: fast German speakers reach about 5 words a second.
MAX_WORDS_PER_SECOND = 8.0
# A too-fast segment is dropped only with a second signal: the model was unsure of its words
# (mean word probability below this), or they repeat the prompt, an earlier sentence or themselves.
UNSURE_PROBABILITY = 0.5
REPEATED_SHARE = 0.5  # of the segment's word trigrams heard before it or earlier in it


def _is_hallucination(text: str) -> bool:
    return bool(_HALLUCINATIONS.search(text))


def _too_fast(words: list[Word]) -> bool:
    """Words squeezed into less time than anyone can say them: with a prompt, Whisper can repeat
    an earlier sentence in the last moment of a window (ten words in 0.8 s of padding, or at one
    instant)."""
    if len(words) < 4:
        return False
    return len(words) > MAX_WORDS_PER_SECOND * max(words[-1].end - words[0].start, 0.1)


def _plain(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.lower()).split()


def _trigrams(plain: list[str]) -> list[tuple[str, ...]]:
    return [tuple(plain[i : i + 3]) for i in range(len(plain) - 2)]


class SegmentFilter:
    """Which of a chunk's segments are kept, counting what is dropped and why (``drops``:
    ``hallucination``, ``too_fast``, and ``too_fast_kept`` for segments only the speed rule
    flagged). A segment faster than anyone speaks can be real speech whose word times the
    aligner squeezed, so speed alone never drops it: it also needs the model unsure of its
    words, or words that repeat the prompt, a sentence kept before in this chunk, or themselves.

    Measured (base model, int8, speech_de and talks_de one by one, with and without a prompt,
    sequential and batched: 380 runs): all 30 too-fast segments came from the sequential decoder
    with a prompt on 2 s clips, such as the prompt again ("Der 5 für Südwestfalen.") or a sentence
    squeezed into 0.1-0.7 s; their mean word probability was 0.02-0.24, and 0.47 for one
    that looped ("dass es so weit sein kann" three times). Segments at a normal speed: median
    0.84, 5th percentile 0.59, 2 of 118 under 0.5."""

    def __init__(self, prompt: str | None, drops: Counter[str] | None = None) -> None:
        self.heard = set(_trigrams(_plain(prompt or "")))
        self.drops: Counter[str] = drops if drops is not None else Counter()

    def _repeats(self, said: list[tuple[str, ...]]) -> bool:
        seen, again = set(self.heard), 0
        for gram in said:
            again += gram in seen
            seen.add(gram)
        return bool(said) and again >= REPEATED_SHARE * len(said)

    def keep(self, text: str, words: list[Word]) -> bool:
        if _is_hallucination(text):
            self.drops["hallucination"] += 1
            return False
        said = _trigrams(_plain(" ".join(w.word for w in words)))
        if _too_fast(words):
            probabilities = [w.probability for w in words if w.probability is not None]
            unsure = bool(probabilities) and (
                sum(probabilities) / len(probabilities) < UNSURE_PROBABILITY)
            if unsure or self._repeats(said):
                self.drops["too_fast"] += 1
                return False
            self.drops["too_fast_kept"] += 1
        self.heard.update(said)
        return True


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, files: models.ModelFiles, device: str, compute_type: str, threads: int):
        from faster_whisper import WhisperModel

        self.files, self.device, self.compute_type = files, device, compute_type
        self.model = WhisperModel(
            str(files.directory), device=device, compute_type=compute_type, cpu_threads=threads
        )

    def transcribe_chunk(
        self, audio: np.ndarray, options: TranscribeOptions, progress: Progress,
        drops: Counter[str] | None = None,
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
            pipeline = BatchedInferencePipeline(self.model)  # the prompt in every window
            segments, _ = pipeline.transcribe(audio, batch_size=options.batch_size, **kwargs)
        else:
            segments, _ = self.model.transcribe(audio, **kwargs)
        kept = SegmentFilter(options.initial_prompt, drops)
        words: list[Word] = []
        for seg in segments:
            progress(seg.end)
            said = [Word(round(w.start, 3), round(w.end, 3), w.word, round(w.probability, 4))
                    for w in seg.words or []]
            if kept.keep(seg.text, said):
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
        self, audio: np.ndarray, options: TranscribeOptions, progress: Progress,
        drops: Counter[str] | None = None,
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
        kept = SegmentFilter(options.initial_prompt, drops)
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
            if kept.keep(seg["text"], said):
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
    options_at: Callable[[float], TranscribeOptions] | None = None,
) -> EngineResult:
    """Run the engine over the whole recording and cut the words into sentence segments.

    ``options_at(offset)``, where given, gives the options of the chunk that starts ``offset``
    seconds into the recording (a day recording: each talk's part its own prompt); ``options``
    stay the base recorded in the provenance, with each part's differences under ``parts``
    (``[{"from": seconds, "initial_prompt": ...}]``, a part only where they change). The
    provenance's options also count the segments the engines dropped (``dropped``,
    :class:`SegmentFilter`)."""
    started = time.perf_counter()
    words: list[Word] = []
    report: Progress = progress or _no_progress
    drops: Counter[str] = Counter({"hallucination": 0, "too_fast": 0, "too_fast_kept": 0})
    base = asdict(options)
    parts: list[dict[str, Any]] = []
    for offset, audio in read_chunks(wav_path, chunk_seconds):

        def shifted(t: float, o: float = offset) -> None:
            report(o + t)

        chunk_options = options_at(offset) if options_at is not None else options
        if options_at is not None:
            differs = {k: v for k, v in asdict(chunk_options).items() if v != base[k]}
            if not parts or {k: v for k, v in parts[-1].items() if k != "from"} != differs:
                parts.append({"from": round(offset, 3), **differs})
        chunk_words = engine.transcribe_chunk(audio, chunk_options, shifted, drops)
        words.extend(
            Word(round(w.start + offset, 3), round(w.end + offset, 3), w.word, w.probability)
            for w in chunk_words
        )
        report(offset + len(audio) / SAMPLE_RATE)
        release_memory()
    report(duration)
    recorded: dict[str, Any] = {**base, "dropped": dict(drops)}
    if options_at is not None:
        recorded["parts"] = parts
    provenance = Provenance(
        engine=engine.name,
        model=engine.files.name,
        model_sha256=engine.files.sha256,
        device=engine.device,
        compute_type=engine.compute_type,
        options=recorded,
        seconds=round(time.perf_counter() - started, 3),
    )
    return EngineResult(split_sentences(words), provenance)


# Whisper reads at most n_text_ctx // 2 - 1 = 223 prompt tokens; both engines keep the last
# ones, so a longer prompt would lose its start: the title.
PROMPT_TOKENS = 223
# The batched pipeline puts the prompt into every 30 s window; its terms stop at this many tokens
# (measured: bench/prompt_windows.py, docstring of options_for).
BATCHED_PROMPT_TOKENS = 48
TokenCount = Callable[[str], int]


def _rough_tokens(text: str) -> int:
    """Where the model has no tokenizer.json here (a size fetched by name): at most a token a
    byte, a safe overestimate for German."""
    return len(text.encode())


@functools.lru_cache(maxsize=4)
def token_counter(directory: Path) -> TokenCount:
    """Counts the model's tokens of a prompt as the engines feed it (with its leading space),
    by the tokenizer.json that faster-whisper loads from the model folder."""
    path = directory / "tokenizer.json"
    if not path.is_file():
        return _rough_tokens
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    return lambda text: len(tokenizer.encode(" " + text.strip(), add_special_tokens=False).ids)


def title_from_name(name: str | None) -> str | None:
    """A file's name as a title for the prompt: no folder or extension, underscores and dashes as
    spaces; None where no letter is left."""
    if not name:
        return None
    title = " ".join(re.sub(r"[_\-–]+", " ", Path(name).stem).split())
    return title if any(c.isalpha() for c in title) else None


def _as_sentence(title: str) -> str:
    title = title.strip()
    return title if title.endswith(("?", "!", ":", "…")) else f"{title.rstrip('.')}."


def prompt_for(title: str | None, glossary: list[str] | None,
               count: TokenCount = _rough_tokens, budget: int = PROMPT_TOKENS) -> str | None:
    """The initial prompt for a talk with a glossary: its title as a sentence, then the terms.

    Whisper reads the prompt as text said just before, so it copies its style: a bare comma list
    made the base model answer in comma lists ("In Olpe, Missen, Kleine, Sensoren"). The same list
    as faster-whisper ``hotwords`` goes into every window and did that on every window; on a 20 s
    talk it looped one word. Title plus terms, prompt only, kept the names: 7 of 7 on
    bench/glossary.py, and the demo talks' WER fell (bench/demo_quality.py).

    A title ending in "?", "!", ":" or "…" keeps its mark. Terms are left off from the end until
    the prompt fits ``budget`` tokens (``count``, :func:`token_counter`), never the title: a
    title over the budget is the whole prompt, and only one over Whisper's own limit
    (:data:`PROMPT_TOKENS`) loses words from its end, where the engines would cut its start."""
    if not glossary:
        return None
    lead = _as_sentence(title) if title and title.strip() else ""
    words = lead.split()
    while len(words) > 1 and count(" ".join(words)) > PROMPT_TOKENS:
        words.pop()
    lead = " ".join(words)

    def joined(n: int) -> str:
        terms = ", ".join(t.strip() for t in glossary[:n] if t.strip())
        return " ".join(p for p in (lead, f"{terms}." if terms else "") if p)

    low, high = 0, len(glossary)  # the most terms that fit: appending a term never saves tokens
    while low < high:
        middle = (low + high + 1) // 2
        if count(joined(middle)) <= budget:
            low = middle
        else:
            high = middle - 1
    return joined(low) or None


def options_for(settings: Settings, language: str | None, duration: float,
                glossary: list[str] | None = None, title: str | None = None,
                name: str | None = None) -> TranscribeOptions:
    """The engine's options for a recording; ``name`` (the file's name as its owner gave it)
    titles the prompt where the talk has no title.

    The batched pipeline (recordings of ``batch_min_seconds`` and more) puts the prompt into
    every 30 s window, so there its terms stop at :data:`BATCHED_PROMPT_TOKENS`. Measured by
    bench/prompt_windows.py (four recordings of 2.6-6.7 min, 907 s in all: three talks_de talks;
    speech_de's real voices twice; all 92 clips with gaps and noise), WER mean over the four,
    every window / first window only (the first batch split in two) / no prompt 0.232:

    | prompt tokens | every window | first only |
    | 46 (title, 8 terms) | **0.208** | 0.228 |
    | 100 | 0.191 | 0.224 |
    | 159 | 0.231 | 0.223 |
    | 223 | 0.228 | 0.226 |

    No condition looped (an n-gram three times in a row: 0 everywhere) or repeated the prompt
    (prompt words beyond the reference: 0-1 per recording in both). At 46 tokens every window
    heard the names all through the talks (0.241 against 0.305 first only, 0.327 none) and was
    within 0.004 of no prompt on each real recording; from 100 tokens on it lost words on the
    noisy 6.7 minutes (WER 0.198 and 0.224 against 0.182, 12 and 41 words fewer), and at 223
    it garbled a keynote ("Tauschhund"). The first window only stayed within 0.01 of no prompt
    (mean 0.223-0.228): a long talk's names are said after its first 30 s."""
    files = models.resolve(settings)  # fail before any work when the model is not installed
    batched = settings.engine == "faster-whisper" and duration >= settings.batch_min_seconds
    prompt = None
    if glossary:
        prompt = prompt_for(title or title_from_name(name), glossary,
                            token_counter(files.directory),
                            BATCHED_PROMPT_TOKENS if batched else PROMPT_TOKENS)
    return TranscribeOptions(
        language=language or settings.language,
        beam_size=settings.beam_size,
        batch_size=settings.batch_size if batched else 0,
        initial_prompt=prompt,
    )
