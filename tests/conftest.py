"""Shared fixtures."""

from tests.db import db_url, engine, session  # noqa: F401
