"""The archive's one notion of "now": naive UTC, as the catalog stores its timestamps."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def now_iso() -> str:
    """Now as an ISO 8601 UTC string to the second (for histories written into files)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
