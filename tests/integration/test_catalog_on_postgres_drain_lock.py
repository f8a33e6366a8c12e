"""tests/unit/test_drain_lock.py again, on a fresh PostgreSQL database per test (the ``catalog_url``
fixture gives PostgreSQL in this tier)."""

from tests.unit.test_drain_lock import *  # noqa: F403
