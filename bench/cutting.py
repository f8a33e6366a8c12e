"""Cutting a day recording along its programme: how right and how fast.

    .venv/bin/python bench/cutting.py [--hours 6] [--data DIR]

1. Builds our own day recording (tests/dayrecording.py: six talks, applause, a break, title
   slides, a programme that runs late and lists a talk that never happened) and transcribes it
   once with the real engine, speakers and slides (``ingest.dayrecording.transcribe_day``).
2. Cuts it (``ingest.cutting.place``) and scores the cuts against the truth.
3. Tiles that day's transcript and slides to ``--hours`` (each block's programme shifted, every
   block with its own slot that never happened) and cuts that too: the time and peak memory of
   placing a long day's cuts, with the 10-minute day as the baseline of the same run.

Transcribing a 6-hour day is the ingest benchmark's business (bench/ingest.py: memory stays
bounded by chunks); this one measures what the cutter adds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import transcript as tr  # noqa: E402
from archive.settings import Settings  # noqa: E402
from ingest import cutting, dayrecording, media  # noqa: E402
from tests.dayrecording import DayRecording, build_day, score_cuts  # noqa: E402


def planned(day: DayRecording, blocks: int) -> list[cutting.PlannedSlot]:
    """The programme's slots as the cutter sees them, repeated per block (from the truth's
    planned starts plus the slot that never happened, read back from the schedule)."""
    from archive.programme.read import read_programme

    programme = read_programme(day.schedule.read_bytes(), day.schedule.name)
    slots = sorted((s for s in programme.slots if s.room == day.room), key=lambda s: s.start)
    out = []
    for block in range(blocks):
        for s in slots:
            offset = (s.start - day.starts_at).total_seconds() + block * day.duration
            out.append(cutting.PlannedSlot(f"{s.guid}/{block}", s.title, offset,
                                           float(s.duration),
                                           " ".join([s.title, s.abstract or "", *s.persons])))
    return out


def tiled(day: tr.Transcript, blocks: int, length: float) -> tuple[list[tr.Segment], list[tr.Slide]]:
    segments, slides = [], []
    for block in range(blocks):
        shift = block * length
        for seg in day.segments:
            words = [tr.Word(w.start + shift, w.end + shift, w.word, w.probability) for w in seg.words]
            segments.append(replace(seg, start=seg.start + shift, end=seg.end + shift, words=words))
        slides += [tr.Slide(s.start + shift, s.end + shift, s.text, s.image) for s in day.slides]
    return segments, slides


def timed_place(segments: list[tr.Segment], slides: list[tr.Slide],
                slots: list[cutting.PlannedSlot], duration: float
                ) -> tuple[list[cutting.Placement], float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    placed = cutting.place(segments, slides, slots, duration)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return placed, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bench-day")
    args = parser.parse_args()
    day = build_day(args.data / "build")
    settings = Settings(data_dir=args.data / "archive")
    probe = media.probe(day.video)
    work = args.data / "work"
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    transcript, _ = dayrecording.transcribe_day(
        settings, probe, work, lambda _t: dayrecording.engines.options_for(
            settings, None, probe.duration), lambda *_: None)
    print(f"transcribing the {probe.duration / 60:.0f}-minute day: "
          f"{time.perf_counter() - started:.0f} s")
    slots = planned(day, 1)
    placed, base_s, base_mb = timed_place(transcript.segments, transcript.slides, slots,
                                          probe.duration)
    cuts = {p.guid.split("/")[0]: (p.start, p.end) for p in placed
            if p.status == cutting.Placed.CUT and p.start is not None and p.end is not None}
    print(score_cuts(day, cuts))  # type: ignore[arg-type]
    review = [p.guid for p in placed if p.status == cutting.Placed.NEEDS_REVIEW]
    print(f"needs review: {len(review)}; placing took {base_s:.2f} s, peak {base_mb:.1f} MB")
    blocks = max(1, round(args.hours * 3600 / day.duration))
    segments, slides = tiled(transcript, blocks, day.duration)
    long, long_s, long_mb = timed_place(segments, slides, planned(day, blocks),
                                        blocks * day.duration)
    right = sum(1 for p in long if p.status == cutting.Placed.CUT)
    missing = sum(1 for p in long if p.status == cutting.Placed.MISSING)
    print(f"{blocks * day.duration / 3600:.1f} h ({len(segments)} sentences, {len(long)} slots): "
          f"{right} cut, {missing} missing, placing took {long_s:.1f} s "
          f"({long_s / max(base_s, 1e-6):.0f}x the 10-minute day), peak {long_mb:.0f} MB")


if __name__ == "__main__":
    main()
