"""Set-up commands: ``models`` (Whisper files), ``meilisearch`` (the pinned binary) and
``token`` (staff tokens)."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from archive import tokens
from archive.search import server
from ingest import models, voiceprint

from .common import Context, err, open_catalog, pass_ctx


@click.group(name="models")
def models_group() -> None:
    """Whisper model files (verified by sha256)."""


@models_group.command("fetch")
@pass_ctx
def models_fetch(ctx: Context) -> None:
    """Install the base model for both engines, and the speaker model (idempotent)."""
    files = models.fetch_base(ctx.settings, log=lambda m: err.print(m, highlight=False))
    click.echo(f"base model ready: {files.directory} (sha256 {files.sha256})")
    if ctx.settings.diarize:
        click.echo(f"speaker model ready: {voiceprint.export_onnx(ctx.settings)}")


@models_group.command("list")
@pass_ctx
def models_list(ctx: Context) -> None:
    """Installed models."""
    rows = models.installed(ctx.settings)
    if not rows:
        click.echo("no models installed: run `talkarchive models fetch`")
        return
    table = Table("name", "engines", "MB", "sha256", "path")
    for r in rows:
        table.add_row(r["name"], r["engines"], r["size_mb"], r["sha256"][:16] + "…", r["path"])
    Console().print(table)


@click.group(name="meilisearch")
def meili_group() -> None:
    """The pinned Meilisearch binary."""


@meili_group.command("fetch")
@pass_ctx
def meili_fetch(ctx: Context) -> None:
    """Install the pinned Meilisearch binary, verified by sha256 (idempotent)."""
    path = server.fetch_binary(ctx.settings, log=lambda m: err.print(m, highlight=False))
    click.echo(f"Meilisearch {server.MEILI_VERSION} ready: {path}")


@click.group(name="token")
def token_group() -> None:
    """Staff tokens (shown once, stored hashed)."""


@token_group.command("create")
@click.option("--name", required=True, help="Who the token is for.")
@pass_ctx
def token_create(ctx: Context, name: str) -> None:
    """Create a token and print it (the last word of the output)."""
    with open_catalog(ctx.settings) as catalog:
        value = tokens.create_token(catalog, name)
    click.echo(f"token for {name} (shown only now): {value}")


@token_group.command("list")
@pass_ctx
def token_list(ctx: Context) -> None:
    """Tokens with their state (never the token itself)."""
    with open_catalog(ctx.settings) as catalog:
        rows = tokens.list_tokens(catalog)
    table = Table("id", "name", "created", "last used", "state")
    for t in rows:
        table.add_row(str(t.id), t.name, f"{t.created_at:%Y-%m-%d %H:%M}",
                      f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "-",
                      "revoked" if t.revoked_at else "active")
    Console().print(table)


@token_group.command("revoke")
@click.argument("name_or_id")
@pass_ctx
def token_revoke(ctx: Context, name_or_id: str) -> None:
    """Revoke the active token(s) with this name or id; their sessions end."""
    with open_catalog(ctx.settings) as catalog:
        count = tokens.revoke_token(catalog, name_or_id)
    click.echo(f"revoked {count} token(s)")
