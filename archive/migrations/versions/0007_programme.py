"""Conferences: events (a conference edition) with their days, rooms and programme slots
(archive.programme). A slot keeps the fields staff overrode, so a re-import leaves them.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _event_id() -> sa.Column[int]:
    return sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("start", sa.String(10), nullable=False),
        sa.Column("end", sa.String(10), nullable=False),
        sa.Column("place", sa.String(300)),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_events_slug", "events", ["slug"], unique=True)
    op.create_table(
        "event_days",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _event_id(),
        sa.Column("index", sa.Integer, nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True)),
        sa.Column("end", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("event_id", "date", name="uq_event_days_event_date"),
    )
    op.create_index("ix_event_days_event_id", "event_days", ["event_id"])
    op.create_table(
        "event_rooms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _event_id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("event_id", "name", name="uq_event_rooms_event_name"),
    )
    op.create_index("ix_event_rooms_event_id", "event_rooms", ["event_id"])
    _create_slots()


def _create_slots() -> None:
    op.create_table(
        "programme_slots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _event_id(),
        sa.Column("guid", sa.String(36), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("room", sa.String(200), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration", sa.Integer, nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("persons", sa.JSON, nullable=False),
        sa.Column("abstract", sa.Text),
        sa.Column("track", sa.String(200)),
        sa.Column("type", sa.String(100)),
        sa.Column("language", sa.String(32)),
        sa.Column("licence", sa.String(200)),
        sa.Column("do_not_record", sa.Boolean, nullable=False),
        sa.Column("overrides", sa.JSON, nullable=False),
        sa.Column("talk_id", sa.String(32), sa.ForeignKey("talks.id", ondelete="SET NULL")),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("event_id", "guid", name="uq_programme_slots_event_guid"),
    )
    op.create_index("ix_programme_slots_event_id", "programme_slots", ["event_id"])
    op.create_index("ix_programme_slots_talk_id", "programme_slots", ["talk_id"])


def downgrade() -> None:
    for table in ("programme_slots", "event_rooms", "event_days", "events"):
        op.drop_table(table)
