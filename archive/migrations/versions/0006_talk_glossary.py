"""A talk keeps its glossary (the names and terms given for its transcription), so that staff
see and change it in the details editor as they gave it on upload.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("talks") as batch:
        # talks made before: their glossary went only to the engine, so they start with none
        batch.add_column(sa.Column("glossary", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("talks") as batch:
        batch.drop_column("glossary")
