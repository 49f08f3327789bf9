"""Shared fixtures."""

from tests.db import db_url, engine, session  # noqa: F401
from tests.fakes.fixtures import *  # noqa
