"""Browser fixtures live in tests/conftest.py (shared with the policy pages' browser tests)."""
