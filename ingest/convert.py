"""Convert a CTranslate2 Whisper ``model.bin`` into an openai-whisper checkpoint.

Both engines then run the same verified weights. The CTranslate2 file is a header followed by
named tensors; self-attention q/k/v are fused (split in three), cross-attention k/v are fused
(split in two), the key projections have no bias, and the sinusoidal position encodings are
stored as tensors.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

# CTranslate2 DataType ids.
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def _read_string(f: BinaryIO) -> str:
    (length,) = struct.unpack("<H", f.read(2))
    return f.read(length)[:-1].decode("utf-8")


def read_ct2(path: Path) -> dict[str, np.ndarray]:
    """All variables of a CTranslate2 model file (binary version 6), aliases resolved."""
    variables: dict[str, np.ndarray] = {}
    with path.open("rb") as f:
        (version,) = struct.unpack("<I", f.read(4))
        if version < 5:
            raise ValueError(f"unsupported CTranslate2 binary version {version}")
        _read_string(f)  # spec name
        f.read(4)  # spec revision
        (count,) = struct.unpack("<I", f.read(4))
        for _ in range(count):
            name = _read_string(f)
            (rank,) = struct.unpack("<B", f.read(1))
            shape = struct.unpack(f"<{rank}I", f.read(4 * rank)) if rank else ()
            (dtype_id,) = struct.unpack("<B", f.read(1))
            (nbytes,) = struct.unpack("<I", f.read(4))
            data = np.frombuffer(f.read(nbytes), dtype=_DTYPES[dtype_id])
            variables[name] = data.reshape(shape) if shape else data
        (aliases,) = struct.unpack("<I", f.read(4))
        for _ in range(aliases):
            alias = _read_string(f)
            target = _read_string(f)
            variables[alias] = variables[target]
    return variables


def _attention(
    v: dict[str, np.ndarray], src: str, dst: str, fused: int, n_state: int
) -> dict[str, np.ndarray]:
    """Map one CT2 attention block to openai-whisper's query/key/value/out."""
    out: dict[str, np.ndarray] = {}
    names = ["query", "key", "value"]
    if fused == 3:  # self-attention: linear_0 = [q; k; v], linear_1 = out
        w = v[f"{src}/linear_0/weight"]
        b = v[f"{src}/linear_0/bias"]
        parts = zip(names, np.split(w, 3), np.split(b, 3), strict=True)
        out_name = "linear_1"
    else:  # cross-attention: linear_0 = q, linear_1 = [k; v], linear_2 = out
        kw, vw = np.split(v[f"{src}/linear_1/weight"], 2)
        kb, vb = np.split(v[f"{src}/linear_1/bias"], 2)
        parts = zip(
            names,
            [v[f"{src}/linear_0/weight"], kw, vw],
            [v[f"{src}/linear_0/bias"], kb, vb],
            strict=True,
        )
        out_name = "linear_2"
    for name, w_part, b_part in parts:
        out[f"{dst}.{name}.weight"] = w_part
        if name != "key":
            out[f"{dst}.{name}.bias"] = b_part
    out[f"{dst}.out.weight"] = v[f"{src}/{out_name}/weight"]
    out[f"{dst}.out.bias"] = v[f"{src}/{out_name}/bias"]
    return out


def _norm(v: dict[str, np.ndarray], src: str, dst: str) -> dict[str, np.ndarray]:
    return {f"{dst}.weight": v[f"{src}/gamma"], f"{dst}.bias": v[f"{src}/beta"]}


def _ffn(v: dict[str, np.ndarray], src: str, dst: str) -> dict[str, np.ndarray]:
    return {
        f"{dst}.0.weight": v[f"{src}/linear_0/weight"],
        f"{dst}.0.bias": v[f"{src}/linear_0/bias"],
        f"{dst}.2.weight": v[f"{src}/linear_1/weight"],
        f"{dst}.2.bias": v[f"{src}/linear_1/bias"],
    }


def _count_layers(v: dict[str, np.ndarray], prefix: str) -> int:
    n = 0
    while f"{prefix}/layer_{n}/ffn/linear_0/weight" in v:
        n += 1
    return n


def ct2_to_openai(model_dir: Path) -> dict[str, Any]:
    """Build an openai-whisper checkpoint dict (dims, state dict, alignment heads)."""
    v = read_ct2(model_dir / "model.bin")
    config = json.loads((model_dir / "config.json").read_text("utf-8"))
    n_audio_state = v["encoder/conv1/weight"].shape[0]
    n_text_state = v["decoder/embeddings/weight"].shape[1]
    dims = {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(n_audio_state),
        "n_audio_head": int(v["encoder/num_heads"].item()),
        "n_audio_layer": _count_layers(v, "encoder"),
        "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(n_text_state),
        "n_text_head": int(v["decoder/num_heads"].item()),
        "n_text_layer": _count_layers(v, "decoder"),
    }
    state: dict[str, np.ndarray] = {
        "encoder.conv1.weight": v["encoder/conv1/weight"],
        "encoder.conv1.bias": v["encoder/conv1/bias"],
        "encoder.conv2.weight": v["encoder/conv2/weight"],
        "encoder.conv2.bias": v["encoder/conv2/bias"],
        "encoder.positional_embedding": v["encoder/position_encodings/encodings"],
        "decoder.token_embedding.weight": v["decoder/embeddings/weight"],
        "decoder.positional_embedding": v["decoder/position_encodings/encodings"],
    }
    state.update(_norm(v, "encoder/layer_norm", "encoder.ln_post"))
    state.update(_norm(v, "decoder/layer_norm", "decoder.ln"))
    for i in range(dims["n_audio_layer"]):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        state.update(_attention(v, f"{src}/self_attention", f"{dst}.attn", 3, n_audio_state))
        state.update(_norm(v, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln"))
        state.update(_ffn(v, f"{src}/ffn", f"{dst}.mlp"))
        state.update(_norm(v, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln"))
    for i in range(dims["n_text_layer"]):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        state.update(_attention(v, f"{src}/self_attention", f"{dst}.attn", 3, n_text_state))
        state.update(_norm(v, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln"))
        state.update(_attention(v, f"{src}/attention", f"{dst}.cross_attn", 2, n_text_state))
        state.update(_norm(v, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln"))
        state.update(_ffn(v, f"{src}/ffn", f"{dst}.mlp"))
        state.update(_norm(v, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln"))
    return {
        "dims": dims,
        "model_state_dict": state,
        "alignment_heads": [list(map(int, pair)) for pair in config.get("alignment_heads", [])],
    }


def write_openai_checkpoint(model_dir: Path, out: Path) -> None:
    import torch

    ckpt = ct2_to_openai(model_dir)
    ckpt["model_state_dict"] = {
        k: torch.from_numpy(np.array(a, dtype=np.float16)) for k, a in ckpt["model_state_dict"].items()
    }
    tmp = out.with_suffix(".tmp")
    torch.save(ckpt, tmp)
    tmp.replace(out)


def load_openai_model(checkpoint: Path, device: str = "cpu") -> Any:
    """Load a converted checkpoint into openai-whisper with its alignment heads set."""
    import torch
    import whisper
    from whisper.model import ModelDimensions, Whisper

    ckpt = torch.load(checkpoint, map_location=device, weights_only=True)
    model = Whisper(ModelDimensions(**ckpt["dims"]))
    model.load_state_dict({k: t.float() for k, t in ckpt["model_state_dict"].items()})
    heads = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
    for layer, head in ckpt["alignment_heads"]:
        heads[layer, head] = True
    model.register_buffer("alignment_heads", heads.to_sparse(), persistent=False)
    del whisper
    return model.to(device)
