"""Catalog migrations: a catalog at the first revision is filled, upgraded and read back;
one made before migrations is adopted; one from a newer talkarchive is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from archive import catalog as cat
from archive import migrations
from archive.settings import Settings

NOW = "2025-09-18 10:00:00"


def fill_first_revision(url: str) -> None:
    engine = create_engine(url)
    migrations.upgrade(engine, migrations.BASELINE)
    with engine.begin() as conn:
        assert migrations.current(conn) == "0001"
        conn.execute(text(
            "INSERT INTO talks (id, content_hash, title, speakers, language, duration, status, "
            "published, original_name, original_path, media_path, has_video, segment_count, "
            f"created_at, updated_at) VALUES ('t1', 'h1', 'Bürgerbus', '[\"Anna\"]', 'de', 12.5, "
            f"'ready', 1, 'a.mp4', '/a', '/a', 0, 3, '{NOW}', '{NOW}')"))
        conn.execute(text(
            "INSERT INTO jobs (id, talk_id, state, stage, progress, upload_path, file_name, meta, "
            f"attempts, created_at, updated_at) VALUES ('j1', 't1', 'exploded', 'x', 0.5, '/u', "
            f"'a.mp4', '{{}}', 1, '{NOW}', '{NOW}')"))
        conn.execute(text(
            f"INSERT INTO index_outbox (talk_id, action, created_at) VALUES ('t1', 'upsert', '{NOW}')"))
    engine.dispose()


def test_head_is_the_newest_script() -> None:
    scripts = ScriptDirectory.from_config(migrations.config())
    assert scripts.get_current_head() == migrations.HEAD
    assert [r.revision for r in reversed(list(scripts.walk_revisions()))] == list(migrations.REVISIONS)


def test_first_revision_filled_upgraded_and_read_back(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    fill_first_revision(settings.catalog_url)
    catalog = cat.Catalog(settings)  # opening upgrades
    try:
        talk = catalog.get("t1")
        assert talk is not None and talk.title == "Bürgerbus" and talk.speakers == ["Anna"]
        assert talk.duration == 12.5 and talk.status == cat.TalkStatus.READY
        assert talk.licence == "LicenseRef-all-rights-reserved"  # 0004: nobody chose one
        assert [row.action for row in catalog.pending_outbox()] == ["upsert"]
        with catalog.session() as s:
            job = s.get(cat.Job, "j1")
            assert job is not None and job.state == cat.JobState.FAILED  # mended by 0002
        with catalog.engine.connect() as conn:
            assert migrations.current(conn) == migrations.HEAD
        with pytest.raises(IntegrityError), catalog.session() as s:
            s.execute(text("UPDATE jobs SET state = 'exploded' WHERE id = 'j1'"))
    finally:
        catalog.dispose()


def test_catalog_made_before_migrations_is_adopted(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    fill_first_revision(settings.catalog_url)
    engine = create_engine(settings.catalog_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    catalog = cat.Catalog(settings)
    try:
        assert catalog.get("t1") is not None
        with catalog.engine.connect() as conn:
            assert migrations.current(conn) == migrations.HEAD
    finally:
        catalog.dispose()


def test_catalog_from_a_newer_talkarchive_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    cat.Catalog(settings).dispose()
    engine = create_engine(settings.catalog_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(migrations.CatalogTooNew, match="0099"):
        cat.Catalog(settings)
