"""Streaming multipart uploads: the file goes to disk as it arrives (hashed on the way), so a
4 GB upload does not grow the server's memory; limits are checked while reading."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from archive.errors import InputError, MediaError, PayloadTooLarge, TalkarchiveError, UnsupportedMediaType

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


class _Receiver:
    """The multipart parser's callbacks, in named steps: part headers, then its data into the
    file (hashed on the way, size checked) or into a small form field."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder, self.max_bytes = folder, max_bytes
        self.upload = Upload()
        self.digest = hashlib.sha256()
        self.errors: list[TalkarchiveError] = []
        self.header_field, self.header_value = bytearray(), bytearray()
        self.on_part_begin()

    def on_part_begin(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.name: str | None = None
        self.buf = bytearray()
        self.file: BinaryIO | None = None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field.extend(data[start:end])

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value.extend(data[start:end])

    def on_header_end(self) -> None:
        self.headers[bytes(self.header_field).lower()] = bytes(self.header_value)
        self.header_field.clear()
        self.header_value.clear()

    def on_headers_finished(self) -> None:
        _, disp = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = disp.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in disp:
            return
        if self.name != "file" or self.upload.path is not None:
            self.errors.append(InputError("send exactly one file, in the part named 'file'"))
            return
        self.upload.file_name = safe_file_name(disp[b"filename"].decode("utf-8", "replace"))
        suffix = Path(self.upload.file_name).suffix.lower()[:10]
        self.upload.path = self.folder / f"{uuid.uuid4().hex}{suffix}.part"
        self.file = self.upload.path.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.errors:
            return
        chunk = data[start:end]
        if self.file is not None:
            self.upload.size += len(chunk)
            if self.upload.size > self.max_bytes:
                self.errors.append(PayloadTooLarge(
                    f"the upload is larger than {self.max_bytes // 1_000_000} MB"))
                return
            self.digest.update(chunk)
            self.file.write(chunk)
            return
        self.buf.extend(chunk)
        if len(self.buf) > MAX_FIELD_BYTES:
            self.errors.append(InputError(f"field {self.name!r} is longer than "
                                          f"{MAX_FIELD_BYTES} bytes", code="field_too_large"))

    def on_part_end(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        elif not self.errors and self.name:
            self.upload.fields.setdefault(self.name, []).append(self.buf.decode("utf-8", "replace"))
            if sum(len(v) for v in self.upload.fields.values()) > MAX_FIELDS:
                self.errors.append(InputError("too many fields"))

    def callbacks(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (
            "on_part_begin", "on_part_data", "on_part_end", "on_header_field", "on_header_value",
            "on_header_end", "on_headers_finished")}

    def check(self) -> None:
        if self.errors:
            raise self.errors[0]

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()
        if self.upload.path is not None:
            self.upload.path.unlink(missing_ok=True)


def _check_request(request: Request, max_bytes: int) -> bytes:
    """The multipart boundary; 415 for another body, 413 for a declared length over the limit."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise UnsupportedMediaType("send multipart/form-data with a file part named 'file'")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + 1_000_000:
        raise PayloadTooLarge(f"the upload is larger than {max_bytes // 1_000_000} MB")
    return bytes(params[b"boundary"])


async def receive(request: Request, folder: Path, max_bytes: int) -> Upload:
    """Parse a multipart/form-data body with one ``file`` part into ``folder``."""
    boundary = _check_request(request, max_bytes)
    folder.mkdir(parents=True, exist_ok=True)
    receiver = _Receiver(folder, max_bytes)
    upload = receiver.upload
    parser = MultipartParser(boundary, receiver.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            receiver.check()
        parser.finalize()
        receiver.check()
        if upload.path is None:
            raise InputError("no file: send it in the part named 'file'", code="no_file")
        if upload.size == 0:
            raise MediaError(f"{upload.file_name}: empty file (0 bytes)", code="empty_file")
    except TalkarchiveError:
        receiver.discard()
        raise
    except Exception:  # a broken body: the multipart parser's own errors
        receiver.discard()
        raise InputError("the multipart body cannot be read", code="bad_multipart") from None
    final = upload.path.with_suffix("")
    upload.path.replace(final)
    upload.path = final
    upload.sha256 = receiver.digest.hexdigest()
    return upload
