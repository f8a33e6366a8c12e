"""The page texts in German (default) and English."""

from __future__ import annotations

from fastapi import Request

LANGUAGES = ("de", "en")

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "site": "Talkarchiv",
        "tagline": "Vorträge der Smart-Cities-Konferenz von „5 für Südwestfalen“ – durchsuchbar bis auf die Sekunde",
        "search_label": "Suche in allen Vorträgen",
        "search_placeholder": "Stichwort, z. B. Bürgerbus",
        "search_button": "Suchen",
        "all_events": "Alle Veranstaltungen",
        "all_years": "Alle Jahre",
        "all_towns": "Alle Orte",
        "all_speakers": "Alle Sprechenden",
        "event": "Veranstaltung",
        "year": "Jahr",
        "town": "Ort",
        "speaker": "Sprecher/in",
        "filters": "Filter",
        "reset": "Filter zurücksetzen",
        "results": "{n} Vorträge",
        "result_one": "1 Vortrag",
        "no_results": "Keine Treffer für „{q}“.",
        "no_results_hint": "Prüfen Sie die Schreibweise, nutzen Sie weniger oder allgemeinere Wörter oder entfernen Sie Filter.",
        "empty_title": "Alle Vorträge",
        "empty_hint": "Geben Sie ein Stichwort ein – die Treffer erscheinen beim Tippen, mit der Sekunde, in der das Wort fiel.",
        "play_at": "Ab {t} abspielen",
        "page_nav": "Seiten",
        "previous": "Zurück",
        "next": "Weiter",
        "page_of": "Seite {page} von {pages}",
        "language_switch": "English",
        "transcript": "Transkript",
        "search_in_talk": "Im Vortrag suchen",
        "prev_hit": "Vorheriger Treffer",
        "next_hit": "Nächster Treffer",
        "hits_in_talk": "{n} Treffer",
        "copy_link": "Link zu dieser Stelle kopieren",
        "copied": "Link kopiert",
        "downloads": "Herunterladen",
        "captions": "Deutsch",
        "duration": "Dauer",
        "date": "Datum",
        "speakers": "Sprechende",
        "back_to_search": "Zur Suche",
        "unavailable": "Die Suche ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.",
        "not_found": "Diesen Vortrag gibt es nicht (mehr).",
        "keyboard_help": "Tastatur: Leertaste spielt oder pausiert, Pfeiltasten springen 5 Sekunden.",
        "seek_to": "Springe zu {t}",
        "loading": "Suche läuft …",
        "player": "Videoplayer",
    },
    "en": {
        "site": "Talk archive",
        "tagline": "Talks of the Smart Cities conference of “5 für Südwestfalen” – searchable to the second",
        "search_label": "Search all talks",
        "search_placeholder": "Keyword, e.g. Bürgerbus",
        "search_button": "Search",
        "all_events": "All events",
        "all_years": "All years",
        "all_towns": "All towns",
        "all_speakers": "All speakers",
        "event": "Event",
        "year": "Year",
        "town": "Town",
        "speaker": "Speaker",
        "filters": "Filters",
        "reset": "Reset filters",
        "results": "{n} talks",
        "result_one": "1 talk",
        "no_results": "No results for “{q}”.",
        "no_results_hint": "Check the spelling, use fewer or more general words, or remove filters.",
        "empty_title": "All talks",
        "empty_hint": "Type a keyword – results appear as you type, with the second the word was said.",
        "play_at": "Play from {t}",
        "page_nav": "Pages",
        "previous": "Previous",
        "next": "Next",
        "page_of": "Page {page} of {pages}",
        "language_switch": "Deutsch",
        "transcript": "Transcript",
        "search_in_talk": "Search in this talk",
        "prev_hit": "Previous hit",
        "next_hit": "Next hit",
        "hits_in_talk": "{n} hits",
        "copy_link": "Copy link to this moment",
        "copied": "Link copied",
        "downloads": "Download",
        "captions": "German",
        "duration": "Duration",
        "date": "Date",
        "speakers": "Speakers",
        "back_to_search": "Back to search",
        "unavailable": "Search is unavailable right now. Please try again in a moment.",
        "not_found": "This talk does not exist (any more).",
        "keyboard_help": "Keyboard: space plays or pauses, arrow keys skip 5 seconds.",
        "seek_to": "Jump to {t}",
        "loading": "Searching …",
        "player": "Video player",
    },
}


def language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "de"
    return lang if lang in LANGUAGES else "de"


def clock(seconds: float) -> str:
    s = int(seconds)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
