"""Names for voices: a talk's speaker labels mapped to names, and the voice samples that
remember a named voice across talks.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("talks") as batch:
        batch.add_column(sa.Column("speaker_names", sa.JSON, nullable=False, server_default="{}"))
    op.create_table(
        "voice_samples",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("talk_id", sa.String(32), nullable=False),
        sa.Column("label", sa.String(32), nullable=False),
        sa.Column("centroid", sa.JSON, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.UniqueConstraint("talk_id", "label", name="uq_voice_samples_talk_label"),
    )
    op.create_index("ix_voice_samples_name", "voice_samples", ["name"])
    op.create_index("ix_voice_samples_talk_id", "voice_samples", ["talk_id"])


def downgrade() -> None:
    op.drop_table("voice_samples")
    with op.batch_alter_table("talks") as batch:
        batch.drop_column("speaker_names")
