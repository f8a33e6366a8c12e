"""Citing a talk, or one moment of it: CSL-JSON (type ``speech``), BibTeX, RIS, and a German
author-date text for people to copy.

``talk`` is :meth:`archive.catalog.Talk.public_dict`; ``url`` the talk page's absolute address.
A moment is cited by its URL (``?t=SECONDS``, which the page and a W3C media fragment
``#t=SECONDS`` both honour) and by its clock time in the note.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

PARTICLES = {"von", "van", "de", "der", "den", "zu", "zum", "zur", "di", "da", "la", "le", "ten"}
SITE = "talkarchive"


def split_name(name: str) -> dict[str, str]:
    """'Jonas Weber' -> family Weber, given Jonas; 'Ursula von der Leyen' keeps the particles
    with the family name; one word stays literal."""
    parts = name.split()
    if len(parts) < 2:
        return {"literal": name}
    first_particle = next((i for i, p in enumerate(parts[1:], 1) if p.lower() in PARTICLES),
                          len(parts) - 1)
    return {"family": " ".join(parts[first_particle:]), "given": " ".join(parts[:first_particle])}


def _clock(seconds: float) -> str:
    s = int(seconds)
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


def moment_url(url: str, t: float | None) -> str:
    return f"{url}?t={t:g}" if t else url


def _authors(talk: dict[str, Any]) -> list[str]:
    names = list(talk.get("speakers") or [])
    for name in (talk.get("speaker_names") or {}).values():
        if name and name not in names:
            names.append(name)
    return names


def _date_parts(talk: dict[str, Any]) -> list[int] | None:
    if talk.get("date"):
        y, m, d = (int(x) for x in str(talk["date"]).split("-"))
        return [y, m, d]
    return [int(talk["year"])] if talk.get("year") else None


def _note(talk: dict[str, Any], t: float | None) -> str:
    parts = [f"ab {_clock(t)}"] if t else []
    parts.append(f"Lizenz: {talk['licence']['name']}")
    return "; ".join(parts)


def csl_json(talk: dict[str, Any], url: str, t: float | None, accessed: dt.date) -> dict[str, Any]:
    """A CSL-JSON item (valid against the CSL data schema)."""
    item: dict[str, Any] = {
        "id": talk["id"] + (f"-t{t:g}" if t else ""),
        "type": "speech",
        "title": talk["title"],
        "author": [split_name(n) for n in _authors(talk)],
        "genre": "Vortrag",
        "language": talk.get("language") or "de",
        "URL": moment_url(url, t),
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        "dimensions": _clock(float(talk.get("duration") or 0)),
        "medium": "Video" if talk.get("has_video", True) else "Audio",
        "note": _note(talk, t),
    }
    if talk.get("event"):
        item["event"] = talk["event"]
    if talk.get("town"):
        item["event-place"] = talk["town"]
    if (parts := _date_parts(talk)) is not None:
        item["issued"] = {"date-parts": [parts]}
    if talk.get("description"):
        item["abstract"] = talk["description"]
    return item


_BIB_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                 "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                 "^": r"\textasciicircum{}"}
_BIB_SPECIAL = re.compile(r"[\\{}&%$#_~^]")


def _bib_escape(text: str) -> str:
    """LaTeX's special characters as text, in one pass (so the braces an escape adds are not
    escaped again); a backslash can neither escape a closing brace nor start a command."""
    return _BIB_SPECIAL.sub(lambda m: _BIB_SPECIALS[m.group(0)], " ".join(text.split()))


def _bib_name(name: str) -> str:
    """A name BibTeX keeps whole: braced where it holds the word 'and' (which splits names)."""
    escaped = _bib_escape(name)
    return "{" + escaped + "}" if re.search(r"\band\b", name, re.IGNORECASE) else escaped


def cite_key(talk: dict[str, Any], t: float | None) -> str:
    authors = _authors(talk)
    family = split_name(authors[0]).get("family", authors[0]) if authors else "talk"
    ascii_family = re.sub(r"[^A-Za-z]", "", family.replace("ä", "ae").replace("ö", "oe")
                          .replace("ü", "ue").replace("ß", "ss").replace("Ä", "Ae")
                          .replace("Ö", "Oe").replace("Ü", "Ue")) or "talk"
    return f"{ascii_family}{talk.get('year') or ''}_{talk['id'][:8]}" + (f"_t{int(t)}" if t else "")


def bibtex(talk: dict[str, Any], url: str, t: float | None, accessed: dt.date) -> str:
    """A BibTeX ``@misc`` entry (biblatex reads ``urldate`` too)."""
    fields = [("author", " and ".join(_bib_name(n) for n in _authors(talk)) or None),
              ("title", "{" + _bib_escape(talk["title"]) + "}"),
              ("howpublished", _bib_escape(", ".join(
                  x for x in ("Vortrag", talk.get("event"), talk.get("town")) if x))),
              ("year", str(talk["year"]) if talk.get("year") else None),
              ("month", str(int(str(talk["date"])[5:7])) if talk.get("date") else None),
              ("url", moment_url(url, t)),
              ("urldate", accessed.isoformat()),
              ("language", "german" if (talk.get("language") or "de") == "de" else talk["language"]),
              ("note", _bib_escape(_note(talk, t)))]
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
    return f"@misc{{{cite_key(talk, t)},\n{body}\n}}\n"


def ris(talk: dict[str, Any], url: str, t: float | None, accessed: dt.date) -> str:
    """An RIS record (type VIDEO, or SOUND for audio only)."""
    def clean(text: str) -> str:
        return " ".join(str(text).split())

    lines = [("TY", "VIDEO" if talk.get("has_video", True) else "SOUND")]
    lines += [("AU", clean(n)) for n in _authors(talk)]
    lines.append(("TI", clean(talk["title"])))
    if talk.get("event"):
        lines.append(("T2", clean(talk["event"])))
    if talk.get("town"):
        lines.append(("CY", clean(talk["town"])))
    if talk.get("year"):
        lines.append(("PY", str(talk["year"])))
    if talk.get("date"):
        lines.append(("DA", str(talk["date"]).replace("-", "/")))
    lines += [("UR", moment_url(url, t)), ("Y2", accessed.strftime("%Y/%m/%d")),
              ("LA", talk.get("language") or "de"), ("N1", clean(_note(talk, t))),
              ("ER", "")]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")

# the words of the text citation in each language the pages speak
_WORDS = {"de": {"anonymous": "o. A.", "undated": "o. J.", "talk": "Vortrag", "from": "Ab",
                 "accessed": "abgerufen am", "licence": "Lizenz"},
          "en": {"anonymous": "n.a.", "undated": "n.d.", "talk": "Talk", "from": "From",
                 "accessed": "accessed", "licence": "Licence"}}


def day_text(day: dt.date | str, lang: str = "de") -> str:
    """A day as people of the language write it: 18.09.2025, or 18 September 2025."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if lang == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return day.strftime("%d.%m.%Y")


def text(talk: dict[str, Any], url: str, t: float | None, accessed: dt.date,
         lang: str = "de") -> str:
    """Author-date for people to copy, in German ('Weber, Jonas (2025): Titel. Vortrag,
    Veranstaltung, Ort, 18.09.2025. Ab 01:23. Online: URL (abgerufen am 26.11.2026). Lizenz:
    CC BY 4.0.') or English ('… Talk, …, 18 September 2025. From 01:23. Online: URL (accessed
    26 November 2026). Licence: CC BY 4.0.')."""
    words = _WORDS["en" if lang == "en" else "de"]
    authors = [split_name(n) for n in _authors(talk)]
    who = "; ".join(f"{a['family']}, {a['given']}" if "family" in a else a["literal"]
                    for a in authors) or words["anonymous"]
    year = talk.get("year") or words["undated"]
    where = ", ".join(x for x in (words["talk"], talk.get("event"), talk.get("town")) if x)
    when = day_text(talk["date"], lang) if talk.get("date") else None
    out = f"{who} ({year}): {talk['title']}. {where}" + (f", {when}" if when else "") + "."
    if t:
        out += f" {words['from']} {_clock(t)}."
    out += (f" Online: {moment_url(url, t)} ({words['accessed']} {day_text(accessed, lang)})."
            f" {words['licence']}: {talk['licence']['name']}.")
    return out


def german_text(talk: dict[str, Any], url: str, t: float | None, accessed: dt.date) -> str:
    """The German text citation (see :func:`text`)."""
    return text(talk, url, t, accessed, "de")


CITATIONS = {"csl.json": "application/vnd.citationstyles.csl+json",
             "bib": "application/x-bibtex; charset=utf-8",
             "ris": "application/x-research-info-systems; charset=utf-8"}
