"""A German CSV agenda ("Tagesordnung"), one slot a row:

    Datum;Beginn;Dauer;Titel;Raum;Vortragende
    18.09.2025;09:30;00:45;Begrüßung und Keynote;Saal A;Anna Becker, Jonas Weber

``Datum`` is ``18.09.2025`` (or ``2025-09-18``), ``Beginn`` ``09:30`` (``9.30 Uhr`` too),
``Dauer`` ``00:45`` or minutes (``45``), ``Vortragende`` names separated by commas. Optional
columns: ``Beschreibung``, ``Track``, ``Typ``, ``Sprache``, ``Lizenz``, ``Aufzeichnung`` (``nein``:
the speakers opted out) and ``Kennung`` (a stable id of the row). Column names are matched
without regard to case; the separator is whichever of ``;``, tab or ``,`` the header line uses
most; the text is UTF-8 (a byte-order mark is fine) or else Windows-1252, as Excel writes it.

The agenda names no event: the importer gives its slug (and title, time zone, place). Times are
in that time zone (default Europe/Berlin).

A row's guid is ``uuid5`` of the event slug, the date, the start and the room (case and spaces
folded), so fixing a typo in a title or a name updates that slot (and keeps staff edits); a
slot moved to another time or room counts as removed and new. With a ``Kennung`` column the
guid comes from the event slug and that id alone, and a row may move without losing its slot.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from zoneinfo import ZoneInfo

from .model import (
    DEFAULT_TIMEZONE,
    Day,
    EventInfo,
    Options,
    Programme,
    ProgrammeError,
    Slot,
    check_slug,
    duration,
    finish,
    persons,
    required,
    text,
    zone,
)

NAMESPACE = uuid.UUID("6f1c2b8e-5d1a-4a8e-9a57-3c1f0e2d7b40")  # fixed for ever: guids depend on it
COLUMNS = {"datum": "date", "beginn": "start", "dauer": "duration", "titel": "title",
           "raum": "room", "vortragende": "persons"}
OPTIONAL = {"beschreibung": "abstract", "track": "track", "typ": "type", "sprache": "language",
            "lizenz": "licence", "aufzeichnung": "recording", "kennung": "key"}
_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:\s*Uhr)?$", re.IGNORECASE)
_YES = ("", "ja", "yes", "true", "1")
_NO = ("nein", "no", "false", "0")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise ProgrammeError("not text: neither UTF-8 nor Windows-1252") from None


def _header(cells: list[str]) -> list[str]:
    names = [cell.strip().casefold() for cell in cells]
    known = {**COLUMNS, **OPTIONAL}
    for cell, name in zip(cells, names, strict=True):
        if name not in known:
            raise ProgrammeError(f"line 1: unknown column {cell.strip()!r} (known: "
                                 f"{', '.join(n.title() for n in known)})")
        if names.count(name) > 1:
            raise ProgrammeError(f"line 1: column {cell.strip()!r} twice")
    missing = [n.title() for n in COLUMNS if n not in names]
    if missing:
        raise ProgrammeError(f"line 1: missing column(s) {', '.join(missing)}")
    return [known[name] for name in names]


def _date(value: str, where: str) -> dt.date:
    value = value.strip()
    german = _DATE.match(value)
    try:
        if german:
            return dt.date(int(german[3]), int(german[2]), int(german[1]))
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ProgrammeError(f"{where}: Datum {value!r} is not a date (18.09.2025)") from None


def _time(value: str, where: str) -> dt.time:
    found = _TIME.match(value.strip())
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        raise ProgrammeError(f"{where}: Beginn {value.strip()!r} is not a time (09:30)")
    return dt.time(int(found[1]), int(found[2]))


def _minutes(value: str, where: str) -> int:
    value = value.strip()
    if value.isdigit() and int(value) > 0:
        return int(value) * 60
    try:
        return duration(value, where)
    except ProgrammeError:
        raise ProgrammeError(f"{where}: Dauer {value!r} is not HH:MM or minutes") from None


def _opted_out(value: str, where: str) -> bool:
    value = value.strip().casefold()
    if value not in _YES + _NO:
        raise ProgrammeError(f"{where}: Aufzeichnung {value!r} is not ja or nein")
    return value in _NO


def _guid(slug: str, record: dict[str, str], day: dt.date, start: dt.time, room: str) -> str:
    key = record.get("key", "").strip()
    name = f"{slug}/id/{key}" if key else \
        f"{slug}/{day.isoformat()}/{start:%H:%M}/{' '.join(room.casefold().split())}"
    return str(uuid.uuid5(NAMESPACE, name))


def _slot(record: dict[str, str], slug: str, tz: ZoneInfo, where: str) -> Slot:
    day, start = _date(record["date"], where), _time(record["start"], where)
    room = required(text(record["room"], "room", where), "Raum", where)
    return Slot(
        guid=_guid(slug, record, day, start, room), day=day.isoformat(), room=room,
        start=dt.datetime.combine(day, start, tzinfo=tz),
        duration=_minutes(record["duration"], where),
        title=required(text(record["title"], "title", where), "Titel", where),
        persons=persons(record["persons"].split(","), where),
        abstract=text(record.get("abstract"), "abstract", where),
        track=text(record.get("track"), "track", where),
        type=text(record.get("type"), "type", where),
        language=text(record.get("language"), "language", where),
        licence=text(record.get("licence"), "licence", where),
        do_not_record=_opted_out(record.get("recording", ""), where), where=where)


def _rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header's field names and each non-empty row with the line it starts on."""
    content = _decode(data)
    first = content.split("\n", 1)[0]
    delimiter = max(";\t,", key=first.count) if any(d in first for d in ";\t,") else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = _header(next(reader, []))
        line = reader.line_num
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line + 1, row))
            line = reader.line_num
    except csv.Error as exc:
        raise ProgrammeError(f"line {reader.line_num}: {exc}") from None
    return header, rows


def read_csv(data: bytes, options: Options) -> Programme:
    if not options.event_slug:
        raise ProgrammeError("a CSV agenda names no event: give its slug (--event-slug, or the "
                             "form field event_slug)")
    slug = check_slug(options.event_slug, "event")
    tzname = options.timezone or DEFAULT_TIMEZONE
    tz = zone(tzname)
    header, rows = _rows(data)
    slots: list[Slot] = []
    lines: dict[str, str] = {}
    for line, row in rows:
        where = f"line {line}"
        if len(row) != len(header):
            raise ProgrammeError(f"{where}: {len(row)} fields, the header has {len(header)}")
        slot = _slot(dict(zip(header, row, strict=True)), slug, tz, where)
        if slot.guid in lines:
            raise ProgrammeError(f"{where}: the same Datum, Beginn and Raum (or Kennung) as "
                                 f"{lines[slot.guid]}")
        lines[slot.guid] = where
        slots.append(slot)
    if not slots:
        raise ProgrammeError("line 2: no slots (the agenda has only a header)")
    dates = sorted({s.day for s in slots})
    days = [Day(n, date) for n, date in enumerate(dates, 1)]
    event = EventInfo(slug, options.event_title, dates[0], dates[-1], tzname, options.place)
    return finish("csv", event, days, slots, options)
