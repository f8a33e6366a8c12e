"""Third-party schemas from ``../shared/schemas``, each compiled once per test session (tei_all.rng
alone takes about 19 s to compile on 2 cores). Absent in a user's clone: then the checks that
need one skip."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from lxml import etree

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"


def schema_file(name: str) -> Path:
    path = SCHEMAS / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (../shared is not in a user's clone): schema validation skipped")
    return path


@functools.cache
def _tei(path: Path) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(path)))


@functools.cache
def _eaf(path: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(path))


@functools.cache
def _iiif(path: Path) -> jsonschema.Draft7Validator:
    schema = json.loads(path.read_text("utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def tei() -> etree.RelaxNG:
    return _tei(schema_file("tei_all.rng"))


def eaf() -> xmlschema.XMLSchema:
    return _eaf(schema_file("EAFv3.0.xsd"))


def iiif() -> jsonschema.Draft7Validator:
    return _iiif(schema_file("iiif_3_0.json"))
