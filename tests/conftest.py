"""Shared fixtures."""

import os

from hypothesis import settings as hypothesis_settings

from tests.db import db_url, engine, session  # noqa: F401
from tests.fakes.fixtures import *  # noqa

# The suite is a landing gate: property tests run a fixed (derandomized) set of examples there.
# Explore new ones locally with ANJU_FUZZ=random.
hypothesis_settings.register_profile("gate", derandomize=True, database=None)
hypothesis_settings.register_profile("random")
hypothesis_settings.load_profile("random" if os.environ.get("ANJU_FUZZ") == "random" else "gate")
