"""tests/unit/test_programme_import.py again, on a fresh PostgreSQL database per test (the
``catalog_url`` fixture gives PostgreSQL in this tier)."""

from tests.unit.test_programme_import import *  # noqa: F403
