"""Running code as a CPU with AVX2 and no AVX-512 would: ``qemu-x86_64 -cpu Haswell`` (Debian's
``qemu-user``). QEMU's user mode emulates one process; the programs it starts (ffmpeg, ffprobe,
tesseract) would run natively, so they are reached through small scripts on PATH that start
them under QEMU too."""

from __future__ import annotations

import shutil
from pathlib import Path

QEMU = "qemu-x86_64"
CPU = ["-cpu", "Haswell"]
EMULATED_TOOLS = ("ffmpeg", "ffprobe", "tesseract")


def available() -> bool:
    return shutil.which(QEMU) is not None


def command(*args: str) -> list[str]:
    return [QEMU, *CPU, *args]


def emulated_env(env: dict[str, str], folder: Path) -> dict[str, str]:
    """``env`` with PATH led by scripts that run ffmpeg, ffprobe and tesseract under QEMU."""
    folder.mkdir(parents=True, exist_ok=True)
    for tool in EMULATED_TOOLS:
        real = shutil.which(tool)
        if real is None:
            raise RuntimeError(f"{tool} is not installed")
        script = folder / tool
        script.write_text(f'#!/bin/sh\nexec {" ".join(command(real))} "$@"\n')
        script.chmod(0o755)
    return {**env, "PATH": f"{folder}:{env.get('PATH', '')}"}


# The whole ingest takes ~3 min under an emulator that runs AVX2 code at a few hundred MFLOPS.
# On 2026-12-05 this machine's qemu-user 7.2 (Debian 1:7.2+dfsg-7+deb12u18+b3) ran a 256×256
# float32 matmul through OpenBLAS's Haswell kernel at 0.015 GFLOPS (45 s for 20 of them; its SSE3
# kernel 0.105): the base model's encoder alone then takes over ten minutes.
MIN_AVX2_GFLOPS = 0.1
_PROBE = ("import time, numpy as np\n"
          "a = np.random.rand(128, 128).astype(np.float32)\n"
          "t = time.perf_counter()\n"
          "for _ in range(4): a @ a\n"
          "print(4 * 2 * 128 ** 3 / (time.perf_counter() - t) / 1e9)\n")


def avx2_gflops(python: str) -> float:
    """How fast the emulator runs AVX2 arithmetic: NumPy's matmul (OpenBLAS picks its Haswell
    kernel for the emulated CPU), one thread, in GFLOPS."""
    import subprocess

    done = subprocess.run(command(python, "-c", _PROBE), capture_output=True, text=True,
                          timeout=300, env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    return float(done.stdout.split()[-1])
