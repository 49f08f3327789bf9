"""Request limits and an unavailable database on every route (issue 14), and CSV cells a spreadsheet will not run."""

from __future__ import annotations

from unittest import mock

from sqlalchemy.exc import OperationalError

from backend.reports import csv_cell, to_csv
from bot import health
from tests.console.conftest import Console


def test_a_body_over_the_limit_is_refused_before_login_reads_it(console: Console) -> None:
    client = console.client()
    big = b"x" * (health.MAX_REQUEST_BYTES + 1)
    resp = client.post("/console/login", content=big, headers={"content-type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 413
    assert client.post("/console/login", content=b"username=a", headers={
        "content-type": "application/x-www-form-urlencoded", "content-length": "abc"}).status_code in (400, 413)


def test_a_locked_database_answers_503_with_retry_after(console: Console) -> None:
    sup = console.login("sup")
    locked = OperationalError("SELECT 1", {}, Exception("database is locked"))
    with mock.patch("bot.console.tickets.queries.list_tickets", side_effect=locked):
        resp = sup.get("/console/tickets")
    assert resp.status_code == 503 and resp.headers["Retry-After"] == str(health.RETRY_AFTER_S)
    assert "locked" not in resp.text and "SELECT" not in resp.text


def test_exported_cells_never_start_a_formula() -> None:
    assert [csv_cell(v) for v in ("=1+1", "+86", "-2", "@SUM(A1)", "3栋2单元1502", 7)] == \
        ["'=1+1", "'+86", "'-2", "'@SUM(A1)", "3栋2单元1502", 7]
    assert "'=HYPERLINK" in to_csv([{"unit": '=HYPERLINK("http://x")'}])

