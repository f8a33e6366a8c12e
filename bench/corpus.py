"""The corpus download: talks per second and memory while it streams.

A synthetic archive of N talks (default 1,000), each a transcript of 200 sentences of 12 words
with word times and two speakers, is written once; then, in the same process:

- baseline: every talk's files rendered in the chosen formats (default json,tei,vtt) and
  thrown away, nothing zipped;
- corpus: :func:`archive.corpus.stream` writing the whole ZIP to /dev/null, as the API streams
  it: talks/s, the ratio to the baseline, and the peak RSS above the RSS before it started
  (sampled every 20 ms, this process and its render workers together).

Targets: at least 100 talks/s, and at most 200 MB above idle.

    .venv/bin/python bench/corpus.py [--talks 1000] [--formats json,tei,vtt]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import catalog as cat  # noqa: E402
from archive import corpus, exports  # noqa: E402
from archive import transcript as tr  # noqa: E402
from archive.paths import transcript_path  # noqa: E402
from archive.search.query import Filters  # noqa: E402
from archive.settings import Settings  # noqa: E402

WORDS = [
    "Die", "Stadt", "Soest", "hat", "ihr", "Rathaus", "digital", "gemacht", "und", "die",
    "Bürger", "nutzen", "es", "gern", "jeden", "Tag", "für", "Anträge", "Termine", "und",
    "Fragen", "zur", "Verwaltung",
]


def synthetic(settings: Settings, catalog: cat.Catalog, count: int) -> None:
    with catalog.session() as s:
        for n in range(count):
            talk_id = f"{n:032x}"
            segments, t = [], 0.0
            for i in range(200):
                words = []
                for k in range(12):
                    words.append(tr.Word(round(t, 3), round(t + 0.3, 3),
                                         " " + WORDS[(i * 12 + k + n) % len(WORDS)], 0.9))
                    t += 0.35
                segments.append(tr.Segment(words[0].start, words[-1].end,
                                           "".join(w.word for w in words).strip() + ".", words,
                                           "SPEAKER_1" if (i // 20) % 2 == 0 else "SPEAKER_2"))
                t += 0.6
            path = transcript_path(settings, talk_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            tr.save(tr.Transcript(talk_id, "de", t, segments,
                                  tr.Provenance("faster-whisper", "base", None, "cpu", "int8", {})),
                    path)
            s.add(cat.Talk(id=talk_id, content_hash=talk_id * 2, title=f"Vortrag {n}",
                           event="Smart Cities 2025", date="2025-09-18", year=2025,
                           speakers=["Jonas Weber"], town="Soest", language="de", duration=t,
                           status="ready", published=True, original_name="x.mp4",
                           original_path="x.mp4", media_path="x.mp4", poster_path=None,
                           has_video=True, segment_count=200,
                           speaker_names={"SPEAKER_1": "Jonas Weber"}))


class Peak:
    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.idle = self.proc.memory_info().rss
        self.peak = self.idle
        self.running = True
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while self.running:  # this process and its render workers together
            rss = self.proc.memory_info().rss
            for child in self.proc.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    rss += child.memory_info().rss
            self.peak = max(self.peak, rss)
            time.sleep(0.02)

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return (self.peak - self.idle) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--talks", type=int, default=1000)
    parser.add_argument("--formats", default="json,tei,vtt")
    args = parser.parse_args()
    fmts = exports.parse_formats(args.formats, corpus.DEFAULT_FORMATS)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        catalog = cat.Catalog(settings)
        synthetic(settings, catalog, args.talks)
        talks = catalog.talks()
        selection = corpus.Selection("", Filters(), fmts, talks)
        started = time.perf_counter()
        for talk in talks:  # baseline: rendering alone
            transcript = tr.load(transcript_path(settings, talk.id))
            shown = exports.links(talk.public_dict(), "https://archiv.example")
            for fmt in fmts:
                exports.render(transcript, shown, fmt)
        baseline = time.perf_counter() - started
        peak = Peak()
        started = time.perf_counter()
        size = 0
        with open("/dev/null", "wb") as sink:
            for chunk in corpus.stream(settings, selection, "https://archiv.example"):
                size += len(chunk)
                sink.write(chunk)
        seconds = time.perf_counter() - started
        above_idle = peak.stop()
    print(json.dumps({
        "talks": args.talks, "formats": fmts, "zip_mb": round(size / 1e6, 1),
        "baseline_render_talks_per_s": round(args.talks / baseline, 1),
        "corpus_talks_per_s": round(args.talks / seconds, 1),
        "corpus_over_baseline_time": round(seconds / baseline, 2),
        "peak_rss_above_idle_mb": round(above_idle, 1),
        "targets": {"talks_per_s": ">= 100", "peak_above_idle_mb": "<= 200"},
    }, indent=1))


if __name__ == "__main__":
    main()
