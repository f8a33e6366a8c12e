"""Search logic against the real Meilisearch, on transcripts written here (no speech model)."""

from __future__ import annotations

import pytest

from archive import catalog as cat
from archive import edits
from archive import transcript as tr
from archive.errors import InputError, SearchUnavailable
from archive.paths import transcript_path
from archive.search import documents, outbox, reindex, schema, server
from archive.search import query as search_mod
from archive.settings import Settings

from ..conftest import MASTER_KEY

TALKS = {
    "a1": ("Schule von morgen", "Konferenz 2024", "2024-05-01", "Soest", ["Anna"], [
        "Die Kreidetafel im Klassenzimmer bleibt.",
        "Über die Straße geht es zum Rathaus.",
        "Mehr Bürgerbeteiligung für alle Dörfer.",
    ]),
    "b2": ("Mobilität", "Konferenz 2025", "2025-09-18", "Olpe", ["Ben", "Cem"], [
        "Der Bürgerbus fährt nach Bedarf.",
        "Eine Tafel Schokolade für die Fahrer.",
        "Die Strasse nach Südwestfalen ist frei.",
    ]),
    "c3": ("Unveröffentlicht", "Konferenz 2025", "2025-09-18", "Olpe", ["Ben"], [
        "Geheimer Bürgerbus Entwurf.",
    ]),
}


def write_talk(settings: Settings, catalog: cat.Catalog, talk_id: str, spec) -> None:  # type: ignore[no-untyped-def]
    title, event, date, town, speakers, sentences = spec
    segments, clock = [], 0.0
    for sentence in sentences:
        words = []
        for w in sentence.split():
            words.append(tr.Word(round(clock, 2), round(clock + 0.4, 2), " " + w))
            clock += 0.5
        segments.append(tr.Segment(words[0].start, words[-1].end, tr.segment_text(words), words))
        clock += 1.0
    t = tr.Transcript(talk_id, "de", clock, segments,
                      tr.Provenance("test", "none", None, "cpu", "none", {}))
    tr.save(t, transcript_path(settings, talk_id))
    with catalog.session() as s:
        s.add(cat.Talk(id=talk_id, content_hash=talk_id * 8, title=title, event=event, date=date,
                       year=int(date[:4]), speakers=speakers, town=town, language="de",
                       duration=clock, status="ready", published=talk_id != "c3",
                       original_name="x.mp4", original_path="/x", media_path="/x",
                       poster_path=None, has_video=False, segment_count=len(segments)))
        outbox.queue_change(s, talk_id)


@pytest.fixture(scope="module")
def env(meili_server: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path_factory.mktemp("s"), meili_url=meili_server,
                        meili_master_key=MASTER_KEY, meili_index="searchunit")
    catalog = cat.Catalog(settings)
    client = server.client_for(settings)
    try:
        assert reindex.ensure_index(settings, client, catalog)  # a new, empty index
        for talk_id, spec in TALKS.items():
            write_talk(settings, catalog, talk_id, spec)
        assert outbox.drain_outbox(settings, client, catalog) == 3  # through the outbox
        assert catalog.pending_outbox() == []
        yield settings, catalog, client
    finally:
        catalog.dispose()


def run(env, q: str, **filters):  # type: ignore[no-untyped-def]
    settings, catalog, client = env
    return search_mod.search(settings, client, q, search_mod.Filters(**filters))


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [t["id"] for t in result["talks"]]


def test_compound_parts_and_exact_first(env) -> None:  # type: ignore[no-untyped-def]
    assert ids(run(env, "Tafel")) == ["b2", "a1"]  # exact word first, then the compound's part
    assert ids(run(env, "Beteiligung")) == ["a1"]
    assert ids(run(env, "Kreidetafel")) == ["a1"]


def test_sharp_s_and_umlaut_folding(env) -> None:  # type: ignore[no-untyped-def]
    assert set(ids(run(env, "Strasse"))) == {"a1", "b2"}
    assert set(ids(run(env, "Straße"))) == {"a1", "b2"}
    assert ids(run(env, "Sudwestfalen")) == ["b2"]


def test_typo_tolerance_and_phrases(env) -> None:  # type: ignore[no-untyped-def]
    assert ids(run(env, "Bügerbus")) == ["b2"]
    assert ids(run(env, '"fährt nach Bedarf"')) == ["b2"]
    assert ids(run(env, '"Bedarf fährt"')) == []
    assert ids(run(env, '"bleibt Über"')) == []  # a phrase never spans two sentences


def test_empty_query_lists_newest_talks_first(env) -> None:  # type: ignore[no-untyped-def]
    result = run(env, "")
    assert ids(result) == ["b2", "a1"] and result["total"] == 2
    assert all(t["segments"] == [] for t in result["talks"])


def test_unpublished_hidden_and_facets_count_talks(env) -> None:  # type: ignore[no-untyped-def]
    result = run(env, "Bürgerbus")
    assert ids(result)[0] == "b2" and "c3" not in ids(result)
    assert run(env, "Entwurf")["total"] == 0  # only in the unpublished talk
    settings, catalog, client = env
    staff = search_mod.search(settings, client, "Entwurf", staff=True)
    assert ids(staff) == ["c3"]
    everything = run(env, "die")
    assert everything["facets"]["event"] == {"Konferenz 2024": 1, "Konferenz 2025": 1}
    assert everything["facets"]["speakers"] == {"Anna": 1, "Ben": 1, "Cem": 1}
    assert ids(run(env, "die", town="Olpe")) == ["b2"]
    assert ids(run(env, "die", year=2024)) == ["a1"]
    assert ids(run(env, "die", speaker="Cem")) == ["b2"]


def test_filter_values_cannot_inject(env) -> None:  # type: ignore[no-untyped-def]
    assert ids(run(env, "Bürgerbus", town='Olpe" OR published = false OR town = "x')) == []
    assert ids(run(env, "Bürgerbus", event="\\")) == []


def test_hit_fields_and_at(env) -> None:  # type: ignore[no-untyped-def]
    talk = run(env, "Rathaus")["talks"][0]
    seg = talk["segments"][0]
    assert seg["text"] == "Über die Straße geht es zum <mark>Rathaus</mark>."
    # "Rathaus" is word 7 of the sentence; each word lasts 0.5 s from the segment's start
    assert seg["at"] == pytest.approx(seg["start"] + 6 * 0.5)
    assert seg["url"] == f"/talks/a1?t={seg['at']:g}"


def test_long_query_and_stop_words(env) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        run(env, "x" * 201)
    assert run(env, "die der das")["total"] >= 1  # no stop words: such a query still finds


def test_reindex_swaps_without_duplicates(env) -> None:  # type: ignore[no-untyped-def]
    settings, catalog, client = env
    before = client.document_count(settings.meili_index)
    reindex.reindex(settings, client, catalog)
    after = client.document_count(settings.meili_index)
    assert before == after == 7
    assert client.document_count(schema.talks_uid(settings.meili_index)) == 3
    assert ids(run(env, "Tafel")) == ["b2", "a1"]


def test_a_lost_talk_index_is_rebuilt_and_searching_meanwhile_is_503(env) -> None:  # type: ignore[no-untyped-def]
    settings, catalog, client = env
    client.wait(client.delete_index(schema.talks_uid(settings.meili_index)))
    with pytest.raises(SearchUnavailable) as caught:
        run(env, "Tafel")
    assert caught.value.status == 503 and caught.value.headers["Retry-After"]
    assert reindex.needs_rebuild(settings, client, catalog)
    assert reindex.ensure_index(settings, client, catalog)
    assert not reindex.needs_rebuild(settings, client, catalog)
    assert ids(run(env, "Tafel")) == ["b2", "a1"]


def test_talks_beyond_the_shared_segment_pool_still_get_their_segments(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(search_mod, "SEGMENT_POOL", 1)
    result = run(env, "die")
    assert len(result["talks"]) == 2
    assert all(t["segments"] for t in result["talks"])


def test_publishing_and_deleting_follow_in_both_indexes(env) -> None:  # type: ignore[no-untyped-def]
    settings, catalog, client = env
    set_published(env, "c3", True)
    try:
        assert ids(run(env, "Entwurf")) == ["c3"]
        result = run(env, "Bürgerbus")  # a1 too: "Bürgerbeteiligung" is a two-typo prefix match
        assert set(ids(result)) == {"a1", "b2", "c3"}
        assert result["facets"]["event"] == {"Konferenz 2024": 1, "Konferenz 2025": 2}
        assert run(env, "Entwurf")["talks"][0]["segments"][0]["text"] == "Geheimer Bürgerbus <mark>Entwurf</mark>."
    finally:
        set_published(env, "c3", False)
    assert "c3" not in ids(run(env, "Bürgerbus")) and run(env, "Entwurf")["total"] == 0

    write_talk(settings, catalog, "d4", ("Vögel", "Konferenz 2025", "2025-10-01", "Soest", ["Dana"],
                                         ["Der Zaunkönig singt am Rathaus."]))
    assert outbox.drain_outbox(settings, client, catalog) == 1
    assert ids(run(env, "Zaunkönig")) == ["d4"]
    assert client.document(schema.talks_uid(settings.meili_index), "d4")["title"] == "Vögel"  # type: ignore[index]
    edits.delete(settings, catalog, "d4")
    assert outbox.drain_outbox(settings, client, catalog) == 1
    assert run(env, "Zaunkönig")["total"] == 0
    assert client.document(schema.talks_uid(settings.meili_index), "d4") is None
    assert client.documents(settings.meili_index, 'talk_id = "d4"', ["id"]) == []


def set_published(env, talk_id: str, published: bool) -> None:  # type: ignore[no-untyped-def]
    settings, catalog, client = env
    with catalog.session() as s:
        s.get(cat.Talk, talk_id).published = published
        outbox.queue_change(s, talk_id)
    assert outbox.drain_outbox(settings, client, catalog) == 1


def test_long_talk_is_found_past_meilisearch_position_limit(meili_server: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Meilisearch indexes at most 65,535 word positions per attribute: a three-hour talk's
    text is split into parts, so its last word is still found, and the hit knows its second."""
    filler = "Wir sprechen heute über die digitale Verwaltung in den Städten und Gemeinden der Region"
    sentences = [filler] * 4800 + ["Ganz am Ende kommt der Zaunkönig."]
    settings = Settings(data_dir=tmp_path, meili_url=meili_server, meili_master_key=MASTER_KEY,
                        meili_index="longtalk")
    catalog = cat.Catalog(settings)
    client = server.client_for(settings, timeout=60)
    try:
        reindex.ensure_index(settings, client, catalog)
        write_talk(settings, catalog, "e5", ("Lang", "Konferenz 2025", "2025-09-18", "Menden", ["Emil"],
                                             sentences))
        built = documents.talk_documents(settings, catalog.get("e5"))  # type: ignore[arg-type]
        assert built is not None
        segments, talk_doc = built
        assert sum(len(s["text"].split()) for s in segments) > 65_535
        assert len(talk_doc["text"]) > 1  # several parts, each under the limit
        assert outbox.drain_outbox(settings, client, catalog) == 1
        result = search_mod.search(settings, client, "Zaunkönig", search_mod.Filters())
        assert ids(result) == ["e5"]
        seg = result["talks"][0]["segments"][0]
        assert seg["start"] == segments[-1]["start"]
        assert seg["at"] == pytest.approx(segments[-1]["word_starts"][5])
    finally:
        catalog.dispose()


def test_talk_details_are_searchable_and_rank_above_the_transcript(meili_server: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Title and speakers (listed and named) are found; a match there ranks above the same word
    in what was said; a talk found only by its details has no moment; the speaker filter keeps
    that speaker's sentences."""
    settings = Settings(data_dir=tmp_path, meili_url=meili_server, meili_master_key=MASTER_KEY,
                        meili_index="details")
    catalog = cat.Catalog(settings)
    client = server.client_for(settings)
    try:
        write_talk(settings, catalog, "r1", ("Das digitale Rathaus in Soest", "K", "2025-09-18", "Soest",
                                             ["Jonas Weber"], ["Heute geht es um Anträge."]))
        write_talk(settings, catalog, "r2", ("Mobilität", "K", "2025-09-19", "Olpe", ["Ben"],
                                             ["Der Bus hält am Rathaus.", "Wir danken Frau Kaya."]))
        t = tr.load(transcript_path(settings, "r2"))
        t.segments[0].speaker, t.segments[1].speaker = "SPEAKER_1", "SPEAKER_2"
        tr.save(t, transcript_path(settings, "r2"))
        with catalog.session() as s:
            s.get(cat.Talk, "r2").speaker_names = {"SPEAKER_2": "Leyla Kaya"}  # type: ignore[union-attr]
        outbox.drain_outbox(settings, client, catalog)
        env = (settings, catalog, client)

        weber = run(env, "Weber")
        assert ids(weber) == ["r1"] and weber["talks"][0]["matched"] == ["speakers"]
        assert weber["talks"][0]["segments"] == []
        rathaus = run(env, "Rathaus")
        assert ids(rathaus) == ["r1", "r2"]  # the title above the transcript
        assert rathaus["talks"][0]["matched"] == ["title"]
        assert rathaus["talks"][1]["matched"] == ["transcript"]
        assert rathaus["talks"][1]["segments"][0]["speaker"] == "SPEAKER_1"
        kaya = run(env, "Kaya")  # a named voice is a speaker of the talk
        assert ids(kaya) == ["r2"] and set(kaya["talks"][0]["matched"]) == {"speakers", "transcript"}
        assert run(env, "")["facets"]["speakers"] == {"Jonas Weber": 1, "Ben": 1, "Leyla Kaya": 1}
        listed_only = run(env, "Anträge", speaker="Jonas Weber")  # listed, no voice named
        assert ids(listed_only) == ["r1"] and listed_only["talks"][0]["segments"]
        only = run(env, "danken Bus", speaker="Leyla Kaya")
        assert ids(only) == ["r2"]
        assert [s["speaker"] for s in only["talks"][0]["segments"]] == ["Leyla Kaya"]
    finally:
        catalog.dispose()
