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
