"""Day recordings cut along the programme: the room's recording of a day (kept once,
content-addressed), a talk's ``cut`` out of it, and a slot whose cut waits for staff.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_recordings",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="SET NULL")),
        sa.Column("room", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("original_name", sa.String(500), nullable=False),
        sa.Column("original_path", sa.String(1000), nullable=False),
        sa.Column("has_video", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_day_recordings_event_id", "day_recordings", ["event_id"])
    with op.batch_alter_table("talks") as batch:
        batch.add_column(sa.Column("cut", sa.JSON, nullable=True))
    with op.batch_alter_table("programme_slots") as batch:
        batch.add_column(sa.Column("needs_review", sa.Boolean, nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("programme_slots") as batch:
        batch.drop_column("needs_review")
    with op.batch_alter_table("talks") as batch:
        batch.drop_column("cut")
    op.drop_index("ix_day_recordings_event_id", "day_recordings")
    op.drop_table("day_recordings")
