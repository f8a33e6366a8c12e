"""Speaker turns: accuracy on a panel of real voices, and the cost on a long recording.

- the panel of five real voices the test builds (``../shared/data/speech_de``, about 90 s):
  DER with pyannote.metrics (collar 0.25 and none), speakers found, seconds;
- a recording of N minutes (a shared talk looped, as ``bench/ingest.py`` does): the diarizer
  alone on its 16 kHz WAV (seconds, peak RSS of that process), and the whole
  ``talkarchive ingest`` with ``TALKARCHIVE_DIARIZE=false`` against ``true`` in the same run
  (wall seconds and peak RSS of the talkarchive process); targets: diarization adds at most
  10 % to the ingest's wall time, and the ingest stays at most 1.5 GB.

    .venv/bin/python bench/diarize.py [--long-minutes 60]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ingest import make_long, whole_cli  # noqa: E402
from ingest import media  # noqa: E402
from tests.integration.test_speakers import PANEL_VOICES, real_panel  # noqa: E402

ALONE = """
import json, resource, sys, time
from pathlib import Path
from archive.settings import Settings
from ingest import diarize
started = time.perf_counter()
found = diarize.diarize(Settings(), Path(sys.argv[1]))
print(json.dumps({"seconds": round(time.perf_counter() - started, 1), "speakers": len(found.voices),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def panel_report(folder: Path) -> dict[str, object]:
    from pyannote.core import Annotation, Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    from archive.settings import Settings
    from ingest import diarize

    wav = folder / "panel.wav"
    truth = real_panel(wav)
    diarize.diarize(Settings(), wav)  # load once: what a worker does
    started = time.perf_counter()
    found = diarize.diarize(Settings(), wav)
    seconds = time.perf_counter() - started
    reference, hypothesis = Annotation(), Annotation()
    for t in truth:
        reference[Segment(t.start, t.end)] = t.speaker
    for h in found.turns:
        hypothesis[Segment(h.start, h.end)] = h.speaker
    uem = Timeline([Segment(0, truth[-1].end)])
    return {"audio_s": truth[-1].end, "voices": len(PANEL_VOICES), "found": len(found.voices),
            "der_collar_0.25": round(DiarizationErrorRate(collar=0.25)(reference, hypothesis, uem=uem), 3),
            "der_no_collar": round(DiarizationErrorRate()(reference, hypothesis, uem=uem), 3),
            "seconds": round(seconds, 2)}


def long_report(minutes: float, folder: Path) -> dict[str, object]:
    long = make_long(minutes, folder)
    wav = folder / "long.wav"
    media.extract_audio(media.probe(long), wav)
    alone = json.loads(subprocess.run([sys.executable, "-c", ALONE, str(wav)], check=True,
                                      capture_output=True, text=True,
                                      cwd=Path(__file__).resolve().parents[1]).stdout)
    report: dict[str, object] = {"diarizer_alone": alone}
    for diarize_on in ("false", "true"):
        env = {**os.environ, "TALKARCHIVE_DATA_DIR": str(folder / f"archive-{diarize_on}"),
               "TALKARCHIVE_MEILI_URL": f"http://127.0.0.1:{7940 + (diarize_on == 'true')}",
               "TALKARCHIVE_DIARIZE": diarize_on}
        wall, peak = whole_cli([long], env)
        report[f"ingest_diarize_{diarize_on}"] = {"seconds": round(wall, 1), **peak}
    off = report["ingest_diarize_false"]["seconds"]  # type: ignore[index]
    on = report["ingest_diarize_true"]["seconds"]  # type: ignore[index]
    report["diarization_adds"] = f"{(on - off) / off:.1%}"
    # the stage's own time, as the transcript's provenance records it: two separate 60-minute
    # ingests differ by more than the stage itself from run to run
    stored = next((folder / "archive-true").rglob("transcripts/*.json"))
    stage = json.loads(stored.read_text())["provenance"]["diarization"]
    report["diarization_stage"] = {"seconds": stage["seconds"],
                                   "share_of_ingest_without": f"{stage['seconds'] / off:.1%}",
                                   "spacing_seconds": stage.get("spacing_seconds"),
                                   "join_gap_seconds": stage.get("join_gap_seconds")}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--long-minutes", type=float, action="append", default=[])
    args = parser.parse_args()
    report: dict[str, object] = {"max_rss_of_this_process_mb": 0}
    with tempfile.TemporaryDirectory() as tmp:
        report["panel"] = panel_report(Path(tmp))
        print(json.dumps(report), flush=True)
        for minutes in args.long_minutes:
            report[f"long_{minutes:g}min"] = long_report(minutes, Path(tmp))
            print(json.dumps(report), flush=True)
    report["max_rss_of_this_process_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
