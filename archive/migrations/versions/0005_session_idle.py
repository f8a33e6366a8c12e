"""Staff sessions remember when they were last used, so that an idle one expires.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_sessions") as batch:
        # sessions from before: counted as used now, so nobody is signed out by the upgrade
        batch.add_column(sa.Column("last_seen_at", sa.DateTime, nullable=False,
                                   server_default=sa.func.current_timestamp()))


def downgrade() -> None:
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_column("last_seen_at")
