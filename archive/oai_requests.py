"""OAI-PMH requests: the verbs' arguments, dates of either granularity, and resumption tokens
(base64url of a list's arguments and its last position), each refused with the protocol's
error codes (:class:`OaiError`). :mod:`archive.oai` answers them."""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_VALUE = 1024  # the longest argument value accepted (a token is about 250 characters)
STAMP = "%Y-%m-%dT%H:%M:%SZ"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LISTS = frozenset({"from", "until", "set", "resumptionToken"})
_PREFIX_ONLY = frozenset({"metadataPrefix"})
ARGUMENTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {  # required, optional
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (_PREFIX_ONLY, _LISTS),
    "ListRecords": (_PREFIX_ONLY, _LISTS),
}
_GRANULARITIES = ((re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "%Y-%m-%d", dt.timedelta(days=1)),
                  (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"), STAMP,
                   dt.timedelta(seconds=1)))
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
_MAYBE = (str, type(None))
_TOKEN_FIELDS = {"m": (str,), "s": _MAYBE, "f": _MAYBE, "u": _MAYBE, "d": (str,), "i": (str,), "c": (int,)}
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


class OaiError(Exception):
    """One or more OAI-PMH errors: (code, message) pairs."""

    def __init__(self, *errors: tuple[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def bad(message: str) -> OaiError:
    return OaiError(("badArgument", message))


@dataclass(frozen=True)
class Harvest:
    """A list request: its arguments and, from a resumption token, where the next page starts."""

    prefix: str
    set: str | None = None
    start: str | None = None  # the "from" argument
    until: str | None = None
    after: tuple[dt.datetime, str] | None = None
    cursor: int = 0


def stamp(value: dt.datetime) -> str:
    return value.strftime(STAMP)


def clean(text: str) -> str:
    return _NOT_XML.sub("", text)  # without the characters XML 1.0 cannot carry


def arguments(params: Iterable[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, or :class:`OaiError` (badVerb, badArgument)."""
    params = list(params)
    verbs = [value for key, value in params if key == "verb"]
    if len(verbs) != 1 or verbs[0] not in ARGUMENTS:
        raise OaiError(("badVerb", "the verb argument is missing" if not verbs else
                        "the verb argument is repeated" if len(verbs) > 1 else
                        f"{verbs[0][:40]!r} is not an OAI-PMH verb"))
    verb, (required, optional) = verbs[0], ARGUMENTS[verbs[0]]
    args: dict[str, str] = {}
    problems: list[str] = []
    for key, value in params:
        if key == "verb":
            continue
        if key not in required | optional:
            problems.append(f"{key[:40]!r} is not an argument of {verb}")
        elif key in args:
            problems.append(f"{key} is repeated")
        elif not value or len(value) > MAX_VALUE or clean(value) != value:
            problems.append(f"{key} is empty, longer than {MAX_VALUE} characters or not text")
        args[key] = value
    if "resumptionToken" in args and len(args) > 1:
        problems.append("resumptionToken is an exclusive argument")
    elif "resumptionToken" not in args:
        problems += [f"{key} is missing" for key in sorted(required - args.keys())]
    if problems:
        raise OaiError(*(("badArgument", p) for p in dict.fromkeys(problems[:5])))
    return verb, args


def parse_date(value: str, name: str) -> tuple[dt.datetime, dt.timedelta]:
    """A date of either granularity, and the length of its step (a day or a second)."""
    for pattern, fmt, step in _GRANULARITIES:
        if pattern.fullmatch(value):
            with contextlib.suppress(ValueError):
                return dt.datetime.strptime(value, fmt), step
    raise bad(f"{name} is not a date as YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def bounds(harvest: Harvest) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The datestamps asked for: from (inclusive) and the end of until (exclusive)."""
    lower = upper = None
    if harvest.start is not None:
        lower, start_step = parse_date(harvest.start, "from")
    if harvest.until is not None:
        until, until_step = parse_date(harvest.until, "until")
        with contextlib.suppress(OverflowError):  # none for until 9999-12-31
            upper = until + until_step  # all of that second (or day)
        if lower is not None:
            if start_step != until_step:
                raise bad("from and until have different granularities")
            if lower > until:
                raise bad("from is later than until")
    if harvest.set is not None and not SET_SPEC.fullmatch(harvest.set):
        raise bad("set is not a setSpec")
    return lower, upper


def encode_token(harvest: Harvest) -> str:
    assert harvest.after is not None
    data = {"m": harvest.prefix, "s": harvest.set, "f": harvest.start, "u": harvest.until,
            "d": harvest.after[0].isoformat(), "i": harvest.after[1], "c": harvest.cursor}
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_token(token: str) -> Harvest:
    """The harvest a token continues, or :class:`OaiError` badResumptionToken."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
                          if _TOKEN.fullmatch(token) else "null")
        if (not isinstance(data, dict) or any(type(data.get(k, ...)) not in kinds
                                              for k, kinds in _TOKEN_FIELDS.items())
                or data["c"] < 0 or len(data["i"]) > 64):
            raise ValueError("not one of our tokens")
        after = dt.datetime.fromisoformat(data["d"])
        if after.tzinfo is not None:
            raise ValueError("not naive UTC")
        harvest = Harvest(data["m"], data["s"], data["f"], data["u"], (after, data["i"]), data["c"])
        bounds(harvest)
    except (ValueError, binascii.Error, RecursionError, OaiError):
        raise OaiError(("badResumptionToken", "the resumption token is not one of ours")) from None
    return harvest
