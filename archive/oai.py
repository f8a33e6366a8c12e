"""OAI-PMH 2.0 for research libraries: the XML answers (``xml.etree.ElementTree``) and the
catalog queries behind them (the arguments, dates and tokens: :mod:`archive.oai_requests`).

Only published, ready talks exist here; an unpublished one is answered like one that never
existed. Deleted talks are tombstones (``deletedRecord`` persistent): identifier and datestamp,
no metadata, no set. Sets are the events (``event:{slug}-{sha1[:8]}`` under the parent set
``event``). Lists are ordered by (datestamp, id), talks and tombstones merged, 100 a page; a
resumption token is the base64url of the list's arguments and the last position (keyset
paging: nothing is kept on the server, and a token never expires). The web layer only passes
the arguments and where the endpoint is (:class:`Where`); every answer, error or not, is XML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any
from urllib.parse import quote

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from . import catalog as cat
from .clock import now
from .oai_requests import (
    Harvest,
    OaiError,
    arguments,
    bad,
    bounds,
    clean,
    decode_token,
    encode_token,
    stamp,
)

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PREFIX = "oai_dc"
PAGE_SIZE = 100
EPOCH = dt.datetime(1970, 1, 1)
PARENT_SET = "event"

# ElementTree's prefixes are process-wide: the OAI namespace is the default one, as in the spec
for _prefix, _uri in (("", OAI_NS), ("oai_dc", OAI_DC_NS), ("dc", DC_NS), ("xsi", XSI_NS)):
    ET.register_namespace(_prefix, _uri)

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


@dataclass(frozen=True)
class Where:
    """Where the endpoint is: its URL, the site's (for talk pages), the host (in identifiers)."""

    base_url: str
    site_url: str
    host: str


def identifier(where: Where, talk_id: str) -> str:
    return f"oai:{where.host}:{talk_id}"


def set_spec(event: str) -> str:
    """The event's setSpec: stable (sha1 of the name), unique, in the spec's setSpec syntax."""
    ascii_name = unicodedata.normalize("NFKD", event.translate(_UMLAUTS)).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.decode().lower()).strip("-")[:60].strip("-")
    digest = hashlib.sha1(event.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return f"{PARENT_SET}:{slug}-{digest}" if slug else f"{PARENT_SET}:{digest}"


def _q(name: str, ns: str = OAI_NS) -> str:
    return f"{{{ns}}}{name}"


def _sub(parent: ET.Element, name: str, text: str | None = None, ns: str = OAI_NS,
         **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _q(name, ns), {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = clean(text)
    return element


def _fields(parent: ET.Element, **children: str) -> ET.Element:
    for name, text in children.items():
        _sub(parent, name, text)
    return parent


_VISIBLE = (cat.Talk.published.is_(True), cat.Talk.status == cat.TalkStatus.READY.value)
# a talk visible again (re-ingested, published again) hides its tombstone
_UNSHADOWED = cat.DeletedTalk.id.not_in(select(cat.Talk.id).where(*_VISIBLE))


def _events(session: Session) -> list[str]:
    query = (select(cat.Talk.event).where(*_VISIBLE, cat.Talk.event.is_not(None),
                                          cat.Talk.event != "").distinct().order_by(cat.Talk.event))
    return [e for e in session.scalars(query) if e]


def _item(session: Session, where: Where, ident: str) -> cat.Talk | cat.DeletedTalk:
    """The published talk or tombstone of an identifier, or idDoesNotExist."""
    prefix = identifier(where, "")
    talk_id = ident[len(prefix):] if ident.startswith(prefix) and len(ident) - len(prefix) <= 64 else ""
    talk = session.get(cat.Talk, talk_id) if talk_id else None
    if talk is not None and talk.published and talk.status == cat.TalkStatus.READY:
        return talk
    gone = session.get(cat.DeletedTalk, talk_id) if talk_id else None
    if gone is not None:
        return gone
    raise OaiError(("idDoesNotExist", f"no item {ident[:40]!r} in this repository"))


def _set_filter(session: Session, spec: str | None) -> list[ColumnElement[bool]] | None:
    """The talks of a set (None: no set asked for, tombstones too), or noRecordsMatch."""
    if spec is None:
        return None
    if spec == PARENT_SET:
        return [cat.Talk.event.is_not(None), cat.Talk.event != ""]
    for event in _events(session):
        if set_spec(event) == spec:
            return [cat.Talk.event == event]
    raise OaiError(("noRecordsMatch", f"there is no set {spec[:40]!r}"))


def _page(session: Session, harvest: Harvest) -> tuple[int, list[Any], dict[str, cat.Talk]]:
    """The size of the whole list, this page's rows (datestamp, id, gone) and one more if the
    list goes on, and the talks among them."""
    lower, upper = bounds(harvest)
    in_set = _set_filter(session, harvest.set)
    talks = select(cat.Talk.updated_at.label("ds"), cat.Talk.id.label("id"),
                   literal(False).label("gone")).where(*_VISIBLE, *(in_set or []))
    stream = talks.subquery() if in_set is not None else union_all(
        talks, select(cat.DeletedTalk.deleted_at, cat.DeletedTalk.id,
                      literal(True)).where(_UNSHADOWED)).subquery()
    where: list[ColumnElement[bool]] = []
    if lower is not None:
        where.append(stream.c.ds >= lower)
    if upper is not None:
        where.append(stream.c.ds < upper)
    total = session.scalar(select(func.count()).select_from(stream).where(*where)) or 0
    if harvest.after is not None:
        last, last_id = harvest.after
        where.append(or_(stream.c.ds > last, and_(stream.c.ds == last, stream.c.id > last_id)))
    rows = list(session.execute(select(stream.c.ds, stream.c.id, stream.c.gone).where(*where)
                                .order_by(stream.c.ds, stream.c.id).limit(PAGE_SIZE + 1)))
    ids = [row.id for row in rows[:PAGE_SIZE] if not row.gone]
    found = session.scalars(select(cat.Talk).where(cat.Talk.id.in_(ids))).all() if ids else []
    return total, rows, {t.id: t for t in found}


def earliest_datestamp(session: Session) -> dt.datetime:
    talks = session.scalar(select(func.min(cat.Talk.updated_at)).where(*_VISIBLE))
    gone = session.scalar(select(func.min(cat.DeletedTalk.deleted_at)).where(_UNSHADOWED))
    return min([d for d in (talks, gone) if d is not None], default=EPOCH)


def _header(parent: ET.Element, where: Where, item: cat.Talk | cat.DeletedTalk) -> None:
    """A talk's header, or a tombstone's: status deleted, identifier and datestamp only."""
    talk = item if isinstance(item, cat.Talk) else None
    header = _sub(parent, "header", **({} if talk else {"status": "deleted"}))
    when = item.updated_at if isinstance(item, cat.Talk) else item.deleted_at
    _fields(header, identifier=identifier(where, item.id), datestamp=stamp(when))
    if talk and talk.event:
        _sub(header, "setSpec", set_spec(talk.event))


def dublin_core(talk: cat.Talk, where: Where) -> ET.Element:
    """The talk as ``oai_dc:dc`` (simple Dublin Core)."""
    data = talk.public_dict()
    dc = ET.Element(_q("dc", OAI_DC_NS), {_q("schemaLocation", XSI_NS): f"{OAI_DC_NS} {OAI_DC_SCHEMA}"})
    creators = dict.fromkeys([*data["speakers"], *data["speaker_names"].values()])
    video = data["has_video"]
    for tag, value in (("title", data["title"]), *(("creator", name) for name in creators),
                       ("description", data["description"]), ("publisher", "talkarchive"),
                       ("date", data["date"] or data["year"]),
                       ("type", "MovingImage" if video else "Sound"),
                       ("format", "video/mp4" if video else "audio/mp4"),
                       ("identifier", f"{where.site_url}/talks/{quote(talk.id, safe='')}"),
                       ("language", data["language"]), ("coverage", data["town"]),
                       ("relation", data["event"]), ("rights", data["licence"]["url"]),
                       ("rights", data["licence"]["name"])):
        if value not in (None, ""):
            _sub(dc, tag, str(value), ns=DC_NS)
    return dc


def _record(parent: ET.Element, where: Where, item: cat.Talk | cat.DeletedTalk) -> None:
    record = _sub(parent, "record")
    _header(record, where, item)
    if isinstance(item, cat.Talk):
        _sub(record, "metadata").append(dublin_core(item, where))


def _identify(session: Session, _args: dict[str, str], where: Where) -> ET.Element:
    return _fields(ET.Element(_q("Identify")), repositoryName="talkarchive", baseURL=where.base_url,
                   protocolVersion="2.0", adminEmail=f"webmaster@{where.host}",
                   earliestDatestamp=stamp(earliest_datestamp(session)),
                   deletedRecord="persistent", granularity="YYYY-MM-DDThh:mm:ssZ")


def _metadata_formats(session: Session, args: dict[str, str], where: Where) -> ET.Element:
    if "identifier" in args:
        _item(session, where, args["identifier"])  # every item (a tombstone too) is oai_dc
    element = ET.Element(_q("ListMetadataFormats"))
    _fields(_sub(element, "metadataFormat"), metadataPrefix=PREFIX, schema=OAI_DC_SCHEMA,
            metadataNamespace=OAI_DC_NS)
    return element


def _sets(session: Session, args: dict[str, str], _where: Where) -> ET.Element:
    if "resumptionToken" in args:
        raise OaiError(("badResumptionToken", "the list of sets comes whole; it has no tokens"))
    events = _events(session)
    if not events:
        raise OaiError(("noSetHierarchy", "no published talk belongs to an event yet"))
    element = ET.Element(_q("ListSets"))
    for spec, name in [(PARENT_SET, "Events"), *((set_spec(e), e) for e in events)]:
        _fields(_sub(element, "set"), setSpec=spec, setName=name)
    return element


def _get_record(session: Session, args: dict[str, str], where: Where) -> ET.Element:
    if args["metadataPrefix"] != PREFIX:
        raise OaiError(("cannotDisseminateFormat", f"only {PREFIX} is offered"))
    element = ET.Element(_q("GetRecord"))
    _record(element, where, _item(session, where, args["identifier"]))
    return element


def _list(session: Session, args: dict[str, str], where: Where, *, records: bool) -> ET.Element:
    if "resumptionToken" in args:
        harvest = decode_token(args["resumptionToken"])
    else:
        harvest = Harvest(args["metadataPrefix"], args.get("set"), args.get("from"), args.get("until"))
        bounds(harvest)  # badArgument comes before the other errors
    if harvest.prefix != PREFIX:
        raise OaiError(("cannotDisseminateFormat", f"only {PREFIX} is offered"))
    total, rows, talks = _page(session, harvest)
    if not rows:
        raise OaiError(("noRecordsMatch", "no record matches these arguments"))
    element = ET.Element(_q("ListRecords" if records else "ListIdentifiers"))
    for row in rows[:PAGE_SIZE]:
        item = cat.DeletedTalk(id=row.id, deleted_at=row.ds) if row.gone else talks.get(row.id)
        if item is not None:
            (_record if records else _header)(element, where, item)
    if len(rows) > PAGE_SIZE or harvest.after is not None:
        last = rows[min(len(rows), PAGE_SIZE) - 1]
        following = replace(harvest, after=(last.ds, last.id), cursor=harvest.cursor + PAGE_SIZE)
        token = encode_token(following) if len(rows) > PAGE_SIZE else ""
        _sub(element, "resumptionToken", token, completeListSize=str(total),
             cursor=str(harvest.cursor))
    return element


_Answer = Callable[[Session, dict[str, str], Where], ET.Element]
VERBS: dict[str, _Answer] = {
    "Identify": _identify,
    "ListMetadataFormats": _metadata_formats,
    "ListSets": _sets,
    "GetRecord": _get_record,
    "ListIdentifiers": partial(_list, records=False),
    "ListRecords": partial(_list, records=True),
}


def _envelope(where: Where, at: dt.datetime | None) -> tuple[ET.Element, ET.Element]:
    root = ET.Element(_q("OAI-PMH"), {_q("schemaLocation", XSI_NS): f"{OAI_NS} {OAI_SCHEMA}"})
    _sub(root, "responseDate", stamp(at or now()))
    return root, _sub(root, "request", where.base_url)


def _render(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode()


def _errors(root: ET.Element, request: ET.Element, exc: OaiError) -> bytes:
    if any(code in ("badVerb", "badArgument") for code, _ in exc.errors):
        request.attrib.clear()  # the spec: echo the arguments only when they are valid
    for code, message in exc.errors:
        _sub(root, "error", message, code=code)
    return _render(root)


def respond(catalog: cat.Catalog, params: Iterable[tuple[str, str]], where: Where,
            at: dt.datetime | None = None) -> bytes:
    """The whole answer (UTF-8 XML) to one OAI-PMH request with these arguments."""
    root, request = _envelope(where, at)
    try:
        verb, args = arguments(params)
        request.set("verb", verb)
        for key, value in args.items():
            request.set(key, value)
        with catalog.session() as session:
            root.append(VERBS[verb](session, args, where))
    except OaiError as exc:
        return _errors(root, request, exc)
    return _render(root)


def refuse(where: Where, message: str, at: dt.datetime | None = None) -> bytes:
    """A badArgument answer for a request whose arguments could not even be read."""
    root, request = _envelope(where, at)
    return _errors(root, request, bad(message))
