"""Slide benchmark: what slide detection and OCR add to the ingest of a long talk with slides.

A 60-minute 1280x720 video at 25 frames a second (x264, as a recording is) shows 40 slides of
German text over a shared keynote's speech looped; `talkarchive ingest` takes it into a fresh
archive. The slide stage's own time (kept in the transcript's provenance) is set against the
whole ingest of the same run; with --without, the same file is ingested again with
TALKARCHIVE_SLIDES=false, for the difference on the wall clock. Recall: a slide counts as found
when a slide starting within 2 s of it carries its title's keyword.

    .venv/bin/python bench/slides.py                  # 60 min, 40 slides
    .venv/bin/python bench/slides.py --without        # plus the ingest without slides

Target (README): the slide stage costs <= 10 % of the ingest.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.paths import transcript_path  # noqa: E402
from archive.settings import Settings  # noqa: E402
from archive.transcript import load  # noqa: E402
from ingest import demo  # noqa: E402

TALKS = Path(__file__).resolve().parents[2] / "shared" / "data" / "talks_de"
CLI = Path(sys.executable).parent / "talkarchive"
TOPICS = ("Quartiersgarage", "Lastenradverleih", "Wärmepumpen", "Glasfaserausbau", "Bürgerbus",
          "Hochwasserschutz", "Schulcampus", "Ladesäulen", "Energiegenossenschaft",
          "Bürgerhaushalt", "Dorfladen", "Radschnellweg", "Solardächer", "Pflegenetzwerk",
          "Leerstandskataster", "Nahwärmenetz", "Carsharing", "Stadtbibliothek", "Spielplätze",
          "Ehrenamtsbörse")
LINES = ("Ziele für das nächste Jahr", "Kosten und Förderung durch das Land",
         "Beteiligung der Bürgerinnen und Bürger", "Erste Ergebnisse aus Menden und Olpe")


def slides(minutes: float, count: int) -> list[demo.DemoSlide]:
    length = minutes * 60 / count
    out = []
    for i in range(count):
        # changes fall anywhere, not on whole seconds or keyframe multiples
        start = 0.0 if i == 0 else round(i * length + (i * 7.3) % 5, 2)
        topic = f"{TOPICS[i % len(TOPICS)]}{'' if i < len(TOPICS) else ' Teil zwei'}"
        out.append(demo.DemoSlide(start, 0.0, f"{i + 1}. {topic}",
                                  (LINES[i % 4], LINES[(i + 1) % 4], f"Stand {2020 + i % 6}")))
    ends = [s.start for s in out[1:]] + [minutes * 60 + 1]
    return [demo.DemoSlide(s.start, e, s.title, s.lines) for s, e in zip(out, ends, strict=True)]


def make_video(minutes: float, shown: list[demo.DemoSlide], folder: Path) -> Path:
    wav = folder / "speech.wav"
    if TALKS.is_dir():
        source = ["-stream_loop", "-1", "-i", str(TALKS / "keynote_austausch.mp4")]
    else:  # our own demo talk, looped
        source = ["-stream_loop", "-1", "-i", str(demo.render_demo(demo.DEMO_TALKS[0], folder)[0])]
    subprocess.run(["ffmpeg", "-v", "error", *source, "-t", str(minutes * 60), "-vn", "-ac", "1",
                    "-ar", "22050", "-y", str(wav)], check=True)
    out = folder / f"slides_{minutes:g}min.mp4"
    demo.render_video(wav, out, slides=shown, size="1280x720", rate=25)
    wav.unlink()
    return out


def ingest(video: Path, folder: Path, port: int, slides_on: bool) -> tuple[float, Settings, str]:
    env = {**os.environ, "TALKARCHIVE_DATA_DIR": str(folder),
           "TALKARCHIVE_MEILI_URL": f"http://127.0.0.1:{port}",
           "TALKARCHIVE_SLIDES": "true" if slides_on else "false"}
    started = time.perf_counter()
    out = subprocess.run([str(CLI), "ingest", "-q", str(video)], env=env, check=True,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - started
    return seconds, Settings(data_dir=folder), out.stdout.split()[0]


def recall(shown: list[demo.DemoSlide], found: list[tuple[float, str]]) -> float:
    hits = 0
    for slide in shown:
        keyword = slide.title.split()[1]
        if any(abs(start - slide.start) <= 2.0 and keyword in text for start, text in found):
            hits += 1
    return hits / len(shown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--slides", type=int, default=40)
    parser.add_argument("--without", action="store_true")
    args = parser.parse_args()
    shown = slides(args.minutes, args.slides)
    report: dict[str, object] = {"minutes": args.minutes, "slides": args.slides}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        video = make_video(args.minutes, shown, Path(tmp))
        report["video_made_s"] = round(time.perf_counter() - started, 1)
        seconds, settings, talk_id = ingest(video, Path(tmp) / "a", 7960, True)
        transcript = load(transcript_path(settings, talk_id))
        stage = transcript.provenance.slides or {}
        report.update({
            "ingest_s": round(seconds, 1),
            "slide_stage_s": stage.get("seconds"),
            "stage_share_of_ingest": round(float(stage.get("seconds", 0)) / seconds, 4),
            "keyframes": stage.get("keyframes"), "scenes": stage.get("scenes"),
            "slides_found": len(transcript.slides),
            "recall_2s": round(recall(shown, [(s.start, s.text) for s in transcript.slides]), 3),
        })
        print(json.dumps(report, indent=1), flush=True)
        if args.without:
            without, _, _ = ingest(video, Path(tmp) / "b", 7961, False)
            report.update({"ingest_without_slides_s": round(without, 1),
                           "wall_clock_extra": round(seconds / without - 1, 4)})
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
