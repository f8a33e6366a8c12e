"""CTranslate2 -> openai-whisper conversion on a tiny model written in the CT2 format."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import torch
from whisper.model import ModelDimensions, Whisper  # type: ignore[import-untyped]

from ingest.convert import ct2_to_openai, read_ct2

D, H, L, V, MELS, ACTX, TCTX = 16, 2, 2, 50, 8, 12, 10


def _write_string(f, s: str) -> None:  # type: ignore[no-untyped-def]
    data = s.encode() + b"\0"
    f.write(struct.pack("<H", len(data)))
    f.write(data)


def write_ct2(path: Path, variables: dict[str, np.ndarray], aliases: dict[str, str]) -> None:
    with path.open("wb") as f:
        f.write(struct.pack("<I", 6))
        _write_string(f, "WhisperSpec")
        f.write(struct.pack("<I", 3))
        f.write(struct.pack("<I", len(variables)))
        for name, value in variables.items():
            _write_string(f, name)
            f.write(struct.pack("<B", value.ndim))
            for dim in value.shape:
                f.write(struct.pack("<I", dim))
            dtype = {np.dtype(np.float16): 4, np.dtype(np.int16): 2, np.dtype(np.int8): 1}
            f.write(struct.pack("<B", dtype[value.dtype]))
            f.write(struct.pack("<I", value.nbytes))
            f.write(value.tobytes())
        f.write(struct.pack("<I", len(aliases)))
        for alias, target in aliases.items():
            _write_string(f, alias)
            _write_string(f, target)


def tiny_model(rng: np.random.Generator) -> dict[str, np.ndarray]:
    def r(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float16)

    v: dict[str, np.ndarray] = {
        "encoder/conv1/weight": r(D, MELS, 3), "encoder/conv1/bias": r(D),
        "encoder/conv2/weight": r(D, D, 3), "encoder/conv2/bias": r(D),
        "encoder/position_encodings/encodings": r(ACTX, D),
        "encoder/layer_norm/gamma": r(D), "encoder/layer_norm/beta": r(D),
        "encoder/num_heads": np.array(H, dtype=np.int16),
        "decoder/num_heads": np.array(H, dtype=np.int16),
        "decoder/embeddings/weight": r(V, D),
        "decoder/position_encodings/encodings": r(TCTX, D),
        "decoder/layer_norm/gamma": r(D), "decoder/layer_norm/beta": r(D),
    }
    for side in ("encoder", "decoder"):
        for i in range(L):
            p = f"{side}/layer_{i}"
            blocks = ["self_attention", "ffn"] + (["attention"] if side == "decoder" else [])
            for b in blocks:
                v[f"{p}/{b}/layer_norm/gamma"] = r(D)
                v[f"{p}/{b}/layer_norm/beta"] = r(D)
            v[f"{p}/self_attention/linear_0/weight"] = r(3 * D, D)
            v[f"{p}/self_attention/linear_0/bias"] = r(3 * D)
            v[f"{p}/self_attention/linear_1/weight"] = r(D, D)
            v[f"{p}/self_attention/linear_1/bias"] = r(D)
            v[f"{p}/ffn/linear_0/weight"] = r(4 * D, D)
            v[f"{p}/ffn/linear_0/bias"] = r(4 * D)
            v[f"{p}/ffn/linear_1/weight"] = r(D, 4 * D)
            v[f"{p}/ffn/linear_1/bias"] = r(D)
            if side == "decoder":
                v[f"{p}/attention/linear_0/weight"] = r(D, D)
                v[f"{p}/attention/linear_0/bias"] = r(D)
                v[f"{p}/attention/linear_1/weight"] = r(2 * D, D)
                v[f"{p}/attention/linear_1/bias"] = r(2 * D)
                v[f"{p}/attention/linear_2/weight"] = r(D, D)
                v[f"{p}/attention/linear_2/bias"] = r(D)
    return v


def test_conversion_fills_every_openai_whisper_weight(tmp_path: Path) -> None:
    v = tiny_model(np.random.default_rng(0))
    write_ct2(tmp_path / "model.bin", v, {"decoder/projection/weight": "decoder/embeddings/weight"})
    (tmp_path / "config.json").write_text(json.dumps({"alignment_heads": [[1, 0], [1, 1]]}))
    read = read_ct2(tmp_path / "model.bin")
    assert np.array_equal(read["decoder/projection/weight"], v["decoder/embeddings/weight"])

    ckpt = ct2_to_openai(tmp_path)
    dims = ckpt["dims"]
    assert dims == {"n_mels": MELS, "n_audio_ctx": ACTX, "n_audio_state": D, "n_audio_head": H,
                    "n_audio_layer": L, "n_vocab": V, "n_text_ctx": TCTX, "n_text_state": D,
                    "n_text_head": H, "n_text_layer": L}
    model = Whisper(ModelDimensions(**dims))
    state = {k: torch.from_numpy(np.array(a, dtype=np.float32)) for k, a in
             ckpt["model_state_dict"].items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert unexpected == [] and missing == []
    # fused self-attention q/k/v: the second third is the key, which has no bias
    fused = v["encoder/layer_0/self_attention/linear_0/weight"]
    assert np.array_equal(ckpt["model_state_dict"]["encoder.blocks.0.attn.key.weight"], fused[D:2 * D])
    kv = v["decoder/layer_1/attention/linear_1/bias"]
    assert np.array_equal(ckpt["model_state_dict"]["decoder.blocks.1.cross_attn.value.bias"], kv[D:])
    assert ckpt["alignment_heads"] == [[1, 0], [1, 1]]
