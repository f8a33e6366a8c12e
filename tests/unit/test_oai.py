"""OAI-PMH 2.0 at /oai in-process (TestClient on a temporary archive): every verb and every
error, the oai_dc payload and its namespaces, paging with resumption tokens over more than one
page, sets, from/until, unpublished talks that never appear, tombstones of deleted talks, and
inputs that must not cause a 500. Every answer is parsed with lxml."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from archive import catalog as cat
from archive import edits, oai, oai_requests
from archive.settings import Settings

from .fakes import FakeSearch, add_talk, app_with

# the catalog of each test: SQLite, then a fresh PostgreSQL database
pytestmark = pytest.mark.usefixtures("catalog_url")

NS = {"o": oai.OAI_NS, "oai_dc": oai.OAI_DC_NS, "dc": oai.DC_NS, "xsi": oai.XSI_NS}
BASE = "http://testserver/oai"
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
T0 = dt.datetime(2024, 3, 1, 12, 0, 0)
SMART = "Smart Cities 2025"  # the event of fakes.add_talk


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[tuple[TestClient, cat.Catalog]]:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, _token):
        yield client, catalog


def row(talk_id: str, updated: dt.datetime, **fields: Any) -> cat.Talk:
    values: dict[str, Any] = dict(
        id=talk_id, content_hash=hashlib.sha256(talk_id.encode()).hexdigest(), title=f"Talk {talk_id}",
        event="Bürgerbus 2024", date=None, year=2024, speakers=["Anna Becker"], town="Olpe",
        language="de", duration=60.0, status="ready", published=True, original_name="a.mp4",
        original_path="/nowhere/a.mp4", media_path="/nowhere/a.mp4", poster_path=None,
        has_video=True, segment_count=1, created_at=updated, updated_at=updated)
    values.update(fields)
    return cat.Talk(**values)


def insert(catalog: cat.Catalog, *rows: cat.Talk | cat.DeletedTalk) -> None:
    with catalog.session() as s:
        s.add_all(rows)


def ask(client: TestClient, method: str = "GET", **params: str) -> etree._Element:
    """One request; checks what every answer has and returns the parsed document."""
    r = (client.get("/oai", params=params) if method == "GET"
         else client.post("/oai", data=params))
    assert r.status_code == 200 and r.headers["content-type"] == "text/xml; charset=utf-8"
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = etree.fromstring(r.content)
    assert root.tag == f"{{{oai.OAI_NS}}}OAI-PMH"
    assert root.get(f"{{{oai.XSI_NS}}}schemaLocation") == f"{oai.OAI_NS} {oai.OAI_SCHEMA}"
    assert STAMP.fullmatch(root.findtext("o:responseDate", namespaces=NS) or "")
    assert root.findtext("o:request", namespaces=NS) == BASE
    return root


def errors(root: etree._Element) -> list[str]:
    return [e.get("code") for e in root.findall("o:error", NS)]


def echoed(root: etree._Element) -> dict[str, str]:
    return dict(root.find("o:request", NS).attrib)


def idents(root: etree._Element) -> list[str]:
    return [h.findtext("o:identifier", namespaces=NS) for h in root.iter(f"{{{oai.OAI_NS}}}header")]


def harvest(client: TestClient, verb: str, **params: str) -> tuple[list[etree._Element], list[dict[str, str]]]:
    """Every page of a list, following resumption tokens: the pages and their token attributes."""
    pages, tokens = [], []
    args = {"verb": verb, **params}
    while True:
        root = ask(client, **args)
        assert errors(root) == [], etree.tostring(root)
        pages.append(root)
        token = root.find(f"o:{verb}/o:resumptionToken", NS)
        if token is None:
            return pages, tokens
        tokens.append({**token.attrib, "text": token.text or ""})
        if not token.text:
            return pages, tokens
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token.text)  # URL-safe as it is
        args = {"verb": verb, "resumptionToken": token.text}


def test_identify_by_get_and_post(archive: tuple[TestClient, cat.Catalog]) -> None:
    client, catalog = archive
    empty = ask(client, verb="Identify")
    assert empty.findtext("o:Identify/o:earliestDatestamp", namespaces=NS) == "1970-01-01T00:00:00Z"
    insert(catalog, row("a", T0), row("hidden", T0 - dt.timedelta(days=900), published=False),
           cat.DeletedTalk(id="gone", deleted_at=T0 - dt.timedelta(days=10, microseconds=1)))
    for method in ("GET", "POST"):
        root = ask(client, method, verb="Identify")
        assert echoed(root) == {"verb": "Identify"} and errors(root) == []
        fields = {e.tag.split("}")[1]: e.text for e in root.find("o:Identify", NS)}
        assert fields == {
            "repositoryName": "talkarchive", "baseURL": BASE, "protocolVersion": "2.0",
            "adminEmail": "webmaster@testserver", "earliestDatestamp": "2024-02-20T11:59:59Z",
            "deletedRecord": "persistent", "granularity": "YYYY-MM-DDThh:mm:ssZ"}


def test_list_metadata_formats(archive: tuple[TestClient, cat.Catalog]) -> None:
    client, catalog = archive
    insert(catalog, row("a", T0), row("hidden", T0, published=False),
           cat.DeletedTalk(id="gone", deleted_at=T0))
    for extra in ({}, {"identifier": "oai:testserver:a"}, {"identifier": "oai:testserver:gone"}):
        root = ask(client, verb="ListMetadataFormats", **extra)
        assert errors(root) == [] and echoed(root) == {"verb": "ListMetadataFormats", **extra}
        fmt = root.find("o:ListMetadataFormats/o:metadataFormat", NS)
        assert [(e.tag.split("}")[1], e.text) for e in fmt] == [
            ("metadataPrefix", "oai_dc"), ("schema", oai.OAI_DC_SCHEMA),
            ("metadataNamespace", oai.OAI_DC_NS)]
    for missing in ("oai:testserver:hidden", "oai:testserver:nope", "oai:elsewhere.org:a", "a"):
        root = ask(client, verb="ListMetadataFormats", identifier=missing)
        assert errors(root) == ["idDoesNotExist"]
        assert echoed(root) == {"verb": "ListMetadataFormats", "identifier": missing}


def test_sets_are_the_events_of_published_talks(archive: tuple[TestClient, cat.Catalog]) -> None:
    client, catalog = archive
    assert errors(ask(client, verb="ListSets")) == ["noSetHierarchy"]
    insert(catalog, row("a", T0, event="Bürgerbus 2024"), row("b", T0, event="Smart Cities / Süd"),
           row("c", T0, event="Smart Cities – Süd"), row("d", T0, event=None),
           row("e", T0, event="Geheimtreffen", published=False))
    root = ask(client, verb="ListSets")
    sets = {s.findtext("o:setSpec", namespaces=NS): s.findtext("o:setName", namespaces=NS)
            for s in root.findall("o:ListSets/o:set", NS)}
    digest = hashlib.sha1(b"Smart Cities / S\xc3\xbcd").hexdigest()[:8]
    assert sets == {"event": "Events", oai.set_spec("Bürgerbus 2024"): "Bürgerbus 2024",
                    f"event:smart-cities-sued-{digest}": "Smart Cities / Süd",
                    oai.set_spec("Smart Cities – Süd"): "Smart Cities – Süd"}
    assert len(set(sets)) == 4  # two events with one slug still have their own setSpec
    for spec in sets:
        assert re.fullmatch(r"([A-Za-z0-9\-_.!~*'()])+(:[A-Za-z0-9\-_.!~*'()]+)*", spec)
    assert oai.set_spec("東京") == f"event:{hashlib.sha1('東京'.encode()).hexdigest()[:8]}"
    assert oai.set_spec("Bürgerbus 2024").startswith("event:buergerbus-2024-")
    token = ask(client, verb="ListSets", resumptionToken="abc")
    assert errors(token) == ["badResumptionToken"]


def test_get_record_in_oai_dc(archive: tuple[TestClient, cat.Catalog], tmp_path: Path) -> None:
    client, catalog = archive
    talk = add_talk(catalog, tmp_path, "t1")
    with catalog.session() as s:
        t = s.get(cat.Talk, "t1")
        assert t is not None
        t.description, t.speaker_names = "Wie <Bürger> & Ämter\x0b", {"S1": "Jonas Weber", "S2": "Eva Roth"}
    talk = catalog.get("t1") or talk
    root = ask(client, verb="GetRecord", identifier="oai:testserver:t1", metadataPrefix="oai_dc")
    assert echoed(root) == {"verb": "GetRecord", "identifier": "oai:testserver:t1", "metadataPrefix": "oai_dc"}
    record = root.find("o:GetRecord/o:record", NS)
    header = record.find("o:header", NS)
    assert header.get("status") is None
    assert [(e.tag.split("}")[1], e.text) for e in header] == [
        ("identifier", "oai:testserver:t1"), ("datestamp", talk.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("setSpec", oai.set_spec(SMART))]
    metadata = record.find("o:metadata", NS)
    assert len(metadata) == 1
    dc = metadata[0]
    assert dc.tag == f"{{{oai.OAI_DC_NS}}}dc"
    assert dc.get(f"{{{oai.XSI_NS}}}schemaLocation") == f"{oai.OAI_DC_NS} {oai.OAI_DC_SCHEMA}"
    assert dc.nsmap["oai_dc"] == oai.OAI_DC_NS and dc.nsmap["dc"] == oai.DC_NS
    assert all(etree.QName(e).namespace == oai.DC_NS and e.prefix == "dc" for e in dc)
    fields = [(etree.QName(e).localname, e.text) for e in dc]
    assert fields == [
        ("title", "Das digitale Rathaus"), ("creator", "Jonas Weber"), ("creator", "Eva Roth"),
        ("description", "Wie <Bürger> & Ämter"), ("publisher", "talkarchive"), ("date", "2025-09-18"),
        ("type", "MovingImage"), ("format", "video/mp4"), ("identifier", "http://testserver/talks/t1"),
        ("language", "de"), ("coverage", "Soest"), ("relation", SMART),
        ("rights", "https://creativecommons.org/licenses/by/4.0/"), ("rights", "CC BY 4.0")]


def test_audio_talk_without_a_date_or_event(archive: tuple[TestClient, cat.Catalog]) -> None:
    client, catalog = archive
    insert(catalog, row("au", T0, has_video=False, date=None, year=2019, event=None, town=None,
                        licence="LicenseRef-all-rights-reserved"))
    root = ask(client, verb="GetRecord", identifier="oai:testserver:au", metadataPrefix="oai_dc")
    assert root.find("o:GetRecord/o:record/o:header/o:setSpec", NS) is None
    dc = root.find("o:GetRecord/o:record/o:metadata/oai_dc:dc", NS)
    fields = {(etree.QName(e).localname, e.text) for e in dc}
    assert {("type", "Sound"), ("format", "audio/mp4"), ("date", "2019"),
            ("rights", "Alle Rechte vorbehalten")} <= fields
    assert not {name for name, _ in fields} & {"coverage", "relation", "description"}


def test_unpublished_talks_never_appear(archive: tuple[TestClient, cat.Catalog]) -> None:
    client, catalog = archive
    insert(catalog, row("pub", T0), row("hid", T0, published=False, event="Geheim"),
           row("never", T0, published=False, event="Geheim"),
           cat.DeletedTalk(id="hid", deleted_at=T0))  # unpublished after it was harvested
    for verb in ("ListIdentifiers", "ListRecords"):
        pages, _ = harvest(client, verb, metadataPrefix="oai_dc")
        headers = list(pages[0].iter(f"{{{oai.OAI_NS}}}header"))
        assert idents(pages[0]) == ["oai:testserver:hid", "oai:testserver:pub"]
        hid = headers[0]
        assert hid.get("status") == "deleted"  # harvesters learn it is gone; nothing about it
        assert [etree.QName(e).localname for e in hid] == ["identifier", "datestamp"]
    root = ask(client, verb="GetRecord", identifier="oai:testserver:hid", metadataPrefix="oai_dc")
    assert root.find("o:GetRecord/o:record/o:header", NS).get("status") == "deleted"
    assert root.find("o:GetRecord/o:record/o:metadata", NS) is None
    never = ask(client, verb="GetRecord", identifier="oai:testserver:never", metadataPrefix="oai_dc")
    assert errors(never) == ["idDoesNotExist"] and never.find("o:GetRecord", NS) is None
    assert oai.set_spec("Geheim") not in etree.tostring(ask(client, verb="ListSets")).decode()
    geheim = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=oai.set_spec("Geheim"))
    assert errors(geheim) == ["noRecordsMatch"]


def test_deleted_talks_are_tombstones(archive: tuple[TestClient, cat.Catalog], tmp_path: Path) -> None:
    client, catalog = archive
    add_talk(catalog, tmp_path, "t1")
    add_talk(catalog, tmp_path, "t2")
    edits.delete(Settings(data_dir=tmp_path), catalog, "t1")  # the GDPR delete writes the tombstone
    gone_at = T0 - dt.timedelta(days=1)
    insert(catalog, cat.DeletedTalk(id="old", deleted_at=gone_at),
           cat.DeletedTalk(id="back", deleted_at=gone_at), row("back", T0))  # re-ingested: the talk wins
    pages, _ = harvest(client, "ListIdentifiers", metadataPrefix="oai_dc")
    headers = {h.findtext("o:identifier", namespaces=NS): h for h in pages[0].iter(f"{{{oai.OAI_NS}}}header")}
    assert set(headers) == {f"oai:testserver:{i}" for i in ("t1", "t2", "old", "back")}
    assert [i for i in headers if headers[i].get("status") == "deleted"] == [
        "oai:testserver:old", "oai:testserver:t1"]  # in datestamp order
    old = headers["oai:testserver:old"]
    assert [etree.QName(e).localname for e in old] == ["identifier", "datestamp"]
    assert old.findtext("o:datestamp", namespaces=NS) == "2024-02-29T12:00:00Z"
    records, _ = harvest(client, "ListRecords", metadataPrefix="oai_dc")
    for record in records[0].findall("o:ListRecords/o:record", NS):
        deleted = record.find("o:header", NS).get("status") == "deleted"
        assert (record.find("o:metadata", NS) is None) == deleted
        assert [etree.QName(e).localname for e in record] == ["header"] + ([] if deleted else ["metadata"])
    root = ask(client, verb="GetRecord", identifier="oai:testserver:t1", metadataPrefix="oai_dc")
    record = root.find("o:GetRecord/o:record", NS)
    assert [etree.QName(e).localname for e in record] == ["header"]
    assert record.find("o:header", NS).get("status") == "deleted"
    assert STAMP.fullmatch(record.findtext("o:header/o:datestamp", namespaces=NS) or "")
    in_set, _ = harvest(client, "ListIdentifiers", metadataPrefix="oai_dc", set=oai.set_spec(SMART))
    assert idents(in_set[0]) == ["oai:testserver:t2"]  # a tombstone belongs to no set
    earliest = ask(client, verb="Identify").findtext("o:Identify/o:earliestDatestamp", namespaces=NS)
    assert earliest == "2024-02-29T12:00:00Z"


def test_paging_with_resumption_tokens(archive: tuple[TestClient, cat.Catalog]) -> None:
    client, catalog = archive
    talks = [row(f"r{i:03d}", T0 + dt.timedelta(seconds=i // 3, microseconds=i % 2),
                 event="Bürgerbus 2024" if i % 2 else "Smart Cities 2025") for i in range(240)]
    gone = [cat.DeletedTalk(id=f"d{i}", deleted_at=T0 + dt.timedelta(seconds=i * 20)) for i in range(5)]
    insert(catalog, *reversed(talks), *gone)
    stream = sorted([(t.updated_at, t.id) for t in talks] + [(d.deleted_at, d.id) for d in gone])
    for verb in ("ListIdentifiers", "ListRecords"):
        pages, tokens = harvest(client, verb, metadataPrefix="oai_dc")
        assert [len(idents(p)) for p in pages] == [100, 100, 45]
        assert [(t["completeListSize"], t["cursor"]) for t in tokens] == [("245", "0"), ("245", "100"),
                                                                          ("245", "200")]
        assert tokens[-1]["text"] == ""  # the last page has an empty token
        assert sum((idents(p) for p in pages), []) == [f"oai:testserver:{i}" for _, i in stream]
    pages, tokens = harvest(client, "ListRecords", metadataPrefix="oai_dc", set=oai.set_spec(SMART))
    got = sum((idents(p) for p in pages), [])
    assert got == [f"oai:testserver:{t.id}" for t in sorted(talks, key=lambda t: (t.updated_at, t.id))
                   if t.event == SMART]
    assert [len(idents(p)) for p in pages] == [100, 20] and tokens[0]["completeListSize"] == "120"
    text = tokens[0]["text"]
    decoded = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    assert decoded["s"] == oai.set_spec(SMART) and decoded["c"] == 100  # opaque to harvesters only
    one, tokens = harvest(client, "ListIdentifiers", metadataPrefix="oai_dc", set="event",
                          until=(T0 + dt.timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert len(idents(one[0])) == 12 and tokens == []  # one complete page needs no token


def test_set_and_date_selection(archive: tuple[TestClient, cat.Catalog]) -> None:
    client, catalog = archive
    insert(catalog, row("jan", dt.datetime(2024, 1, 15, 8, 0, 0, 900000), event="A"),
           row("feb", dt.datetime(2024, 2, 15, 8, 0, 0), event="B"),
           row("mar", dt.datetime(2024, 3, 15, 23, 59, 59, 500000), event="A"),
           row("none", dt.datetime(2024, 2, 1), event=None),
           cat.DeletedTalk(id="del", deleted_at=dt.datetime(2024, 2, 20)))

    def ids(**params: str) -> list[str] | str:
        root = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        return errors(root)[0] if errors(root) else [i.rsplit(":", 1)[1] for i in idents(root)]

    assert ids() == ["jan", "none", "feb", "del", "mar"]
    assert ids(set=oai.set_spec("A")) == ["jan", "mar"]
    assert ids(set="event") == ["jan", "feb", "mar"]
    assert ids(set="event:unknown-00000000") == "noRecordsMatch"
    assert ids(**{"from": "2024-02-01"}) == ["none", "feb", "del", "mar"]
    assert ids(until="2024-02-15") == ["jan", "none", "feb"]  # until a day: all of that day
    assert ids(until="2024-01-15T08:00:00Z") == ["jan"]  # until a second: all of that second
    assert ids(until="2024-01-15T07:59:59Z") == "noRecordsMatch"
    assert ids(**{"from": "2024-03-15T23:59:59Z", "until": "2024-03-15T23:59:59Z"}) == ["mar"]
    assert ids(**{"from": "2024-02-01", "until": "2024-02-20"}, set=oai.set_spec("B")) == ["feb"]
    assert ids(until="9999-12-31") == ["jan", "none", "feb", "del", "mar"]
    assert ids(**{"from": "2025-01-01"}) == "noRecordsMatch"
    root = ask(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2025-01-01"})
    assert echoed(root) == {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-01-01"}


@pytest.mark.parametrize("params", [
    {"from": "2024-03-01", "until": "2024-02-01"},
    {"from": "2024-02-01", "until": "2024-03-01T00:00:00Z"},  # mixed granularity
    {"from": "2024-02-30"}, {"from": "2024-1-1"}, {"until": "yesterday"},
    {"from": "2024-01-01T00:00:00"}, {"from": "2024-01-01T25:00:00Z"}, {"until": "２０２４-01-01"},
    {"set": "two words"}, {"set": "event:"},
])
def test_bad_dates_and_sets_are_bad_arguments(archive: tuple[TestClient, cat.Catalog],
                                              params: dict[str, str]) -> None:
    client, _catalog = archive
    for verb in ("ListIdentifiers", "ListRecords"):
        root = ask(client, verb=verb, metadataPrefix="oai_dc", **params)
        assert errors(root) == ["badArgument"] and echoed(root) == {}  # nothing echoed


@pytest.mark.parametrize(("query", "code"), [
    ("", "badVerb"), ("verb=Nope", "badVerb"), ("verb=Identify&verb=Identify", "badVerb"),
    ("verb=identify", "badVerb"),
    ("verb=Identify&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords", "badArgument"),
    ("verb=GetRecord&identifier=oai:testserver:a", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords&metadataPrefix=", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc", "badArgument"),
    ("verb=ListIdentifiers&resumptionToken=abc&set=event", "badArgument"),
    ("verb=GetRecord&identifier=oai:testserver:a&metadataPrefix=oai_dc&set=x", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=" + "x" * (oai_requests.MAX_VALUE + 1), "badArgument"),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:a%01", "badArgument"),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:a%00", "badArgument"),
])
def test_bad_verbs_and_arguments_echo_nothing(archive: tuple[TestClient, cat.Catalog], query: str,
                                              code: str) -> None:
    client, catalog = archive
    insert(catalog, row("a", T0))
    r = client.get("/oai?" + query)
    root = etree.fromstring(r.content)
    assert r.status_code == 200 and errors(root) and set(errors(root)) == {code}
    assert echoed(root) == {}
    assert len(root) == 2 + len(errors(root))  # responseDate, request, errors: no verb element


def test_errors_that_echo_the_request(archive: tuple[TestClient, cat.Catalog]) -> None:
    client, catalog = archive
    empty = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    root = ask(client, **empty)
    assert errors(root) == ["noRecordsMatch"] and echoed(root) == empty
    insert(catalog, row("a", T0))
    for params in ({"verb": "GetRecord", "identifier": "oai:testserver:a", "metadataPrefix": "marc21"},
                   {"verb": "ListRecords", "metadataPrefix": "marc21"},
                   {"verb": "ListIdentifiers", "metadataPrefix": "mods", "set": "event"}):
        root = ask(client, **params)
        assert errors(root) == ["cannotDisseminateFormat"] and echoed(root) == params
    for params in ({"verb": "GetRecord", "identifier": "oai:testserver:zzz", "metadataPrefix": "oai_dc"},
                   {"verb": "GetRecord", "identifier": "oai:testserver:" + "a" * 900, "metadataPrefix": "oai_dc"}):
        root = ask(client, **params)
        assert errors(root) == ["idDoesNotExist"] and echoed(root) == params


def token_of(data: Any) -> str:
    raw = json.dumps(data).encode() if not isinstance(data, bytes) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


GOOD = {"m": "oai_dc", "s": None, "f": None, "u": None, "d": "2024-03-01T12:00:00", "i": "a", "c": 100}


@pytest.mark.parametrize("token", [
    "!!!", "abc", "a" * 1000, token_of(b"\xff\xfe"), token_of([1, 2]), token_of("text"),
    token_of({**GOOD, "c": -1}), token_of({**GOOD, "c": True}), token_of({**GOOD, "c": "100"}),
    token_of({**GOOD, "d": "yesterday"}), token_of({**GOOD, "d": "2024-03-01T12:00:00+02:00"}),
    token_of({**GOOD, "i": None}), token_of({**GOOD, "i": "x" * 65}), token_of({**GOOD, "f": 5}),
    token_of({**GOOD, "f": "2024-13-01"}), token_of({**GOOD, "f": "2024-03-02", "u": "2024-03-01"}),
    token_of({k: v for k, v in GOOD.items() if k != "m"}), token_of(b"[" * 700),
])
def test_bad_resumption_tokens(archive: tuple[TestClient, cat.Catalog], token: str) -> None:
    client, catalog = archive
    insert(catalog, row("a", T0), row("b", T0))
    root = ask(client, verb="ListRecords", resumptionToken=token)
    assert errors(root) == ["badResumptionToken"]
    assert echoed(root) == {"verb": "ListRecords", "resumptionToken": token}


def test_a_good_token_continues_and_a_foreign_format_is_refused(archive: tuple[TestClient, cat.Catalog]) -> None:
    client, catalog = archive
    insert(catalog, row("a", T0), row("b", T0))
    root = ask(client, verb="ListIdentifiers", resumptionToken=token_of(GOOD))
    assert idents(root) == ["oai:testserver:b"]
    last = root.find("o:ListIdentifiers/o:resumptionToken", NS)
    assert last.text is None and last.attrib == {"completeListSize": "2", "cursor": "100"}
    marc = ask(client, verb="ListIdentifiers", resumptionToken=token_of({**GOOD, "m": "marc21"}))
    assert errors(marc) == ["cannotDisseminateFormat"]


def test_post_forms_and_what_cannot_be_read(archive: tuple[TestClient, cat.Catalog]) -> None:
    client, catalog = archive
    insert(catalog, row("a", T0))
    root = ask(client, "POST", verb="GetRecord", identifier="oai:testserver:a", metadataPrefix="oai_dc")
    assert idents(root) == ["oai:testserver:a"]
    for kwargs in ({"json": {"verb": "Identify"}},
                   {"content": b"verb=Identify&x=" + b"y" * 70_000,
                    "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
                   {"content": "&".join(f"a{i}=1" for i in range(30)).encode(),
                    "headers": {"Content-Type": "application/x-www-form-urlencoded"}}):
        r = client.post("/oai", **kwargs)  # type: ignore[arg-type]
        root = etree.fromstring(r.content)
        assert r.status_code == 200 and errors(root) == ["badArgument"] and echoed(root) == {}
    r = client.get("/oai?" + "&".join(f"a{i}=1" for i in range(30)))
    assert r.status_code == 200 and errors(etree.fromstring(r.content)) == ["badArgument"]


@pytest.mark.parametrize("query", [
    "verb=GetRecord&metadataPrefix=oai_dc&identifier=%ff%fe", "verb=%00", "verb=Identify&%00=1",
    "verb=ListSets&resumptionToken=%E2%80%AE",
    "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:%F0%9F%8E%A4",
    "verb=ListRecords&metadataPrefix=oai_dc&set=event:%27%28%29",
    "verb=ListRecords&from=0000-01-01&metadataPrefix=oai_dc",
    "verb=ListRecords&metadataPrefix=oai_dc&until=0001-01-01", "verb=GetRecord&identifier=" + "%25" * 3000,
    "verb=ListRecords&resumptionToken=" + "A" * 1024, "verb=ListRecords&resumptionToken=====",
    "verb=Identify&" + "&".join(f"x{i}=<&>" for i in range(15)), "=&&=&verb",
])
def test_no_input_causes_an_error_status(archive: tuple[TestClient, cat.Catalog], query: str) -> None:
    client, catalog = archive
    insert(catalog, row("a", T0))
    r = client.get("/oai?" + query)
    assert r.status_code == 200, r.text
    root = etree.fromstring(r.content)
    assert len(root) >= 3 and root.findtext("o:request", namespaces=NS) == BASE
