"""Voice memory: how alike the same real voice sounds in two talks, against two different voices,
to choose the similarity from which a named voice is suggested (``archive.speakers``).

For each speaker of ``../shared/data/speech_de`` (13 real voices: Thorsten, VoxForge, Picovoice,
ten EmoDB speakers by the number that starts each file name) its clips are split into two halves,
each half a "talk" made with ``ingest.demo.make_panel`` and diarized like an ingest; the voice's
centroid is that of its longest label. Prints the cosine similarities of every pair of halves:
same speaker against different speakers, and the threshold that separates them best.

    .venv/bin/python bench/voices.py
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.settings import Settings  # noqa: E402
from ingest import demo, diarize  # noqa: E402
from tests.integration.test_speakers import voice_of  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech_de"


def centroid(settings: Settings, clips: list[Path], folder: Path) -> np.ndarray | None:
    wav = folder / "half.wav"
    demo.make_panel([("x", c) for c in clips], wav, gap=0.5)
    found = diarize.diarize(settings, wav)
    if not found.voices:
        return None
    longest = max(found.voices.values(), key=lambda v: v.seconds)
    vector = np.asarray(longest.centroid)
    return vector / np.linalg.norm(vector)


def main() -> None:
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent")
    rows = [json.loads(line) for line in (DATA / "manifest.jsonl").read_text().splitlines()]
    clips: dict[str, list[Path]] = {}
    for row in rows:
        clips.setdefault(voice_of(row), []).append(DATA / row["audio"])
    settings = Settings()
    halves: list[tuple[str, np.ndarray]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for speaker, paths in sorted(clips.items()):
            parts = [paths[: len(paths) // 2], paths[len(paths) // 2 :]] if len(paths) > 1 else [paths]
            for part in parts:
                vector = centroid(settings, part, Path(tmp))
                if vector is not None:
                    halves.append((speaker, vector))
    same, different = [], []
    for (a, va), (b, vb) in itertools.combinations(halves, 2):
        (same if a == b else different).append(float(va @ vb))
    candidates = np.round(np.linspace(0.0, 1.0, 201), 3)
    errors = [sum(s < t for s in same) + sum(d >= t for d in different) for t in candidates]
    fewest = min(errors)
    best = [float(t) for t, e in zip(candidates, errors, strict=True) if e == fewest]
    report = {
        "voices": len({s for s, _ in halves}), "halves": len(halves),
        "same_speaker": {"n": len(same), "min": round(min(same), 3), "median": round(float(np.median(same)), 3)},
        "different_speakers": {"n": len(different), "max": round(max(different), 3),
                               "median": round(float(np.median(different)), 3)},
        "fewest_errors_between": [best[0], best[-1]], "errors_there": int(fewest),
        "by_threshold": {f"{t:.2f}": {"missed_same": sum(x < t for x in same),
                                      "false_different": sum(x >= t for x in different)}
                         for t in (0.6, 0.7, 0.75, 0.78, 0.8, 0.82, 0.85, 0.9)},
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
