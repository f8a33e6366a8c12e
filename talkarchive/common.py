"""What every command shares: the settings (built once, from the environment), the catalog,
progress bars on stderr, and the exit codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from archive import catalog as cat
from archive.errors import TalkarchiveError
from archive.search import reindex as reindex_mod
from archive.search.client import SearchClient
from archive.settings import Settings

err = Console(stderr=True)
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INDEX_PENDING = 3


def progress_bar(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
        transient=False,
    )


def stage_reporter(bar: Progress, task: Any, name: str | None = None
                   ) -> Callable[[str, float, float], None]:
    """A pipeline progress callback that moves ``task`` on ``bar`` (and names the stage)."""

    def report(stage: str, done: float, total: float) -> None:
        if name is None:
            bar.update(task, completed=done, total=total or 1.0)
        else:
            bar.update(task, description=f"{name}: {stage}", completed=done, total=total or 1.0)

    return report


@contextmanager
def open_catalog(settings: Settings) -> Iterator[cat.Catalog]:
    catalog = cat.Catalog(settings)
    try:
        yield catalog
    finally:
        catalog.dispose()


def reindex_with_progress(settings: Settings, client: SearchClient, catalog: cat.Catalog,
                          description: str, quiet: bool = False) -> int:
    """Rebuild both indexes with a progress bar."""
    with progress_bar(quiet) as bar:
        task = bar.add_task(description, total=None)
        count = reindex_mod.reindex(settings, client, catalog,
                                    lambda done, total: bar.update(task, completed=done, total=total))
        bar.update(task, completed=count, total=max(count, 1))
    return count


class Context:
    def __init__(self) -> None:
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = Settings()
            except ValidationError as exc:
                first = exc.errors()[0]
                name = "TALKARCHIVE_" + str(first["loc"][0]).upper()
                raise TalkarchiveError(f"setting {name}: {first['msg']}") from None
        return self._settings


pass_ctx = click.make_pass_decorator(Context, ensure=True)
