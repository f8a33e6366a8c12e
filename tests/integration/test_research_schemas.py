"""The research exports validated against third-party schemas from ``../shared/schemas``: lxml's
RELAX NG against tei_all.rng, xmlschema against EAFv3.0.xsd, jsonschema's Draft 7 validator
against IIIF Presentation 3.0. Each schema is compiled once per session (:mod:`tests.schemas`);
where ``../shared`` is absent these checks skip. The exports themselves are built by the unit
module's samples."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import xmlschema
from lxml import etree

from archive.research import eaf, iiif
from tests import schemas
from tests.unit.test_research_formats import CASES, CC_BY, TEI, _tei, sample, talk


@pytest.fixture
def tei_schema() -> etree.RelaxNG:
    return schemas.tei()


@pytest.fixture
def eaf_schema() -> xmlschema.XMLSchema:
    return schemas.eaf()


@pytest.fixture
def iiif_validator() -> jsonschema.Draft7Validator:
    return schemas.iiif()


@pytest.mark.parametrize(("make", "changes"), CASES)
def test_tei_is_valid_tei_p5(tei_schema: etree.RelaxNG, make: Any, changes: dict[str, Any]) -> None:
    doc = _tei(make(), talk(**changes))
    assert tei_schema.validate(doc), tei_schema.error_log


def test_tei_schema_refuses_a_wrong_document(tei_schema: etree.RelaxNG) -> None:
    doc = _tei(sample(), talk())
    next(doc.iter(f"{TEI}annotationBlock")).append(etree.Element(f"{TEI}w"))  # a w outside any u
    assert not tei_schema.validate(doc)


@pytest.mark.parametrize(("make", "changes"), CASES)
def test_eaf_is_valid_elan_3(eaf_schema: xmlschema.XMLSchema, make: Any, changes: dict[str, Any]) -> None:
    eaf_schema.validate(eaf.to_eaf(make(), talk(**changes)))


def test_eaf_schema_refuses_a_wrong_document(eaf_schema: xmlschema.XMLSchema) -> None:
    text = eaf.to_eaf(sample(), talk()).replace('TIME_SLOT_REF2="', 'TIME_SLOT_REF2="missing-', 1)
    assert not eaf_schema.is_valid(text)


@pytest.mark.parametrize(("make", "changes"), CASES)
def test_iiif_is_valid_presentation_3(iiif_validator: jsonschema.Draft7Validator, make: Any,
                                      changes: dict[str, Any]) -> None:
    manifest = json.loads(iiif.to_iiif(make(), talk(**changes)))
    errors = [e.message for e in iiif_validator.iter_errors(manifest)]
    assert errors == []


def test_iiif_schema_refuses_a_wrong_manifest(iiif_validator: jsonschema.Draft7Validator) -> None:
    manifest = json.loads(iiif.to_iiif(sample(), talk()))
    manifest["rights"] = CC_BY["url"]  # IIIF wants the http:// form of a Creative Commons URI
    assert not iiif_validator.is_valid(manifest)
    manifest = json.loads(iiif.to_iiif(sample(), talk()))
    manifest["items"][0]["duration"] = 0
    assert not iiif_validator.is_valid(manifest)
