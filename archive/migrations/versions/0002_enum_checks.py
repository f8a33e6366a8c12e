"""The catalog refuses a talk status, job state or outbox action outside its enum.

Rows written before with a value outside it are mended first: an unknown job state becomes
``failed`` (the job can be retried), an unknown outbox action ``upsert`` (re-indexing is
harmless), an unknown talk status ``ready``.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CHECKS = (
    ("talks", "status", ("ready",), "ready"),
    ("jobs", "state", ("queued", "running", "ready", "failed"), "failed"),
    ("index_outbox", "action", ("upsert", "delete"), "upsert"),
)


def upgrade() -> None:
    for table, column, values, fallback in CHECKS:
        allowed = ", ".join(f"'{v}'" for v in values)
        op.execute(sa.text(f"UPDATE {table} SET {column} = '{fallback}' "
                           f"WHERE {column} NOT IN ({allowed})"))
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(f"ck_{table}_{column}", f"{column} IN ({allowed})")


def downgrade() -> None:
    for table, column, _values, _fallback in CHECKS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"ck_{table}_{column}", type_="check")
