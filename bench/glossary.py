"""Glossary benchmark: how many of the town names in ../shared/data/talks_de/podium_strategien
the transcript gets right without and with the glossary (the initial prompt: title, then terms), same run.

    .venv/bin/python bench/glossary.py [--engine faster-whisper|openai-whisper]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.settings import Settings  # noqa: E402
from ingest import engines, media  # noqa: E402

TALK = Path(__file__).resolve().parents[2] / "shared" / "data" / "talks_de" / "podium_strategien.mp4"
GLOSSARY = ["Olpe", "Bad Berleburg", "Menden", "Soest", "Detmold", "Zwönitz", "Süderbrarup"]


def count(names: list[str], truth: str, text: str) -> dict[str, object]:
    said = [n for n in names if n in truth]
    right = [n for n in said if text.count(n) >= truth.count(n)]
    return {"said": len(said), "right": len(right), "names_right": right,
            "names_wrong": [n for n in said if n not in right]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["faster-whisper", "openai-whisper"],
                        default="faster-whisper")
    args = parser.parse_args()
    if not TALK.exists():
        sys.exit(f"{TALK} is missing: the benchmark needs ../shared/data")
    settings = Settings(engine=args.engine)
    truth = " ".join(s["text"] for s in json.loads(TALK.with_suffix(".truth.json").read_text())
                     ["sentences"])
    engine = engines.load_engine(settings)
    probe = media.probe(TALK)
    report: dict[str, object] = {"engine": args.engine, "glossary": GLOSSARY}
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "a.wav"
        media.extract_audio(probe, wav)
        for label, glossary in (("without", None), ("with", GLOSSARY)):
            options = engines.options_for(settings, "de", probe.duration, glossary,
                                          "Podium: Strategien der Städte")
            result = engines.transcribe_wav(engine, wav, probe.duration, options,
                                            settings.chunk_seconds)
            text = " ".join(s.text for s in result.segments)
            report[label] = {**count(GLOSSARY, truth, text), "text": text}
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
