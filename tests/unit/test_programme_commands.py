"""`talkarchive programme import` in-process: the diff printed with rich, --dry-run, --json,
and a bad file as one line on stderr with exit code 2 (the real command runs in
tests/integration/test_programme_cli.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from talkarchive.cli import main

from .test_programme_readers import DATA


def talkarchive(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("TALKARCHIVE_DATA_DIR", str(tmp_path / "archive"))
    monkeypatch.delenv("TALKARCHIVE_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys, "argv", ["talkarchive", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_shows_then_applies(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                   tmp_path: Path) -> None:
    csv = str(DATA / "agenda.csv")
    code, out, _ = talkarchive(monkeypatch, capsys, tmp_path, "programme", "import", csv,
                               "--event-slug", "smart-cities-2025", "--dry-run")
    assert code == 0 and "Begrüßung und Keynote" in out
    assert out.strip().splitlines()[-1] == ("smart-cities-2025 (new event): 3 new, 0 changed, 0 removed "
                                            "slot(s); dry run, nothing applied")
    code, out, _ = talkarchive(monkeypatch, capsys, tmp_path, "programme", "import", csv,
                               "--event-slug", "smart-cities-2025", "--event-title", "Smart Cities 2025")
    assert code == 0 and out.strip().endswith("applied")
    fixed = tmp_path / "agenda.csv"
    fixed.write_text(Path(csv).read_text().replace("Bürgerbus on demand", "Bürgerbus auf Abruf"))
    code, out, _ = talkarchive(monkeypatch, capsys, tmp_path, "programme", "import", str(fixed),
                               "--event-slug", "smart-cities-2025", "--json")
    diff = json.loads(out)
    assert code == 0 and diff["applied"]
    assert diff["changed"][0]["changes"] == [{"field": "title", "old": "Bürgerbus on demand",
                                              "new": "Bürgerbus auf Abruf"}]
    code, out, _ = talkarchive(monkeypatch, capsys, tmp_path, "programme", "import", str(fixed),
                               "--event-slug", "smart-cities-2025")
    assert (code, out.strip()) == (0, "smart-cities-2025: no changes")


def test_a_bad_file_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = talkarchive(monkeypatch, capsys, tmp_path, "programme", "import",
                                 str(DATA / "schedule-invalid.json"))
    assert code == 2 and out == ""
    assert err == ("error: schedule-invalid.json: $.schedule.conference.days[0].rooms.Rathaussaal[1].id: "
                   "'102' is not of type 'integer'\n")
    code, _, err = talkarchive(monkeypatch, capsys, tmp_path, "programme", "import",
                               str(DATA / "agenda.csv"))
    assert code == 2 and len(err.splitlines()) == 1 and "--event-slug" in err
