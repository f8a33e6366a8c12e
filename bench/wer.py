"""Word error rate of the configured engine on ../shared/data/speech_de (manifest.jsonl).

Normalisation as in that folder's README: lower case, punctuation removed. Prints the WER per
set and overall and the real-time factor; ``--json`` for machines.

    .venv/bin/python bench/wer.py [--engine faster-whisper|openai-whisper] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import jiwer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.settings import Settings  # noqa: E402
from ingest import engines, media  # noqa: E402

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech_de"
# Figures from ../shared/data/speech_de/README.md (faster-whisper, base, int8, beam 5).
README_WER = {
    "thorsten_voice_samples": 0.064,
    "emodb_neutral": 0.215,
    "voxforge_de_audiomate": 0.286,
    "picovoice_leopard_test_de": 0.20,
}


def normalise(text: str) -> str:
    text = text.lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def run(settings: Settings, limit: int | None = None) -> dict[str, object]:
    manifest = [json.loads(line) for line in (SPEECH / "manifest.jsonl").read_text().splitlines()]
    if limit:
        manifest = manifest[:limit]
    engine = engines.load_engine(settings)
    refs: dict[str, list[str]] = defaultdict(list)
    hyps: dict[str, list[str]] = defaultdict(list)
    audio_seconds = 0.0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for item in manifest:
            probe = media.probe(SPEECH / item["audio"])
            wav = Path(tmp) / "clip.wav"
            media.extract_audio(probe, wav)
            options = engines.options_for(settings, "de", probe.duration)
            result = engines.transcribe_wav(engine, wav, probe.duration, options,
                                            settings.chunk_seconds)
            refs[item["set"]].append(normalise(item["text"]))
            hyps[item["set"]].append(normalise(" ".join(s.text for s in result.segments)))
            audio_seconds += probe.duration
    elapsed = time.perf_counter() - started
    per_set = {s: round(jiwer.wer(refs[s], hyps[s]), 4) for s in refs}
    overall = jiwer.wer([r for s in refs for r in refs[s]], [h for s in refs for h in hyps[s]])
    return {
        "engine": settings.engine,
        "model": settings.model,
        "clips": len(manifest),
        "audio_seconds": round(audio_seconds, 1),
        "rtf": round(elapsed / audio_seconds, 4),
        "wer": per_set,
        "wer_overall": round(overall, 4),
        "readme_wer": README_WER,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["faster-whisper", "openai-whisper"])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not SPEECH.exists():
        sys.exit(f"{SPEECH} is missing: the benchmark needs ../shared/data")
    overrides = {"engine": args.engine} if args.engine else {}
    result = run(Settings(**overrides), args.limit)
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"engine {result['engine']}, model {result['model']}, {result['clips']} clips, "
          f"{result['audio_seconds']} s of audio, real-time factor {result['rtf']}")
    wer = result["wer"]
    assert isinstance(wer, dict)
    for name, value in wer.items():
        ref = README_WER.get(name)
        verdict = "ok" if ref is not None and value <= ref + 1e-9 else "WORSE"
        print(f"  {name:28} WER {value:6.1%}   README {ref:6.1%}   {verdict}")
    print(f"  {'overall':28} WER {result['wer_overall']:6.1%}")


if __name__ == "__main__":
    main()
