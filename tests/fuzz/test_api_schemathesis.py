"""Schemathesis against the OpenAPI schema of ``/api/v1``: generated requests (valid and invalid, with a
valid token) never produce a 5xx, and responses match the documented schema.

Runs the real app in-process on a private database seeded with a small estate.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

from tests.loadgen import stack
from tests.reliability.inproc import InProcess, settings_for, short_timeout_channels

pytestmark = [pytest.mark.filterwarnings("ignore"), pytest.mark.slow]


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    """The app on a private, seeded database (fake platform URLs: nothing is sent from the API)."""
    import os

    from nlu import ensure_trained

    tmp = tmp_path_factory.mktemp("schemathesis")
    ensure_trained(tmp / "nlu")
    urls = stack.PlatformUrls("http://127.0.0.1:9", "http://127.0.0.1:9", "http://127.0.0.1:9")
    pg = os.environ.get("ANJU_TEST_DATABASE_URL")
    with stack.fresh_database("pg" if pg else "sqlite", tmp, pg) as url:
        stack.seed(url, owners=5)
        settings = settings_for(url, tmp, urls)
        app = InProcess(settings, channels=short_timeout_channels(settings))
        try:
            yield app
        finally:
            app.close()


@pytest.fixture(scope="module")
def api_schema(api_app: InProcess) -> schemathesis.schemas.BaseSchema:
    """The ``/api/v1`` part of the app's OpenAPI schema."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_app.app)
    return schema.include(path_regex=r"^/api/v1/")


def test_api_never_answers_5xx(api_schema: schemathesis.schemas.BaseSchema) -> None:
    """Every operation, 6 generated cases each (the pytest plugin's fixture loader does not run on pytest 9)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations, "no /api/v1 operations in the schema"
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @hsettings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {stack.API_TOKEN}"}
            case.call_and_validate(checks=[schemathesis.checks.not_a_server_error])

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:1500])
    assert not failures, "\n\n".join(failures)
