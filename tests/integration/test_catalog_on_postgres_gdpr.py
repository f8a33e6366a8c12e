"""tests/unit/test_gdpr.py again, on a fresh PostgreSQL database per test (the ``catalog_url``
fixture gives PostgreSQL in this tier)."""

from tests.unit.test_gdpr import *  # noqa: F403
