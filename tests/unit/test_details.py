"""One model for a talk's details: the limits of the catalog columns, blank fields, dates."""

from __future__ import annotations

import pytest

from archive import details
from archive.catalog import Talk
from archive.errors import InputError


def test_limits_are_the_catalog_columns() -> None:
    fields = details.TalkDetails.model_fields
    for name in ("title", "event", "town"):
        limit = Talk.__table__.c[name].type.length  # type: ignore[attr-defined]
        assert any(getattr(m, "max_length", None) == limit for m in fields[name].metadata), name
        details.parse({name: "x" * limit})
        with pytest.raises(InputError, match=name):
            details.parse({name: "x" * (limit + 1)})


def test_blank_fields_and_lists() -> None:
    meta = details.parse({"title": "  ", "speakers": ["Anna Becker", " "], "date": ""})
    assert meta.title is None and meta.speakers == ["Anna Becker"] and meta.date is None
    assert details.split_list("Olpe, Soest\nMenden,,") == ["Olpe", "Soest", "Menden"]
    assert details.parse({"date": "2025-09-18"}).year == 2025


@pytest.mark.parametrize("data", [{"date": "gestern"}, {"date": "2025-02-30"},
                                  {"language": "Deutsch"}, {"colour": "blue"},
                                  {"speakers": ["x" * 201]}, {"published": "vielleicht"}])
def test_bad_details_are_input_errors(data: dict[str, object]) -> None:
    with pytest.raises(InputError):
        details.parse(data)


def test_changes_keep_only_what_was_sent() -> None:
    assert details.changes({"published": False}) == {"published": False}
    assert details.changes({"date": ""}) == {"date": None}
    with pytest.raises(InputError, match="title"):
        details.changes({"title": " "})
    # the glossary is kept with the talk and staff change it in the details editor (issue 23)
    assert details.changes({"glossary": ["DKSR", " "]}) == {"glossary": ["DKSR"]}
    with pytest.raises(InputError, match="colour"):
        details.changes({"colour": "blue"})
