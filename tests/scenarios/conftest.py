"""The scenario suite runs against the same live app as ``tests/e2e`` (real webhooks, builtin NLU, fakes)."""

from __future__ import annotations

from tests.e2e.conftest import e2e_data_dir, http, live, world  # noqa: F401  (fixtures, package-scoped here too)
