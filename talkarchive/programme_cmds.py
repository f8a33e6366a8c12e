"""``programme import FILE``: a conference's programme (frab/pretalx schedule.xml, the schedule
JSON pretalx exports, or a German CSV agenda) into the catalog. It shows the new, changed (field
by field) and removed slots, then applies them in one transaction (``--dry-run`` only shows)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from archive.programme.apply import import_programme
from archive.programme.diff import Diff, SlotDiff
from archive.programme.model import Options
from archive.programme.read import read_programme

from .common import Context, open_catalog, pass_ctx


@click.group(name="programme")
def programme_group() -> None:
    """Conference programmes: events with their days, rooms and slots."""


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value and not isinstance(value[0], dict) \
            else f"{len(value)} item(s)"
    return "–" if value is None else str(value)


def _slots_table(title: str, entries: list[SlotDiff]) -> Table:
    table = Table("day", "start", "room", "title", title=title, title_justify="left")
    for e in entries:
        table.add_row(e.day, e.start[11:16], Text(e.room), Text(e.title))
    return table


def _changes_table(diff: Diff) -> Table:
    table = Table("slot", "field", "was", "now", title="changed", title_justify="left")
    for change in diff.event_changes:
        table.add_row(Text(f"event {diff.event}"), change.field, Text(_value(change.old)),
                      Text(_value(change.new)))
    for entry in diff.changed:
        for change in entry.changes:
            table.add_row(Text(entry.title), change.field, Text(_value(change.old)),
                          Text(_value(change.new)))
        for kept in entry.kept:
            table.add_row(Text(entry.title), kept.field, Text(f"{_value(kept.staff)} (staff, kept)"),
                          Text(f"programme now: {_value(kept.programme)}"))
    return table


def print_diff(console: Console, diff: Diff) -> None:
    """The diff as tables: new, changed (field by field) and removed slots."""
    if diff.added:
        console.print(_slots_table("new", diff.added))
    if diff.event_changes or diff.changed:
        console.print(_changes_table(diff))
    if diff.removed:
        console.print(_slots_table("removed", diff.removed))


@programme_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--event-slug", help="The event's slug (needed for a CSV agenda; wins over the file).")
@click.option("--event-title", help="The event's title (wins over the file).")
@click.option("--timezone", help="Time zone of the programme's times, such as Europe/Berlin "
              "(default: the file's, else Europe/Berlin).")
@click.option("--place", help="Where the event takes place.")
@click.option("--dry-run", is_flag=True, help="Only show what would change.")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@pass_ctx
def import_cmd(ctx: Context, file: Path, event_slug: str | None, event_title: str | None,
               timezone: str | None, place: str | None, dry_run: bool, as_json: bool) -> None:
    """Import a programme FILE: schedule.xml, schedule JSON or a CSV agenda (Datum, Beginn,
    Dauer, Titel, Raum, Vortragende). Re-importing updates it; the same file twice changes
    nothing, and fields staff edited stay as staff left them."""
    options = Options(event_slug, event_title, timezone, place)
    programme = read_programme(file.read_bytes(), file.name, options)
    with open_catalog(ctx.settings) as catalog:
        diff = import_programme(catalog, programme, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(diff.to_dict(), ensure_ascii=False, indent=1))
        return
    console = Console()
    print_diff(console, diff)
    console.print(Text(diff.summary()))
