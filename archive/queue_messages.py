"""Queue messages as JSON instead of Huey's default pickles.

A pickle runs whatever code its bytes name when it is loaded, so anyone who can write to the
queue's Redis could run code in every worker. Our messages only carry a job id: JSON holds
them, with Huey's message fields as a JSON object and datetimes as tagged ISO strings. Loading
accepts nothing else (a pickle, or an unknown tag, is a ValueError that Huey logs), so the
worst a forged message does is name a job id, which the worker looks up in the catalog.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from huey.registry import Message
from huey.serializer import Serializer

_DATETIME = "$datetime"
_MESSAGE = "$message"
_TUPLE = "$tuple"


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        return {_MESSAGE: {k: _encode(v) for k, v in value._asdict().items()}}
    if isinstance(value, dt.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, tuple):
        return {_TUPLE: [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("queue message dicts need string keys")
        return {k: _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"a queue message cannot carry {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, inner), = value.items()
        if key == _MESSAGE:
            fields = {k: _decode(v) for k, v in inner.items() if k in Message._fields}
            return Message(**fields)
        if key == _DATETIME:
            return dt.datetime.fromisoformat(inner)
        if key == _TUPLE:
            return tuple(_decode(v) for v in inner)
        if key.startswith("$"):
            raise ValueError(f"unknown tag {key[:20]!r} in a queue message")
    return {k: _decode(v) for k, v in value.items()}


class JsonSerializer(Serializer):
    def _serialize(self, data: Any) -> bytes:
        return orjson.dumps(_encode(data))

    def _deserialize(self, data: bytes) -> Any:
        try:
            return _decode(orjson.loads(data))
        except orjson.JSONDecodeError as exc:
            raise ValueError("a queue message that is not JSON (a pickle?) is refused") from exc
