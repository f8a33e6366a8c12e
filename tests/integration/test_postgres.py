"""The catalog on Debian's PostgreSQL: the migrations build exactly the schema the models
declare, and they upgrade a catalog at the first revision in place."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from archive import catalog as cat
from archive import migrations

from ..postgres_server import new_database


def test_migrations_build_the_models_schema(postgres_cluster: str) -> None:
    url = new_database(postgres_cluster)
    engine = sa.create_engine(url)
    migrations.upgrade(engine)
    with engine.connect() as conn:
        assert migrations.current(conn) == migrations.HEAD
        diff = compare_metadata(MigrationContext.configure(conn), cat.Base.metadata)
    engine.dispose()
    assert diff == []


def test_a_first_revision_catalog_is_upgraded(postgres_cluster: str) -> None:
    url = new_database(postgres_cluster)
    engine = sa.create_engine(url)
    migrations.upgrade(engine, migrations.BASELINE)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO talks (id, content_hash, title, speakers, language, duration, status, "
            "published, original_name, original_path, media_path, has_video, segment_count, "
            "created_at, updated_at) VALUES ('t1', 'h1', 'Bürgerbus', '[\"Anna\"]', 'de', 12.5, "
            "'ready', true, 'a.mp4', '/a', '/a', false, 3, now(), now())"))
    migrations.upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT title, licence FROM talks")).one()
    engine.dispose()
    assert tuple(row) == ("Bürgerbus", "LicenseRef-all-rights-reserved")
    newer = sa.create_engine(url)
    try:
        with newer.begin() as conn:
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
        with pytest.raises(migrations.CatalogTooNew):
            migrations.upgrade(newer)
    finally:
        newer.dispose()
