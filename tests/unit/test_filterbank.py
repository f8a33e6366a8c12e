"""The speaker model's filterbank (kaldi-native-fbank) against an independent reference: Kaldi's
fbank written out here in numpy from its definition (frames, DC removal, pre-emphasis, povey
window, power spectrum, mel triangles on Kaldi's mel scale, log), on real speech where
``../shared/data`` is present and on a voice-like signal everywhere."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from ingest import filterbank

SPEECH = Path(__file__).resolve().parents[3] / "shared" / "data" / "speech_de"


def kaldi_mel_banks(bins: int = 80, fft: int = 512, rate: int = 16_000, low: float = 20.0) -> np.ndarray:
    def mel(f: np.ndarray | float) -> np.ndarray:
        return 1127.0 * np.log(1.0 + np.asarray(f) / 700.0)

    edges = np.linspace(mel(low), mel(rate / 2), bins + 2)
    freqs = mel(np.arange(fft // 2) * rate / fft)
    left, centre, right = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (freqs - left) / (centre - left)
    down = (right - freqs) / (right - centre)
    inside = (freqs > left) & (freqs < right)
    return np.where(inside, np.where(freqs <= centre, up, down), 0.0)


def reference(samples: np.ndarray) -> np.ndarray:
    x = samples.astype(np.float64) * 32768.0
    if len(x) < 400:
        x = np.concatenate([x, np.zeros(400 - len(x))])
    count = 1 + (len(x) - 400) // 160
    frames = np.stack([x[i * 160:i * 160 + 400] for i in range(count)])
    frames = frames - frames.mean(axis=1, keepdims=True)
    frames[:, 1:] -= 0.97 * frames[:, :-1].copy()
    frames[:, 0] *= 1 - 0.97
    n = np.arange(400)
    frames *= (0.5 - 0.5 * np.cos(2 * np.pi * n / 399)) ** 0.85
    power = np.abs(np.fft.rfft(frames, 512)) ** 2
    energies = power[:, :256] @ kaldi_mel_banks().T
    feats = np.log(np.maximum(energies, np.finfo(np.float32).eps))
    return feats - feats.mean(axis=0, keepdims=True)


def assert_close(ours: np.ndarray, ref: np.ndarray) -> None:
    assert ours.shape == ref.shape and ours.dtype == np.float32
    # float32 against float64: bins near the log floor may differ more; the bulk agrees to 1e-3
    diff = np.abs(ours - ref)
    assert np.median(diff) < 1e-3 and np.quantile(diff, 0.999) < 0.05


def voice_like(seconds: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * 16_000)) / 16_000
    pitch = 120 + 30 * np.sin(2 * np.pi * 0.7 * t)
    tone = sum(np.sin(2 * np.pi * k * np.cumsum(pitch) / 16_000) / k for k in range(1, 12))
    return (0.1 * tone * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)) + 0.003 * rng.standard_normal(len(t))
            ).astype(np.float32)


def test_features_match_kaldis_definition_on_a_voice_like_signal() -> None:
    audio = voice_like()
    bank = filterbank.Filterbank()
    feats = bank.windows(audio, np.array([(0.0, 1.5), (0.37, 1.87), (1.5, 3.0)]))
    for got, (start, end) in zip(feats, [(0.0, 1.5), (0.37, 1.87), (1.5, 3.0)], strict=True):
        assert got.shape == (148, 80)
        assert_close(got, reference(filterbank.window_samples(audio, start, end)))


def test_a_window_shorter_than_a_frame_is_padded_to_one_frame() -> None:
    audio = voice_like(1.0)
    (got,) = filterbank.Filterbank().windows(audio, np.array([(0.5, 0.51)]))
    assert got.shape == (1, 80) and np.allclose(got, 0.0)  # one frame, minus its own mean


@pytest.mark.skipif(not SPEECH.is_dir(), reason=f"{SPEECH} is absent (not in a user's clone)")
def test_features_match_kaldis_definition_on_real_speech() -> None:
    clip = sorted(SPEECH.rglob("*.wav"))[0]
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(clip), "-ac", "1", "-ar",
                          "16000", "-f", "f32le", "-"], capture_output=True, check=True).stdout
    audio = np.frombuffer(raw, dtype=np.float32)
    seconds = len(audio) / 16_000
    windows = np.array([(s, s + 1.5) for s in np.linspace(0, seconds - 1.6, 12)])
    bank = filterbank.Filterbank()
    for got, (start, end) in zip(bank.windows(audio, windows), windows, strict=True):
        assert_close(got, reference(filterbank.window_samples(audio, start, end)))
