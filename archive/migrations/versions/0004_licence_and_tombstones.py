"""A licence per talk, and tombstones of deleted talks for OAI-PMH harvesters (the talk's id
and when it was deleted: nothing about the person).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("talks") as batch:
        # talks made before licences existed: nobody chose one, so none is granted until staff
        # do (the setting's default is for new talks; an existing talk must not gain CC BY)
        batch.add_column(sa.Column("licence", sa.String(64), nullable=False,
                                   server_default="LicenseRef-all-rights-reserved"))
    op.create_table(
        "deleted_talks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("deleted_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_deleted_talks_deleted_at", "deleted_talks", ["deleted_at"])


def downgrade() -> None:
    op.drop_table("deleted_talks")
    with op.batch_alter_table("talks") as batch:
        batch.drop_column("licence")
