"""The unit tier runs in-process. Every archive a unit test opens starts from a copy of one
catalog migrated once per session (migrating a new SQLite catalog costs ~90 ms, and some 150
unit tests open one); ``test_migrations.py`` migrates for real."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from archive import catalog, migrations
from archive.settings import Settings


@pytest.fixture(scope="session")
def migrated_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("migrated")
    catalog.Catalog(Settings(data_dir=folder, database_url=None)).dispose()
    (path,) = folder.glob("*.sqlite3")
    return path


@pytest.fixture(autouse=True)
def copied_catalog(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.module.__name__.endswith("test_migrations"):
        return
    template: Path = request.getfixturevalue("migrated_catalog")
    upgrade = migrations.upgrade

    def from_template(engine: Engine, revision: str = "head") -> None:
        database = engine.url.database
        if (engine.url.get_backend_name() == "sqlite" and revision == "head" and database
                and database != ":memory:" and not Path(database).exists()):
            shutil.copyfile(template, database)
        upgrade(engine, revision)

    monkeypatch.setattr(migrations, "upgrade", from_template)
