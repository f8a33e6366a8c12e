"""Files over HTTP with single byte ranges, ETags and cache headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from ingest.errors import NotFound, TalkarchiveError

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(TalkarchiveError):
    code = "range_not_satisfiable"
    status = 416


def _read(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        f.seek(start)
        while length > 0:
            block = f.read(min(CHUNK, length))
            if not block:
                return
            length -= len(block)
            yield block


def etag_for(path: Path) -> str:
    st = path.stat()
    return f'"{st.st_size:x}-{int(st.st_mtime_ns):x}"'


def file_response(request: Request, path: Path, media_type: str, *,
                  cache: str = "public, max-age=3600",
                  extra: dict[str, str] | None = None) -> Response:
    """200, 206 for one satisfiable range, 304 on a matching If-None-Match, 416 otherwise."""
    if not path.is_file():
        raise NotFound("the file of this talk is missing")
    size = path.stat().st_size
    headers = {"Accept-Ranges": "bytes", "ETag": etag_for(path), "Cache-Control": cache,
               **(extra or {})}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    spec = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if spec and (if_range is None or if_range == headers["ETag"]):
        match = _RANGE.match(spec.strip())
        if match and (match.group(1) or match.group(2)):
            first, last = match.group(1), match.group(2)
            if first:
                start = int(first)
                end = min(int(last), size - 1) if last else size - 1
            else:
                start, end = max(0, size - int(last)), size - 1
            if start >= size or end < start:
                exc = RangeNotSatisfiable(f"range {spec} is outside the file ({size} bytes)")
                exc.headers["Content-Range"] = f"bytes */{size}"
                raise exc
            length = end - start + 1
            headers.update({"Content-Range": f"bytes {start}-{end}/{size}",
                            "Content-Length": str(length)})
            return StreamingResponse(_read(path, start, length), status_code=206,
                                     media_type=media_type, headers=headers)
        # several ranges or an unreadable header: RFC 9110 lets us send the whole file
    headers["Content-Length"] = str(size)
    return StreamingResponse(_read(path, 0, size), media_type=media_type, headers=headers)
