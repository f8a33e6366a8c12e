"""Backups: the catalog, the transcripts and optionally the media in one tar file, and a
restore into an empty data dir.

Layout of the tar (gzip): ``talkarchive-backup.json`` (format, date, catalog revision, the data
dir it came from, whether media is in it, row counts), ``catalog/{table}.jsonl`` (one row a
line, read in one transaction so the tables agree), ``transcripts/…`` and, with media,
``media/…``. The search index is not in it: it is derived, and a restore rebuilds it
(``talkarchive restore`` does). Staff sessions and the index outbox are left out too.

The catalog goes as rows, not as a database file, so a SQLite archive restores into PostgreSQL
and back; a backup from an older talkarchive restores into the newest schema (columns added
since take their defaults). Paths in the catalog that pointed below the old data dir are
rewritten to the new one. Extraction refuses members outside the data dir (``tarfile``'s
``data`` filter).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from . import catalog as cat
from . import migrations
from .errors import InputError
from .settings import Settings

FORMAT = 1
MANIFEST = "talkarchive-backup.json"
SKIPPED = {"staff_sessions", "index_outbox", "meta"}  # ephemeral or derived
PATHS = {"talks": ("original_path", "media_path", "poster_path"), "jobs": ("upload_path",),
         "day_recordings": ("original_path",)}
BATCH = 1000
Progress = Callable[[str, float, float], None]


def _quiet(stage: str, done: float, total: float) -> None:
    pass


def _tables() -> list[sa.Table]:
    return [t for t in cat.Base.metadata.sorted_tables if t.name not in SKIPPED]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _dump_catalog(catalog: cat.Catalog, tar: tarfile.TarFile) -> dict[str, int]:
    counts: dict[str, int] = {}
    with catalog.session() as s, tempfile.TemporaryFile() as rows:
        for table in _tables():
            rows.seek(0)
            rows.truncate()
            count = 0
            for row in s.execute(sa.select(table)).mappings():
                rows.write(json.dumps({k: _plain(v) for k, v in row.items()},
                                      ensure_ascii=False).encode() + b"\n")
                count += 1
            info = tarfile.TarInfo(f"catalog/{table.name}.jsonl")
            info.size = rows.tell()
            rows.seek(0)
            tar.addfile(info, rows)
            counts[table.name] = count
    return counts


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".tmp")) \
        if root.is_dir() else []


def backup(settings: Settings, catalog: cat.Catalog, out: IO[bytes], *, media: bool = False,
           progress: Progress = _quiet) -> dict[str, Any]:
    """Write the backup to ``out``; its manifest."""
    files = [("transcripts", p) for p in _files(settings.transcripts_dir)]
    if media:
        files += [("media", p) for p in _files(settings.media_dir)]
    with tarfile.open(fileobj=out, mode="w:gz", compresslevel=1) as tar:
        counts = _dump_catalog(catalog, tar)
        for n, (top, path) in enumerate(files, 1):
            base = settings.transcripts_dir if top == "transcripts" else settings.media_dir
            tar.add(path, arcname=f"{top}/{path.relative_to(base).as_posix()}", recursive=False)
            progress("files", n, len(files))
        manifest = {"format": FORMAT, "created": dt.datetime.now(dt.UTC).isoformat(),
                    "revision": migrations.HEAD, "data_dir": str(settings.data_dir.resolve()),
                    "media": media, "rows": counts, "files": len(files)}
        _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
    return manifest


@contextmanager
def _open(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(path, mode="r:*")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError) as exc:
        raise InputError(f"{path}: not a talkarchive backup ({exc})", code="bad_backup") from None
    with tar:
        yield tar


def read_manifest(tar: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
        manifest: dict[str, Any] = json.load(member) if member else {}
    except (KeyError, ValueError):
        raise InputError(f"{path}: not a talkarchive backup (no {MANIFEST})",
                         code="bad_backup") from None
    if manifest.get("format") != FORMAT:
        raise InputError(f"{path}: backup format {manifest.get('format')!r}; this talkarchive "
                         f"reads format {FORMAT}", code="bad_backup")
    if manifest.get("revision") not in migrations.REVISIONS:
        raise InputError(f"{path}: made by a newer talkarchive (catalog revision "
                         f"{manifest.get('revision')}); install that one", code="bad_backup")
    return manifest


def _check_empty(settings: Settings) -> None:
    data = settings.data_dir
    if data.exists() and any(data.iterdir()):
        raise InputError(f"{data} is not empty: restore into a new, empty data dir",
                         code="not_empty")


def _row_in(table: sa.Table, row: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """A dumped row as the table takes it: datetimes parsed, paths moved to the new data dir,
    columns the table no longer has left out."""
    out: dict[str, Any] = {}
    moved = PATHS.get(table.name, ())
    for column in table.columns:
        if column.name not in row:
            continue  # a column added since the backup: its default
        value = row[column.name]
        if isinstance(value, str) and isinstance(column.type, sa.DateTime):
            value = dt.datetime.fromisoformat(value)
        elif column.name in moved and isinstance(value, str) and value.startswith(old + "/"):
            value = new + value[len(old):]
        out[column.name] = value
    return out


def _load_catalog(tar: tarfile.TarFile, catalog: cat.Catalog, manifest: dict[str, Any],
                  final: Path) -> None:
    """Every table's rows in one transaction: a failed restore leaves no half catalog."""
    old, new = str(manifest["data_dir"]).rstrip("/"), str(final)
    with catalog.session() as s:
        for table in _tables():
            try:
                member = tar.extractfile(f"catalog/{table.name}.jsonl")
            except KeyError:
                continue  # a table added since the backup
            batch: list[dict[str, Any]] = []
            for line in member or ():
                batch.append(_row_in(table, json.loads(line), old, new))
                if len(batch) >= BATCH:
                    s.execute(table.insert(), batch)
                    batch = []
            if batch:
                s.execute(table.insert(), batch)
        if catalog.engine.dialect.name == "postgresql":  # ids were given: move the counters
            for table in _tables():
                for column in table.primary_key.columns:
                    if column.autoincrement is True or isinstance(column.type, sa.Integer):
                        s.execute(sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', "
                            f"'{column.name}'), COALESCE(MAX({column.name}), 0) + 1, false) "
                            f"FROM {table.name}"))


def _extract_files(tar: tarfile.TarFile, staged: Settings, progress: Progress) -> int:
    members = [m for m in tar.getmembers() if m.isfile()
               and m.name.split("/", 1)[0] in ("transcripts", "media")]
    for n, member in enumerate(members, 1):
        top, rest = member.name.split("/", 1)
        base = staged.transcripts_dir if top == "transcripts" else staged.media_dir
        member.name = rest
        tar.extract(member, base, filter="data")  # nothing outside base, no links, no devices
        progress("files", n, len(members))
    return len(members)


def restore(settings: Settings, path: Path, progress: Progress = _quiet) -> dict[str, Any]:
    """Restore a backup into the (empty or absent) data dir; its manifest. The files and a
    SQLite catalog are written to a folder beside it and moved into place at the end, so a
    failed restore leaves nothing. The search index is rebuilt by the caller."""
    _check_empty(settings)
    final = settings.data_dir.resolve()
    final.parent.mkdir(parents=True, exist_ok=True)
    with _open(path) as tar:
        manifest = read_manifest(tar, path)
        work = Path(tempfile.mkdtemp(prefix=f".{final.name}.restoring-", dir=final.parent))
        try:
            staged = settings.model_copy(update={"data_dir": work})
            _extract_files(tar, staged, progress)
            catalog = cat.Catalog(staged)
            try:
                if catalog.talks():  # an external catalog (PostgreSQL) that is in use
                    raise InputError("the catalog at TALKARCHIVE_DATABASE_URL is not empty",
                                     code="not_empty")
                _load_catalog(tar, catalog, manifest, final)
            finally:
                catalog.dispose()
            if final.exists():
                final.rmdir()
            work.rename(final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return manifest
