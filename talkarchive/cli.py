"""The ``talkarchive`` command line: the root group and :func:`main`, which turns every error
into one line on stderr and a non-zero exit (2 for bad input or usage). The commands live in
one module per group: ``ingest_cmds``, ``search_cmds``, ``research_cmds``, ``backup_cmds``,
``service_cmds``, ``setup_cmds``, ``programme_cmds``."""

from __future__ import annotations

import sys

import click

from archive.errors import InputError, TalkarchiveError

from . import (
    backup_cmds,
    ingest_cmds,
    programme_cmds,
    research_cmds,
    search_cmds,
    service_cmds,
    setup_cmds,
)
from .common import EXIT_ERROR, EXIT_USAGE, err


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """talkarchive: conference recordings with searchable, timestamped German transcripts."""


for command in (ingest_cmds.ingest, ingest_cmds.watch, ingest_cmds.demo, ingest_cmds.rediarize,
                search_cmds.search,
                research_cmds.export, research_cmds.cite, research_cmds.corpus_cmd,
                search_cmds.reindex, search_cmds.embed, search_cmds.status, service_cmds.serve,
                service_cmds.worker, backup_cmds.backup, backup_cmds.restore,
                setup_cmds.models_group, setup_cmds.meili_group, setup_cmds.token_group,
                programme_cmds.programme_group):
    cli.add_command(command)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        err.print("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TalkarchiveError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(EXIT_USAGE if isinstance(exc, InputError) else EXIT_ERROR)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - one line, never a stack trace
        click.echo(f"error: unexpected {type(exc).__name__}: {exc}".splitlines()[0], err=True)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
