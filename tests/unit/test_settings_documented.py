"""Every setting is documented in README.md (as datasette checks its settings)."""

from pathlib import Path

from archive.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`TALKARCHIVE_{name.upper()}`" in README, name


def test_settings_come_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TALKARCHIVE_ENGINE", "openai-whisper")
    monkeypatch.setenv("TALKARCHIVE_DATA_DIR", "/tmp/x")
    s = Settings()
    assert s.engine == "openai-whisper" and s.catalog_url == "sqlite:////tmp/x/catalog.sqlite3"
    assert s.resolved_compute_type() == "int8"
