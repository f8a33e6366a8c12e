"""Streaming multipart uploads: the file goes to disk as it arrives (hashed on the way), so a
4 GB upload does not grow the server's memory; limits are checked while reading."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from ingest.errors import InputError, PayloadTooLarge, TalkarchiveError, UnsupportedMediaType

MAX_FIELD_BYTES = 10_000
MAX_FIELDS = 30
_SAFE_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,255}$")


@dataclass
class Upload:
    fields: dict[str, list[str]] = field(default_factory=dict)
    path: Path | None = None
    file_name: str | None = None
    size: int = 0
    sha256: str = ""

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None


def safe_file_name(raw: str) -> str:
    name = raw.strip()
    if not _SAFE_NAME.match(name) or name in (".", "..") or ".." in name:
        raise InputError(f"file name {raw[:80]!r} is not allowed", code="bad_file_name")
    return name


async def receive(request: Request, folder: Path, max_bytes: int) -> Upload:
    """Parse a multipart/form-data body with one ``file`` part into ``folder``."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise UnsupportedMediaType("send multipart/form-data with a file part named 'file'")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + 1_000_000:
        raise PayloadTooLarge(f"the upload is larger than {max_bytes // 1_000_000} MB")
    folder.mkdir(parents=True, exist_ok=True)
    upload = Upload()
    state: dict[str, object] = {"headers": {}, "name": None, "buf": bytearray(), "file": None}
    header_field = bytearray()
    header_value = bytearray()
    digest = hashlib.sha256()
    errors: list[TalkarchiveError] = []

    def on_part_begin() -> None:
        state.update(headers={}, name=None, buf=bytearray(), file=None)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers = state["headers"]
        assert isinstance(headers, dict)
        headers[bytes(header_field).lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        headers = state["headers"]
        assert isinstance(headers, dict)
        _, disp = parse_options_header(headers.get(b"content-disposition", b""))
        name = disp.get(b"name", b"").decode("utf-8", "replace")
        state["name"] = name
        if b"filename" in disp:
            if name != "file" or upload.path is not None:
                errors.append(InputError("send exactly one file, in the part named 'file'"))
                return
            upload.file_name = safe_file_name(disp[b"filename"].decode("utf-8", "replace"))
            suffix = Path(upload.file_name).suffix.lower()[:10]
            upload.path = folder / f"{uuid.uuid4().hex}{suffix}.part"
            state["file"] = upload.path.open("wb")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if errors:
            return
        chunk = data[start:end]
        handle = state["file"]
        if handle is not None:
            upload.size += len(chunk)
            if upload.size > max_bytes:
                errors.append(PayloadTooLarge(
                    f"the upload is larger than {max_bytes // 1_000_000} MB"))
                return
            digest.update(chunk)
            handle.write(chunk)  # type: ignore[attr-defined]
        else:
            buf = state["buf"]
            assert isinstance(buf, bytearray)
            buf.extend(chunk)
            if len(buf) > MAX_FIELD_BYTES:
                errors.append(InputError(f"field {state['name']!r} is longer than "
                                         f"{MAX_FIELD_BYTES} bytes", code="field_too_large"))

    def on_part_end() -> None:
        handle = state["file"]
        if handle is not None:
            handle.close()  # type: ignore[attr-defined]
            state["file"] = None
        elif not errors and state["name"]:
            buf = state["buf"]
            assert isinstance(buf, bytearray)
            name = str(state["name"])
            upload.fields.setdefault(name, []).append(buf.decode("utf-8", "replace"))
            if len(upload.fields) > MAX_FIELDS:
                errors.append(InputError("too many fields"))

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data,
        "on_part_end": on_part_end, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
    })
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if errors:
                raise errors[0]
        parser.finalize()
        if errors:
            raise errors[0]
        if upload.path is None:
            raise InputError("no file: send it in the part named 'file'", code="no_file")
        if upload.size == 0:
            raise InputError(f"{upload.file_name}: empty file (0 bytes)", code="empty_file")
    except TalkarchiveError:
        _discard(upload, state)
        raise
    except Exception:  # a broken body: the multipart parser's own errors
        _discard(upload, state)
        raise InputError("the multipart body cannot be read", code="bad_multipart") from None
    final = upload.path.with_suffix("")
    upload.path.replace(final)
    upload.path = final
    upload.sha256 = digest.hexdigest()
    return upload


def _discard(upload: Upload, state: dict[str, object]) -> None:
    handle = state.get("file")
    if handle is not None:
        handle.close()  # type: ignore[attr-defined]
    if upload.path is not None:
        upload.path.unlink(missing_ok=True)
