"""Which reader a programme file needs, told by its content (``<``: schedule.xml, ``{``:
schedule JSON, anything else: a CSV agenda), and one error that names the file."""

from __future__ import annotations

from collections.abc import Callable

from .agenda_csv import read_csv
from .model import Options, Programme, ProgrammeError
from .schedule_json import read_json
from .schedule_xml import read_xml

MAX_BYTES = 20_000_000  # the largest congress schedule.xml is a few MB
READERS: dict[str, Callable[[bytes, Options], Programme]] = {
    "schedule.xml": read_xml, "schedule.json": read_json, "csv": read_csv}


def kind_of(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "schedule.xml"
    if head.startswith((b"{", b"[")):
        return "schedule.json"
    return "csv"


def read_programme(data: bytes, name: str, options: Options | None = None) -> Programme:
    """The programme in ``data`` (a file called ``name``); :class:`ProgrammeError` names the
    file and the element, JSON path or line that is wrong."""
    try:
        if not data.strip():
            raise ProgrammeError("empty file")
        if len(data) > MAX_BYTES:
            raise ProgrammeError(f"larger than {MAX_BYTES // 1_000_000} MB")
        return READERS[kind_of(data)](data, options or Options())
    except ProgrammeError as exc:
        raise ProgrammeError(f"{name}: {exc.message}") from None
