"""A research library's harvester against a real served archive: the PyPI OAI-PMH client
``sickle`` harvests /oai of ``talkarchive serve`` (the session's ``served`` archive) and finds
every published talk with its title, creators and event set; GetRecord gives the same metadata.
The served talks are only read here: unpublished and deleted talks are the unit tests' part."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from sickle import Sickle

from archive import oai

from ..conftest import Served


def published(served: Served) -> dict[str, dict]:  # type: ignore[type-arg]
    """The served talks as the public API shows them, by talk id."""
    talks = {}
    for talk_id in served.talk_ids.values():
        r = httpx.get(f"{served.url}/api/talks/{talk_id}", timeout=30)
        assert r.status_code == 200, r.text
        talks[talk_id] = r.json()
    return talks


def test_sickle_harvests_every_published_talk(served: Served) -> None:
    sickle = Sickle(served.url + "/oai", timeout=60)
    host = urlsplit(served.url).hostname

    identify = sickle.Identify()
    assert identify.repositoryName == "talkarchive" and identify.protocolVersion == "2.0"
    assert identify.baseURL == served.url + "/oai" and identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"

    sets = {s.setSpec: s.setName for s in sickle.ListSets()}
    records = {r.header.identifier: r for r in sickle.ListRecords(metadataPrefix="oai_dc")
               if not r.header.deleted}
    talks = published(served)
    assert talks and all(f"oai:{host}:{talk_id}" in records for talk_id in talks)
    for talk_id, talk in talks.items():
        record = records[f"oai:{host}:{talk_id}"]
        creators = list(dict.fromkeys([*talk["speakers"], *talk["speaker_names"].values()]))
        assert record.metadata["title"] == [talk["title"]]
        assert record.metadata["creator"] == creators and creators
        assert record.metadata["identifier"] == [f"{served.url}/talks/{talk_id}"]
        assert record.metadata["relation"] == [talk["event"]]
        assert record.header.setSpecs == [oai.set_spec(talk["event"])]
        assert sets[oai.set_spec(talk["event"])] == talk["event"]

        again = sickle.GetRecord(identifier=record.header.identifier, metadataPrefix="oai_dc")
        assert again.metadata == record.metadata
        assert again.header.datestamp == record.header.datestamp

        in_set = sickle.ListIdentifiers(metadataPrefix="oai_dc", set=oai.set_spec(talk["event"]))
        assert record.header.identifier in {h.identifier for h in in_set}
