from archive.search.query import Filters, _at, _highlight, filter_expression, quote

PRE, POST = "\ue000", "\ue001"


def test_quote_cannot_escape_the_string() -> None:
    assert quote('a" OR published = false OR town = "x') == '"a\\" OR published = false OR town = \\"x"'
    assert quote("back\\slash") == '"back\\\\slash"'


def test_filter_expression() -> None:
    f = Filters(event="Smart Cities", year=2025, town="Soest", speaker="A", language="de")
    assert filter_expression(f) == [
        "published = true", 'event = "Smart Cities"', "year = 2025", 'town = "Soest"',
        'speakers = "A"', 'language = "de"',
    ]
    assert filter_expression(Filters(), staff=True) == []


def test_at_is_the_start_of_the_first_matched_word() -> None:
    starts = [1.0, 1.5, 2.0, 2.5]
    assert _at(f"Die Fahrt am {PRE}Telefon{POST} heute", starts + [3.0], 0.5) == 2.5
    assert _at(f"Die Fahrt per {PRE}Telefon{POST}.", starts, 0.5) == 2.5
    assert _at(f"{PRE}Die{POST} Fahrt", starts, 0.5) == 1.0
    assert _at(f"Die Kreide{PRE}tafel{POST} hier", starts, 0.5) == 1.5
    assert _at("no highlight", starts, 0.5) == 0.5


def test_highlight_escapes_everything_but_mark() -> None:
    assert _highlight(f"<b>&{PRE}Wort{POST}") == "&lt;b&gt;&amp;<mark>Wort</mark>"
