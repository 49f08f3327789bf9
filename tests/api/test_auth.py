"""Bearer-token authentication of the REST API, and its OpenAPI description."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import AUTH, TOKEN

PATHS = ["/api/v1/tickets", "/api/v1/tickets/AJ-20261127-0001", "/api/v1/owners", "/api/v1/units"]


@pytest.mark.parametrize("path", PATHS)
def test_no_token_is_401_with_challenge(make_client: Callable[..., TestClient], path: str) -> None:
    resp = make_client().get(path)
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == "Bearer"
    assert resp.json() == {"detail": "missing bearer token"}


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", TOKEN, "Bearer wrong"])
def test_wrong_token_is_401(make_client: Callable[..., TestClient], header: str) -> None:
    resp = make_client().get("/api/v1/tickets", headers={"Authorization": header})
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == "Bearer"


def test_right_token_is_accepted(make_client: Callable[..., TestClient]) -> None:
    resp = make_client().get("/api/v1/tickets", headers=AUTH)
    assert resp.status_code == 200
    assert resp.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


@pytest.mark.parametrize("token", [None, ""])
def test_without_configured_token_every_call_is_503(make_client: Callable[..., TestClient], token: str | None) -> None:
    client = make_client(api_token=token)
    for path in PATHS:
        resp = client.get(path, headers=AUTH)
        assert resp.status_code == 503
        assert resp.json() == {"detail": "API disabled: set ANJU_API_TOKEN"}
    assert client.post("/api/v1/import/owners", content="x", headers=AUTH | {"content-type": "text/csv"}
                       ).status_code == 503


def test_auth_is_checked_before_the_body_is_read(make_client: Callable[..., TestClient]) -> None:
    resp = make_client().post("/api/v1/import/owners", content="project_code\n",
                              headers={"content-type": "text/csv"})
    assert resp.status_code == 401


def test_openapi_documents_every_api_route_with_tags_summaries_and_bearer(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["ApiToken"] == {
        "type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <ANJU_API_TOKEN>`"}
    ops = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert {(p, m) for p, m, _ in ops} >= {
        ("/api/v1/tickets", "get"), ("/api/v1/tickets/{number}", "get"), ("/api/v1/tickets/{number}", "patch"),
        ("/api/v1/owners", "get"), ("/api/v1/units", "get"), ("/api/v1/import/owners", "post"),
    }
    for path, method, op in ops:
        assert op["tags"] and op["summary"], (path, method)
        assert op["security"] == [{"ApiToken": []}], (path, method)
        assert {"401", "503"} <= set(op["responses"]), (path, method)
    body = schema["paths"]["/api/v1/import/owners"]["post"]
    assert {"text/csv", "multipart/form-data"} <= set(body["requestBody"]["content"])
    assert "`advisor_username`" in body["description"]
