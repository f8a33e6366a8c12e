"""The prompt in faster-whisper's batched pipeline: every 30 s window, the first window only, or no
prompt, on German speech of 2 minutes and more (same run, same model, same audio).

Recordings built from ../shared/data with ffmpeg (decoded to 16 kHz mono) and joined with gaps:
``talks`` (the three talks_de talks, synthetic voices), ``real_a`` (Thorsten, VoxForge,
Picovoice and 40 EmoDB clips), ``real_b`` (the other 39 EmoDB clips, then the keynote), and
``real_noisy`` (all 92 speech_de clips shuffled, 2 s gaps, faint noise; over one 300 s chunk).
Prompts: ``short`` (a title, two persons and six names: 46 tokens, what the engine's batched
cap, ``BATCHED_PROMPT_TOKENS``, leaves of the whole list), then the same title with more
terms up to 100 (``mid``), 160 (``wide``) and Whisper's 223-token budget (``long``), each
in every window and in the first window only (:func:`ingest.engines.prompt_for`). Per recording and
condition: WER (lower case, no punctuation), repeated word trigrams beyond the reference's,
loops (an n-gram said three times in a row), prompt words heard beyond the reference's, the
segments the filter dropped, and the time against no prompt. Segments only the speed rule flags
are listed with their mean word probability and whether they repeat what was heard.

    .venv/bin/python bench/prompt_windows.py [--only talks,real_a] [--conditions mid/every] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import jiwer
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.settings import Settings  # noqa: E402
from archive.transcript import Word  # noqa: E402
from bench.wer import normalise  # noqa: E402
from ingest import engines, models  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TALKS = DATA / "talks_de"
SPEECH = DATA / "speech_de"
RATE = 16000
TITLE = "Smart Cities Konferenz der 5 für Südwestfalen"
TERMS = ["Anna Becker", "Jürgen Hoffmann", "DKSR", "Arnsberg", "Olpe", "Bad Berleburg", "Menden",
         "Soest"]
MORE_TERMS = [
    "Zwönitz", "Süderbrarup", "Detmold", "Datenkompetenzzentrum", "Bürgerbus", "Dorfwerkstatt",
    "Sauerland", "Siegerland", "Wittgenstein", "Lennestadt", "Attendorn", "Brilon", "Meschede",
    "Winterberg", "Schmallenberg", "Sundern", "Warstein", "Lippstadt", "Iserlohn", "Hemer",
    "Balve", "Plettenberg", "Finnentrop", "Kirchhundem", "Wenden", "Drolshagen", "Hallenberg",
    "Medebach", "Olsberg", "Bestwig", "Eslohe", "Marsberg", "Open Data", "LoRaWAN", "Smart City",
    "Digitalstrategie", "Bürgerbeteiligung", "Verwaltungsdigitalisierung", "Klara Nowak",
    "Mehmet Yilmaz", "Sabine Krüger", "Thomas Schulte", "Petra Vogel", "Lukas Brandt",
    "Miriam Sauer", "Heike Lange", "Stefan Kühn", "Jana Wolff"]


def first_window_only() -> None:
    """Swap faster-whisper's batched pipeline for one that gives the prompt to the first 30 s
    window only (the engine imports the class when it transcribes). CTranslate2 needs the same
    prompt length across a batch, so the first batch is decoded as two."""
    import faster_whisper

    every_window()
    stock = faster_whisper.BatchedInferencePipeline

    class FirstWindowPrompt(stock):  # type: ignore[misc, valid-type]
        prompted = False

        def forward(self, features: Any, tokenizer: Any, chunks: Any, options: Any) -> Any:
            bare = replace(options, initial_prompt=None)
            if self.prompted or options.initial_prompt is None:
                return super().forward(features, tokenizer, chunks, bare)
            self.prompted = True
            head = super().forward(features[:1], tokenizer, chunks[:1], options)
            if len(features) == 1:
                return head
            return head + super().forward(features[1:], tokenizer, chunks[1:], bare)

    FirstWindowPrompt.stock = stock
    faster_whisper.BatchedInferencePipeline = FirstWindowPrompt


def every_window() -> None:
    import faster_whisper

    faster_whisper.BatchedInferencePipeline = getattr(
        faster_whisper.BatchedInferencePipeline, "stock", faster_whisper.BatchedInferencePipeline)


def decode(path: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar",
                          str(RATE), "-f", "s16le", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, dtype=np.int16).astype(np.float32) / 32768.0


def talk(name: str) -> tuple[np.ndarray, str]:
    truth = json.loads((TALKS / f"{name}.truth.json").read_text())
    return decode(TALKS / f"{name}.mp4"), " ".join(s["text"] for s in truth["sentences"])


def clips() -> list[tuple[np.ndarray, str]]:
    rows = [json.loads(line) for line in (SPEECH / "manifest.jsonl").read_text().splitlines()]
    return [(decode(SPEECH / r["audio"]), r["text"]) for r in rows]


def join(parts: list[tuple[np.ndarray, str]], gap: float, noise: float = 0.0
         ) -> tuple[np.ndarray, str]:
    silence = np.zeros(int(gap * RATE), dtype=np.float32)
    audio = np.concatenate([x for a, _ in parts for x in (a, silence)])
    if noise:  # faint room noise: low-passed white noise at this RMS
        rng = np.random.default_rng(7)
        hum = np.convolve(rng.standard_normal(len(audio)), np.ones(8) / 8, mode="same")
        audio = audio + (noise * hum / hum.std()).astype(np.float32)
    return np.clip(audio, -1, 1), " ".join(t for _, t in parts)


def recordings(only: set[str] | None) -> dict[str, tuple[np.ndarray, str]]:
    speech = clips()
    sets = [json.loads(x)["set"] for x in (SPEECH / "manifest.jsonl").read_text().splitlines()]
    emo = [c for c, s in zip(speech, sets, strict=True) if s == "emodb_neutral"]
    other = [c for c, s in zip(speech, sets, strict=True) if s != "emodb_neutral"]
    shuffled = list(speech)
    random.Random(3).shuffle(shuffled)
    built = {
        "talks": lambda: join([talk(n) for n in ("keynote_austausch", "podium_strategien",
                                                 "projekt_mobilitaet")], 2.0),
        "real_a": lambda: join(other + emo[:40], 0.8),
        "real_b": lambda: join([*emo[40:], talk("keynote_austausch")], 0.8),
        "real_noisy": lambda: join(shuffled, 2.0, noise=0.003),
    }
    return {k: f() for k, f in built.items() if only is None or k in only}


def write_wav(path: Path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((audio * 32767).astype(np.int16).tobytes())


def grams(words: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def repeated(hyp: list[str], ref: list[str]) -> int:
    """Trigram occurrences beyond the first that the reference does not have as often."""
    said, truth = grams(hyp, 3), grams(ref, 3)
    return sum(max(0, c - max(truth[g], 1)) for g, c in said.items())


def extra(hyp: list[str], ref: list[str]) -> list[str]:
    said, truth = grams(hyp, 3), grams(ref, 3)
    return [f"{' '.join(g)} x{c}" for g, c in said.most_common() if c > max(truth[g], 1)]


def loops(hyp: list[str]) -> int:
    """Places where an n-gram (n = 1..4) follows itself at least twice (said three times)."""
    found = 0
    for n in range(1, 5):
        i = 0
        while i + 3 * n <= len(hyp):
            if hyp[i:i + n] == hyp[i + n:i + 2 * n] == hyp[i + 2 * n:i + 3 * n]:
                found += 1
                i += 3 * n
            else:
                i += 1
    return found


def leaked(hyp: list[str], ref: list[str], prompt: str | None) -> int:
    if not prompt:
        return 0
    words = {w for w in normalise(prompt).split() if len(w) >= 4}
    said, truth = Counter(hyp), Counter(ref)
    return sum(max(0, said[w] - truth[w]) for w in words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="comma-separated recordings")
    parser.add_argument("--conditions", help="comma-separated, such as short/every,long/first "
                        "(none, the baseline, always runs)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not TALKS.exists() or not SPEECH.exists():
        sys.exit(f"{DATA} is missing: the benchmark needs ../shared/data")
    settings = Settings()
    engine = engines.load_engine(settings)
    assert isinstance(engine, engines.FasterWhisperEngine)
    every_window()
    count = engines.token_counter(models.resolve(settings).directory)
    prompts = {"short": engines.prompt_for(TITLE, TERMS, count),
               "mid": engines.prompt_for(TITLE, TERMS + MORE_TERMS, count, budget=100),
               "wide": engines.prompt_for(TITLE, TERMS + MORE_TERMS, count, budget=160),
               "long": engines.prompt_for(TITLE, TERMS + MORE_TERMS, count)}
    conditions = [("none", None, "every")] + [
        (f"{size}/{windows}", size, windows) for size in prompts for windows in ("every", "first")]
    if args.conditions:
        conditions = [c for c in conditions if c[0] == "none" or c[0] in args.conditions.split(",")]
    fast: list[dict[str, Any]] = []
    keep = engines.SegmentFilter.keep

    def logged(self: engines.SegmentFilter, text: str, words: list[Word]) -> bool:
        before = dict(self.drops)
        kept = keep(self, text, words)
        if engines._too_fast(words):
            fast.append({"text": text.strip(), "kept": kept, "words": len(words),
                         "seconds": round(words[-1].end - words[0].start, 2),
                         "mean_p": round(float(np.mean([w.probability or 0 for w in words])), 3),
                         "drops": {k: v - before.get(k, 0) for k, v in self.drops.items()
                                   if v != before.get(k, 0)}})
        return kept

    engines.SegmentFilter.keep = logged  # type: ignore[method-assign]
    shipped = engines.prompt_for(TITLE, TERMS + MORE_TERMS, count, engines.BATCHED_PROMPT_TOKENS)
    report: dict[str, Any] = {"prompt_tokens": {k: count(v or "") for k, v in prompts.items()},
                              "prompts": prompts, "shipped_is_short": shipped == prompts["short"],
                              "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.wav"  # the first run pays for loading: not the baseline's time
        write_wav(warm, decode(TALKS / "keynote_austausch.mp4"))
        engines.transcribe_wav(engine, warm, 55.0, engines.options_for(settings, "de", 150.0),
                               settings.chunk_seconds)
        built = recordings(set(args.only.split(",")) if args.only else None)
        for name, (audio, text) in built.items():
            wav = Path(tmp) / f"{name}.wav"
            write_wav(wav, audio)
            duration = len(audio) / RATE
            ref = normalise(text).split()
            base = engines.options_for(settings, "de", duration)
            assert base.batch_size > 0, "the recordings are meant for the batched pipeline"
            baseline = None
            for label, prompt_name, windows in conditions:
                prompt = prompts[prompt_name] if prompt_name else None
                first_window_only() if windows == "first" else every_window()
                fast.clear()
                started = time.perf_counter()
                result = engines.transcribe_wav(engine, wav, duration,
                                                replace(base, initial_prompt=prompt),
                                                settings.chunk_seconds)
                seconds = time.perf_counter() - started
                baseline = baseline or seconds
                hyp = normalise(" ".join(s.text for s in result.segments)).split()
                row = {"recording": name, "seconds_audio": round(duration, 1),
                       "condition": label, "wer": round(jiwer.wer(" ".join(ref), " ".join(hyp)), 4),
                       "repeated_trigrams": repeated(hyp, ref), "loops": loops(hyp),
                       "prompt_words_extra": leaked(hyp, ref, prompt), "words": len(hyp),
                       "dropped": result.provenance.options["dropped"],
                       "time_vs_none": round(seconds / baseline, 3),
                       "too_fast_segments": list(fast), "extra_trigrams": extra(hyp, ref),
                       "text": " ".join(hyp)}
                report["runs"].append(row)
                if not args.json:
                    print(f"{name:10} {duration:6.1f}s {label:12} WER {row['wer']:.4f} "
                          f"rep3 {row['repeated_trigrams']:3} loops {row['loops']:2} "
                          f"leak {row['prompt_words_extra']:2} words {len(hyp):4} "
                          f"dropped {row['dropped']} time x{row['time_vs_none']}", flush=True)
                    for seg in fast:
                        print(f"    too fast: {seg}", flush=True)
    totals: dict[str, dict[str, float]] = {}
    for label, _, _ in conditions:
        rows = [r for r in report["runs"] if r["condition"] == label]
        totals[label] = {
            "wer_mean": round(float(np.mean([r["wer"] for r in rows])), 4),
            "repeated_trigrams": sum(r["repeated_trigrams"] for r in rows),
            "loops": sum(r["loops"] for r in rows),
            "prompt_words_extra": sum(r["prompt_words_extra"] for r in rows),
            "time_vs_none": round(float(np.mean([r["time_vs_none"] for r in rows])), 3),
            "recordings": len(rows)}
    report["totals"] = totals
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(json.dumps({"prompt_tokens": report["prompt_tokens"], "prompts": prompts},
                         ensure_ascii=False))
        for label, t in totals.items():
            print(f"{label:12} {t}")


if __name__ == "__main__":
    main()
