"""Words that depend on the CPU: each test talk ingested natively and as a Haswell (AVX2, no
AVX-512) would, under ``qemu-x86_64 -cpu Haswell``, through the real ``talkarchive ingest``
(ffmpeg and ffprobe emulated too). Prints the words heard on one side only, and whether each
word the suite asserts is heard on both.

Slow: emulation runs the engine about 100x slower (a 50 s talk takes about 8 minutes).

    .venv/bin/python bench/cpu_words.py [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest import demo  # noqa: E402
from tests.emulation import emulated_env  # noqa: E402

TALKS = ROOT.parent / "shared" / "data" / "talks_de"
CLI = Path(sys.executable).parent / "talkarchive"
# the words the suite finds in these talks by search (tests/integration, tests/e2e)
ASSERTED = ["internet", "telefon", "rathaus", "bürgerbus", "südwestfalen", "bahnhof", "dorfwerkstatt",
            "bürgerwerkstatt", "olpe", "soest"]


def words_of(data: Path) -> list[str]:
    (transcript,) = (data / "transcripts").glob("*.json")
    segments = json.loads(transcript.read_text())["segments"]
    return [re.sub(r"[^\wäöüß-]", "", w["word"].lower()) for s in segments for w in s["words"]]


def ingest(path: Path, args: list[str], data: Path, emulated: bool) -> tuple[list[str], float]:
    env = {**os.environ, "TALKARCHIVE_DATA_DIR": str(data), "TALKARCHIVE_DIARIZE": "false",
           "TALKARCHIVE_SLIDES": "false", "TALKARCHIVE_MEILI_URL": "http://127.0.0.1:7791"}
    cmd = [str(CLI), "ingest", "-q", str(path), *args]
    if emulated:
        env = emulated_env(env, data.parent / "bin")
        cmd = ["qemu-x86_64", "-cpu", "Haswell", sys.executable, "-m", "talkarchive", *cmd[1:]]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if "TCG doesn't support" not in line]
        raise SystemExit(f"{path.name} ({'Haswell' if emulated else 'native'}): " + "\n".join(errors[-20:]))
    return words_of(data), time.perf_counter() - started


def talks(folder: Path) -> list[tuple[str, Path, list[str]]]:
    found = [(p.stem, p, ["--title", p.stem.replace("_", " ").title()]) for p in sorted(TALKS.glob("*.mp4"))]
    for talk in demo.DEMO_TALKS:
        path, _ = demo.render_demo(talk, folder)
        found.append((talk.slug, path, ["--title", talk.title, "--glossary", ",".join(talk.glossary)]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", default=[])
    only = parser.parse_args().only
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, args in talks(Path(tmp)):
            if only and name not in only:
                continue
            native, t_native = ingest(path, args, Path(tmp) / name / "native", False)
            haswell, t_haswell = ingest(path, args, Path(tmp) / name / "haswell", True)
            a, b = Counter(native), Counter(haswell)
            report[name] = {
                "words": len(native), "native_only": sorted((a - b).elements()),
                "haswell_only": sorted((b - a).elements()),
                "asserted_on_one_side": [w for w in ASSERTED if (w in a) != (w in b)],
                "seconds": {"native": round(t_native, 1), "haswell": round(t_haswell, 1)}}
            print(json.dumps({name: report[name]}, ensure_ascii=False), flush=True)
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
