from archive.german import fold, index_variants, split_compound


def test_fold_sharp_s() -> None:
    assert fold("Straße") == "Strasse"


def test_compounds_split_into_parts() -> None:
    assert split_compound("Kreidetafel") == ("kreide", "tafel")
    assert split_compound("Bürgerbeteiligung") == ("bürger", "beteiligung")
    assert split_compound("Datenkompetenzzentrum") == ("daten", "kompetenz", "zentrum")
    assert split_compound("Haus") == ()


def test_index_variants() -> None:
    text = index_variants("Die Kreidetafel an der Straße.")
    assert "tafel" in text.split() and "Strasse" in text.split()
