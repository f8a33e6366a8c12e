"""Demo quality: the word error rate of the demo talks (ingest/demo.py) as `talkarchive demo`
transcribes them, with their glossary and without it, same run.

Each talk is rendered as the demo renders it (espeak-ng, MP4 with AAC), its audio extracted by
the pipeline's own step and transcribed with the options the pipeline would use. ``--voice``
renders every sentence in one espeak-ng voice instead (``de+m6``, ``de+adam``: ``espeak-ng
--voices=variant`` lists them), to compare voices.

    .venv/bin/python bench/demo_quality.py [--voice VOICE] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

import jiwer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.settings import Settings  # noqa: E402
from bench.wer import normalise  # noqa: E402
from ingest import demo, engines, media  # noqa: E402


def transcribe(settings: Settings, engine: engines.Engine, talk: demo.DemoTalk,
               glossary: bool) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        mp4, _ = demo.render_demo(talk, Path(tmp))
        probe = media.probe(mp4)
        wav = Path(tmp) / "audio.wav"
        media.extract_audio(probe, wav)
        options = engines.options_for(settings, "de", probe.duration,
                                      list(talk.glossary) if glossary else None, talk.title)
        result = engines.transcribe_wav(engine, wav, probe.duration, options,
                                        settings.chunk_seconds)
    return " ".join(s.text for s in result.segments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voice", help="one espeak-ng voice for every sentence")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    engine = engines.load_engine(settings)
    talks = [dataclasses.replace(t, voices=(args.voice,)) if args.voice else t
             for t in demo.DEMO_TALKS]
    report: dict[str, object] = {"engine": engine.name, "model": engine.files.name,
                                 "voice": args.voice or "as in ingest/demo.py"}
    for label, glossary in (("without_glossary", False), ("with_glossary", True)):
        refs = [normalise(" ".join(t.sentences)) for t in talks]
        hyps = [normalise(transcribe(settings, engine, t, glossary)) for t in talks]
        report[label] = {
            "wer": round(float(jiwer.wer(refs, hyps)), 3),
            "talks": {t.slug: round(float(jiwer.wer(r, h)), 3)
                      for t, r, h in zip(talks, refs, hyps, strict=True)},
            "rathaus_heard": "rathaus" in hyps[0].split(),
        }
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"{report['engine']} {report['model']}, voice: {report['voice']}")
    for label in ("without_glossary", "with_glossary"):
        part = report[label]
        assert isinstance(part, dict)
        talks_wer = ", ".join(f"{k} {v:.3f}" for k, v in part["talks"].items())
        print(f"  {label.replace('_', ' ')}: WER {part['wer']:.3f} ({talks_wer}); "
              f"'Rathaus' heard: {part['rathaus_heard']}")


if __name__ == "__main__":
    main()
