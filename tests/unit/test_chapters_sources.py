"""Where chapters come from: slide titles and a panel's programme items."""

from __future__ import annotations

from archive import chapters as ch
from archive.chapters.slides import running_lines, slide_title
from archive.transcript import Slide


def test_a_slides_title_is_its_first_line_that_reads_like_one() -> None:
    assert slide_title("Der Bürgerbus\nfährt nach Bedarf\nseit 2024") == "Der Bürgerbus"
    assert slide_title("3 / 12\n18.09.2025\nwww.example.org\nOffene Daten in Soest") == \
        "Offene Daten in Soest"
    assert slide_title("Ergebnisse (2)\nmehr Fahrten") == "Ergebnisse"
    assert slide_title("12 %\n42") is None


def test_a_running_header_is_no_title() -> None:
    slides = [Slide(i * 30, i * 30 + 30, f"5 für Südwestfalen\n{title}\nFolie {i + 1}")
              for i, title in enumerate(("Willkommen", "Mobilität", "Daten", "Ausblick"))]
    assert running_lines(slides) == {"5 für südwestfalen"}
    got = ch.chapters_from_slides(slides, 120)
    assert [(c.start, c.title, c.source) for c in got] == [
        (0, "Willkommen", "slides"), (30, "Mobilität", "slides"), (60, "Daten", "slides"),
        (90, "Ausblick", "slides")]


def test_slides_with_one_title_are_one_chapter_and_short_ones_merge() -> None:
    slides = [Slide(2.0, 20, "Einleitung\nWer wir sind"),
              Slide(20, 45, "Einleitung\nWas wir tun"),  # builds up: the same chapter
              Slide(45, 49, "Zwischenfrage\nkurz gezeigt"),  # 4 s: merged away
              Slide(49, 100, "Der Bürgerbus\nFahrten 2024"),
              Slide(100, 110, "12\n13"),  # no title: stays in the chapter before
              Slide(110, 180, "Ausblick\nim Herbst")]
    got = ch.chapters_from_slides(slides, 180)
    assert [(c.start, c.title) for c in got] == [(0.0, "Einleitung"), (49, "Der Bürgerbus"),
                                                 (110, "Ausblick")]


def test_fewer_than_two_chapters_are_none() -> None:
    assert ch.chapters_from_slides([Slide(0, 100, "Nur eine Folie\nText")], 100) == []
    assert ch.chapters_from_slides([], 100) == []


def test_programme_items_become_chapters_in_order() -> None:
    items = [(610.0, "Fragen aus dem Publikum"), (0.4, "Vorstellung der Runde"),
             (120.0, "Olpe: Strategie mit der Bürgerschaft"), (300, "  "), (-5, "vorher"),
             (2000, "nach dem Ende"), (120.2, "gleiche Sekunde")]
    got = ch.chapters_from_programme(items, duration=900)
    assert [(c.start, c.title, c.source) for c in got] == [
        (0.0, "Vorstellung der Runde", "programme"),
        (120.0, "Olpe: Strategie mit der Bürgerschaft", "programme"),
        (610.0, "Fragen aus dem Publikum", "programme")]
    assert ch.chapters_from_programme([(0, "Nur ein Punkt")], 900) == []
