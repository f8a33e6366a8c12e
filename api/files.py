"""Files over HTTP: Starlette's ``FileResponse`` (byte ranges, multipart ranges, If-Range,
HEAD, sendfile), wrapped for what it lacks here: the JSON error shape for 404 and 416, our
ETag (size and mtime in nanoseconds) with 304 on If-None-Match, and the cache headers."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, Response
from starlette.responses import MalformedRangeHeader
from starlette.responses import RangeNotSatisfiable as _Unsatisfiable

from archive.errors import NotFound, TalkarchiveError

MAX_RANGE = 1024
_NUMBER = re.compile(r"\d+")


class RangeNotSatisfiable(TalkarchiveError):
    code = "range_not_satisfiable"
    status = 416


class _FileResponse(FileResponse):
    @classmethod
    def _parse_range_header(cls, http_range: str, file_size: int) -> list[tuple[int, int]]:
        # RFC 9110 14.2: a server may ignore a Range header it cannot read and send the whole file
        try:
            return super()._parse_range_header(http_range, file_size)
        except MalformedRangeHeader:
            return []


def etag_for(path: Path) -> str:
    st = path.stat()
    return f'"{st.st_size:x}-{int(st.st_mtime_ns):x}"'


def _check_range(request: Request, size: int, etag: str) -> None:
    """Raise the JSON 416 for a range that starts past the end (Starlette answers it in text),
    and for one with a number of more than 19 digits (no file is that large; 5,000 digits were
    a 500, as Python refuses to read an int of over 4,300) or over 1 KiB in all."""
    spec = request.headers.get("range")
    if spec and (len(spec) > MAX_RANGE or any(len(n) > 19 for n in _NUMBER.findall(spec))):
        exc = RangeNotSatisfiable(f"range {spec[:40]}… is too long for a file of {size} bytes")
        exc.headers["Content-Range"] = f"bytes */{size}"
        raise exc
    if_range = request.headers.get("if-range")
    if not spec or (if_range is not None and if_range != etag):
        return
    try:
        FileResponse._parse_range_header(spec, size)
    except MalformedRangeHeader:
        return
    except _Unsatisfiable:
        exc = RangeNotSatisfiable(f"range {spec[:100]} is outside the file ({size} bytes)")
        exc.headers["Content-Range"] = f"bytes */{size}"
        raise exc from None


def file_response(request: Request, path: Path, media_type: str, *,
                  cache: str = "public, max-age=3600",
                  extra: dict[str, str] | None = None) -> Response:
    """200, 206 for satisfiable ranges, 304 on a matching If-None-Match, JSON 404/416."""
    if not path.is_file():
        raise NotFound("the file of this talk is missing")
    etag = etag_for(path)
    headers = {"ETag": etag, "Cache-Control": cache, **(extra or {})}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    _check_range(request, path.stat().st_size, etag)
    return _FileResponse(path, media_type=media_type, headers=headers)
