"""A room's day recording, ingested and cut along its programme, scored against the truth of
``tests/dayrecording.py`` (issue 21: "A day recording of your own", and the benchmark).

    .venv/bin/python bench/day_recording.py                  # the 10-minute day
    .venv/bin/python bench/day_recording.py --one-by-one     # also its talks ingested one by one
    .venv/bin/python bench/day_recording.py --hours 6        # the programme repeated for 6 hours
    .venv/bin/python bench/day_recording.py --build-only     # the day and its layout, no ingest

In a fresh temporary archive: the day's schedule.xml is imported, the day is ingested in this
process (``ingest.dayrecording.ingest_day``, start from the MP4's creation_time), and every
placement is scored: a talk is cut well when its cut keeps the first and the last word with at
most 10 s around them (target: >= 90 %, the others ``needs_review``); the slot that never
happened must get no talk. Reported: wall time, the cutting stage's own time
(``ingest.cutting.place``; target <= 5 % of the ingest), peak memory of this process (RSS,
target <= 1.5 GB and flat in length) and, with ``--one-by-one``, the wall time of ingesting the
first block's talks as separate files (each cut from the day with 5 s around its words), scaled
to the number of blocks (target: day <= 1.1x that). The JSON report goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import catalog as cat  # noqa: E402
from archive.details import TalkDetails  # noqa: E402
from archive.programme.apply import import_programme  # noqa: E402
from archive.programme.read import read_programme  # noqa: E402
from archive.settings import Settings  # noqa: E402
from ingest import cutting, dayrecording, pipeline  # noqa: E402
from tests import dayrecording as truth  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest_day(day: truth.DayRecording, data: Path) -> dict[str, Any]:
    settings = Settings(data_dir=data)
    catalog = cat.Catalog(settings)
    place = cutting.place
    spent = [0.0]

    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return place(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - began

    try:
        import_programme(catalog, read_programme(day.schedule.read_bytes(), day.schedule.name))
        cutting.place = timed
        began = time.perf_counter()
        result = dayrecording.ingest_day(settings, catalog, day.video, day.room)
        wall = time.perf_counter() - began
    finally:
        cutting.place = place
        catalog.dispose()
    cuts = {p.guid: (p.start, p.end) for p in result.placements
            if p.status == cutting.Placed.CUT and p.start is not None and p.end is not None}
    status = {p.guid: p.status.value for p in result.placements}
    score = truth.score_cuts(day, cuts)
    print(score, file=sys.stderr)
    bad = [t.guid for t in score.talks if not t.ok]
    return {
        "wall_s": round(wall, 1),
        "audio_s": day.duration,
        "cutting_s": round(spent[0], 3),
        "cutting_share": round(spent[0] / wall, 4),
        "peak_rss_mb": round(peak_mb()),
        "cut_well": round(score.fraction_ok, 3),
        "not_cut_well_are_needs_review": all(status.get(g) == "needs_review" for g in bad),
        "never_happened_status": [status.get(g) for g in day.never_happened_all],
        "wrongly_cut": score.wrongly_cut,
        "talks": [{"guid": t.guid, "title": t.title, "status": status.get(t.guid), "cut": t.cut,
                   "ok": t.ok, "why": t.why} for t in score.talks],
    }


def one_by_one(day: truth.DayRecording, data: Path, work: Path) -> dict[str, Any]:
    """The first block's talks as their own files, ingested one after the other."""
    settings = Settings(data_dir=data)
    catalog = cat.Catalog(settings)
    block = [t for t in day.talks if t.first_word_start < truth.BLOCK]
    files = []
    for i, t in enumerate(block):
        out = work / f"talk{i}.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", f"{t.first_word_start - 5:.2f}",
                        "-to", f"{t.last_word_end + 5:.2f}", "-i", str(day.video), "-c:v", "libx264",
                        "-preset", "veryfast", "-c:a", "aac", str(out)], check=True)
        files.append((out, t))
    began = time.perf_counter()
    try:
        for path, t in files:
            pipeline.ingest_file(settings, catalog, path, TalkDetails(title=t.title, speakers=t.persons))
    finally:
        catalog.dispose()
    wall = time.perf_counter() - began
    blocks = round(day.duration / truth.BLOCK)
    return {"talks": len(files), "wall_s": round(wall, 1), "scaled_to_day_s": round(wall * blocks, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=None)
    parser.add_argument("--dest", type=Path, default=None)
    parser.add_argument("--one-by-one", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    missing = truth.material_missing()
    if missing:
        sys.exit(f"cannot build the day: {missing}")
    dest = args.dest or (truth.DEFAULT_DEST if args.hours is None
                         else ROOT / "test-artifacts" / f"dayrecording-{args.hours:g}h")
    began = time.perf_counter()
    day = truth.build_day(dest, args.hours)
    report: dict[str, Any] = {"video": str(day.video), "duration_s": day.duration, "talks": len(day.talks),
                              "build_s": round(time.perf_counter() - began, 1)}
    print(truth.layout(day), file=sys.stderr)
    if not args.build_only:
        with tempfile.TemporaryDirectory() as tmp:
            report["day"] = ingest_day(day, Path(tmp) / "day")
            if args.one_by_one:
                (Path(tmp) / "files").mkdir()
                report["one_by_one"] = one_by_one(day, Path(tmp) / "talks", Path(tmp) / "files")
                report["day_vs_one_by_one"] = round(report["day"]["wall_s"]
                                                    / report["one_by_one"]["scaled_to_day_s"], 3)
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
