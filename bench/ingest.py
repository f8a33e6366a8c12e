"""Ingest benchmark: the whole pipeline against the bare engine, faster-whisper against
openai-whisper, the real-time factor, and peak memory on a long recording made by looping a
shared talk. Everything is measured in this one run, on the same files.

    .venv/bin/python bench/ingest.py                 # the three shared talks, both engines
    .venv/bin/python bench/ingest.py --long-minutes 60   # plus peak memory on 60 minutes

Targets (README): pipeline <= 1.25 x engine; faster-whisper >= 4 x faster than openai-whisper
at no worse WER; RTF <= 0.15 on 2 cores; peak memory <= 1.5 GB at 60 min and no more at 180.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jiwer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.settings import Settings  # noqa: E402
from bench.wer import normalise  # noqa: E402
from ingest import engines, media  # noqa: E402

TALKS = Path(__file__).resolve().parents[2] / "shared" / "data" / "talks_de"
CLI = Path(sys.executable).parent / "talkarchive"


def truth_text(mp4: Path) -> str:
    truth = json.loads(mp4.with_suffix(".truth.json").read_text())
    return " ".join(s["text"] for s in truth["sentences"])


def bare_engine(settings: Settings, files: list[Path]) -> tuple[float, list[str]]:
    """The engine alone: model load plus transcription of each file, audio decoded by the engine."""
    started = time.perf_counter()
    texts = []
    if settings.engine == "faster-whisper":
        from faster_whisper import WhisperModel

        model = WhisperModel(str(settings.models_dir / "base"), compute_type="int8")
        for f in files:
            segments, _ = model.transcribe(str(f), language="de", beam_size=5,
                                           word_timestamps=True, vad_filter=True)
            texts.append(" ".join(s.text for s in segments))
    else:
        from ingest.convert import load_openai_model

        model = load_openai_model(settings.models_dir / "base" / "openai-whisper.pt")
        for f in files:
            result = model.transcribe(str(f), language="de", beam_size=5, best_of=5, fp16=False,
                                      word_timestamps=True)
            texts.append(result["text"])
    return time.perf_counter() - started, texts


def engine_in_pipeline(settings: Settings, files: list[Path]) -> tuple[float, list[str], float]:
    """Our engine layer (chunked WAV, VAD, sentence cut) on the same files: seconds, texts, audio s."""
    engines._load.cache_clear()
    started = time.perf_counter()
    engine = engines.load_engine(settings)
    texts = []
    audio = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            probe = media.probe(f)
            wav = Path(tmp) / "a.wav"
            media.extract_audio(probe, wav)
            options = engines.options_for(settings, "de", probe.duration)
            result = engines.transcribe_wav(engine, wav, probe.duration, options,
                                            settings.chunk_seconds)
            texts.append(" ".join(s.text for s in result.segments))
            audio += probe.duration
    return time.perf_counter() - started, texts, audio


def whole_cli(files: list[Path], env: dict[str, str]) -> tuple[float, dict[str, float]]:
    """`talkarchive ingest` as a user runs it, in a fresh archive: wall seconds and peak RSS
    (MB) of the talkarchive process itself and of its children (Meilisearch, ffmpeg)."""
    import psutil

    started = time.perf_counter()
    proc = subprocess.Popen([str(CLI), "ingest", "-q", *map(str, files)], env=env,
                            stdout=subprocess.DEVNULL)
    watched = psutil.Process(proc.pid)
    peak = {"talkarchive_mb": 0.0, "children_mb": 0.0}
    while proc.poll() is None:
        try:
            own = watched.memory_info().rss
            kids = sum(c.memory_info().rss for c in watched.children(recursive=True))
        except psutil.Error:
            break
        peak["talkarchive_mb"] = max(peak["talkarchive_mb"], own / 1e6)
        peak["children_mb"] = max(peak["children_mb"], kids / 1e6)
        time.sleep(0.2)
    if proc.wait() != 0:
        raise SystemExit(f"talkarchive ingest failed ({proc.returncode})")
    return time.perf_counter() - started, {k: round(v) for k, v in peak.items()}


def wer(refs: list[str], hyps: list[str]) -> float:
    return float(jiwer.wer([normalise(r) for r in refs], [normalise(h) for h in hyps]))


def make_long(minutes: float, folder: Path) -> Path:
    src = TALKS / "keynote_austausch.mp4"
    out = folder / f"long_{minutes:g}min.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", "-1", "-i", str(src), "-t",
                    str(minutes * 60), "-c", "copy", "-y", str(out)], check=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--long-minutes", type=float, action="append", default=[])
    parser.add_argument("--skip-openai", action="store_true")
    parser.add_argument("--skip-short", action="store_true",
                        help="only the long recordings (no engine comparisons)")
    args = parser.parse_args()
    if not TALKS.exists():
        sys.exit(f"{TALKS} is missing: the benchmark needs ../shared/data")
    files = sorted(TALKS.glob("*.mp4"))
    refs = [truth_text(f) for f in files]
    base = Settings()
    report: dict[str, object] = {"files": [f.name for f in files]}

    if not args.skip_short:
        short(base, files, refs, report, args.skip_openai)
    for minutes in args.long_minutes:
        report[f"long_{minutes:g}min"] = long_run(minutes)
        print(json.dumps(report, indent=1), flush=True)
    print(json.dumps(report, indent=1))


def long_run(minutes: float) -> dict[str, object]:
    """The whole CLI on a long recording, with search by meaning (the default) and without:
    what embedding every sentence adds (target <= 10 %), and the peak memory of both."""
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        long = make_long(minutes, Path(tmp))
        for label, semantic in (("meaning", "true"), ("words_only", "false")):
            env = {**os.environ, "TALKARCHIVE_DATA_DIR": str(Path(tmp) / label),
                   "TALKARCHIVE_SEMANTIC": semantic,
                   "TALKARCHIVE_MEILI_URL": f"http://127.0.0.1:{7990 - int(minutes) % 50}"}
            t, peak = whole_cli([long], env)
            out[label] = {"seconds": round(t, 1), "rtf": round(t / (minutes * 60), 4), **peak}
        sentences = sum(len(json.loads(p.read_text())["segments"])
                        for p in (Path(tmp) / "meaning" / "transcripts").glob("*.json"))
    out["meaning_over_words_only"] = round(
        out["meaning"]["seconds"] / out["words_only"]["seconds"], 3)  # type: ignore[index]
    # A looped talk repeats its sentences, and a sentence is embedded once per distinct text:
    # the embedding of as many distinct sentences as this transcript has, timed on its own.
    seconds = embed_distinct(sentences)
    out["embedding_distinct"] = {
        "sentences": sentences, "seconds": round(seconds, 1),
        "share_of_ingest": round(seconds / out["words_only"]["seconds"], 4)}  # type: ignore[index]
    return out


def embed_distinct(n: int) -> float:
    """Seconds the sentence model takes for n distinct German sentences of talk length (halves
    of the shared talks' and clips' sentences joined), loaded first as in a worker."""
    import random

    from archive.semantic import model

    pool = [s.split() for f in TALKS.glob("*.truth.json")
            for s in (x["text"] for x in json.loads(f.read_text())["sentences"])]
    pool += [json.loads(line)["text"].split()
             for line in (TALKS.parent / "speech_de" / "manifest.jsonl").read_text().splitlines()]
    rng = random.Random(3)
    texts = [" ".join(a[: len(a) // 2 + 1] + b[len(b) // 2:])
             for a, b in ((rng.choice(pool), rng.choice(pool)) for _ in range(n))]
    model.embed(texts[:1])
    started = time.perf_counter()
    model.embed(texts)
    return time.perf_counter() - started


def short(base: Settings, files: list[Path], refs: list[str], report: dict[str, object],
          skip_openai: bool) -> None:
    t_bare, bare_texts = bare_engine(base, files)
    t_layer, layer_texts, audio = engine_in_pipeline(base, files)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TALKARCHIVE_DATA_DIR": tmp,
               "TALKARCHIVE_MEILI_URL": f"http://127.0.0.1:{7900 + os.getpid() % 90}"}
        t_cli, _ = whole_cli(files, env)
    report["faster-whisper"] = {
        "audio_seconds": round(audio, 1),
        "bare_engine_s": round(t_bare, 2),
        "engine_layer_s": round(t_layer, 2),
        "whole_cli_s": round(t_cli, 2),
        "cli_over_engine": round(t_cli / t_bare, 3),
        "rtf_engine": round(t_bare / audio, 4),
        "rtf_cli": round(t_cli / audio, 4),
        "wer_bare": round(wer(refs, bare_texts), 4),
        "wer_pipeline": round(wer(refs, layer_texts), 4),
    }
    print(json.dumps(report, indent=1), flush=True)
    if not skip_openai:
        ow = Settings(engine="openai-whisper")
        t_ow, ow_texts, _ = engine_in_pipeline(ow, files)
        report["openai-whisper"] = {
            "engine_layer_s": round(t_ow, 2),
            "wer_pipeline": round(wer(refs, ow_texts), 4),
            "faster_whisper_speedup": round(t_ow / t_layer, 2),
        }


if __name__ == "__main__":
    main()
