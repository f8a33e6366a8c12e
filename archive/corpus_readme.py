"""The README of a corpus: what it holds, each talk's licence, how its transcripts were made
and corrected, and how to cite them. German, with the file layout in English too, since the
corpus travels to researchers outside the region."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from . import citations, exports
from .settings import Settings

FILES = """\
| Datei / file | Inhalt / contents |
| --- | --- |
| `{{id}}/{{id}}.<format>` | ein Ordner je Vortrag, das Transkript in jedem gewählten Format |
| `talks.csv`, `talks.json` | Angaben zu jedem Vortrag: Titel, Veranstaltung, Datum, Ort, \
Sprecher:innen, Sprache, Dauer, Lizenz, Herkunft (Engine, Modell, Sprechererkennung, Korrekturen) |
| `segments.jsonl` | eine Zeile je Satz: `talk_id`, `start`, `end` (Sekunden), `speaker`, \
`speaker_label`, `text`, `words` (mit Zeiten) |
| `citations.json`, `citations.bib` | jeder Vortrag als CSL-JSON und BibTeX |
"""

FORMAT_NAMES = {
    "txt": "Text", "json": "JSON mit Wortzeiten", "srt": "SubRip", "vtt": "WebVTT mit Stimmen",
    "csv": "CSV", "tei": "TEI (ISO 24624:2016)", "eaf": "ELAN 3.0", "textgrid": "Praat TextGrid",
    "iiif": "IIIF Presentation 3 mit Web Annotations",
}


def _search_line(selection: Any) -> str:
    f = selection.filters
    parts = [f"Suche „{selection.query}“" if selection.query else "alle veröffentlichten Vorträge"]
    for label, value in (("Veranstaltung", f.event), ("Jahr", f.year), ("Ort", f.town),
                         ("Sprecher:in", f.speaker), ("Sprache", f.language)):
        if value:
            parts.append(f"{label}: {value}")
    return ", ".join(parts)


def _made(rows: list[dict[str, Any]]) -> list[str]:
    engines = Counter(f"{r['engine']} ({r['model']})" for r in rows if r.get("engine"))
    diarizers = Counter(r["diarizer"] for r in rows if r.get("diarizer"))
    corrected = sum(1 for r in rows if r.get("corrections"))
    lines = [f"- Spracherkennung: {', '.join(f'{k}: {n} Vorträge' for k, n in engines.items())}"
             if engines else "- Spracherkennung: –"]
    lines.append(f"- Sprechererkennung: {', '.join(f'{k}: {n}' for k, n in diarizers.items())}"
                 if diarizers else "- Sprechererkennung: keine")
    lines.append(f"- Von Mitarbeitenden korrigiert: {corrected} von {len(rows)} Vorträgen "
                 "(Anzahl der Korrekturen je Vortrag: `corrections` in `talks.csv`). Namen von "
                 "Stimmen haben Mitarbeitende vergeben; sonst steht die Kennung (`SPEAKER_1`).")
    lines.append("- Die Wortzeiten stammen von der Spracherkennung; korrigierte Wörter haben "
                 "interpolierte Zeiten. Alle Angaben je Vortrag: `provenance` in `talks.json`.")
    return lines


def readme(settings: Settings, selection: Any, rows: list[dict[str, Any]],
           talks: dict[str, dict[str, Any]], base_url: str, today: dt.date) -> str:
    hours = sum(r["duration"] for r in rows) / 3600
    fmts = ", ".join(f"`{f}` ({FORMAT_NAMES.get(f, f)})" for f in selection.formats)
    out = [f"# Korpus aus {base_url}", "",
           f"Erstellt am {today.strftime('%d.%m.%Y')} aus {_search_line(selection)}: "
           f"**{len(rows)} Vorträge**, {hours:.1f} Stunden, {sum(r['segment_count'] for r in rows)} "
           f"Sätze. Formate: {fmts}.", "",
           "## Dateien / files", "", FILES.replace("{{id}}", "<id>")]
    missing = [r["id"] for r in rows if r.get("engine") is None]
    if missing:
        out += [f"Ohne Transkriptdatei (nur in `talks.csv`): {', '.join(missing)}", ""]
    out += ["## Lizenzen / licences", "",
            "Jeder Vortrag steht unter seiner eigenen Lizenz; sie gilt für Aufnahme und "
            "Transkript. Bitte nennen Sie Sprecher:innen, Titel und Quelle.", "",
            "| Vortrag | Lizenz |", "| --- | --- |"]
    for r in rows:
        title = str(r["title"]).replace("|", "/")
        lic = f"[{r['licence']}]({r['licence_url']})" if r.get("licence_url") else r["licence"]
        out.append(f"| [{title}]({r['url']}) | {lic} |")
    out += ["", "## Wie die Transkripte entstanden sind", "", *_made(rows), "",
            "## Zitieren / how to cite", "",
            "Einen Vortrag (oder einen Moment daraus: `?t=SEKUNDEN` an die Adresse hängen):", ""]
    for talk in list(talks.values())[:50]:
        out.append(f"- {citations.german_text(talk, talk['url'], None, today)}")
    if len(talks) > 50:
        out.append(f"- … alle {len(talks)} in `citations.json` (CSL-JSON) und `citations.bib`.")
    out += ["", f"Formate je Vortrag auch einzeln: `{base_url}/api/talks/<id>/transcript.<format>` "
            f"({', '.join(exports.MEDIA_TYPES)}).", ""]
    return "\n".join(out)
