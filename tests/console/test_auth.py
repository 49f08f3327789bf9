"""Login, sessions, CSRF, roles and lock-out."""

from __future__ import annotations

from sqlalchemy import select

from backend.models import AuditLog, Staff, StaffSession
from tests.console.conftest import PASSWORD, Console, csrf_of, login


def _audit(console: Console, action: str) -> list[AuditLog]:
    with console.bot.svc.sessions() as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_pages_need_a_login(console: Console) -> None:
    client = console.client()
    resp = client.get("/console/tickets")
    assert resp.status_code == 303 and resp.headers["location"].startswith("/console/login?next=%2Fconsole%2Ftickets")
    assert client.get("/console/events", headers={"accept": "text/event-stream"}).status_code == 401


def test_login_sets_a_safe_session_cookie_and_is_audited(console: Console) -> None:
    client = console.client()
    resp = login(client, "sup", PASSWORD)
    assert resp.status_code == 303
    cookie = next(v for k, v in resp.headers.multi_items() if k == "set-cookie" and v.startswith("anju_console="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    page = client.get("/console")
    assert page.status_code == 200 and "sup员工" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert [e.staff_id for e in _audit(console, "login")] == [console.users["sup"]]
    with console.bot.svc.sessions() as s:
        row = s.scalars(select(StaffSession)).one()
        assert row.token_hash not in cookie  # only a keyed hash of the token is stored


def test_cookie_is_secure_over_https(console: Console) -> None:
    console.bot.svc.settings.public_url = "https://anju.example.com"
    resp = login(console.client("https://anju.example.com"), "sup", PASSWORD)
    cookie = next(v for k, v in resp.headers.multi_items() if k == "set-cookie" and v.startswith("anju_console="))
    assert "Secure" in cookie


def test_wrong_password_then_lockout_even_for_the_right_password(console: Console) -> None:
    client = console.client()
    for _ in range(5):
        resp = login(client, "agent2", "wrong password!")
        assert resp.status_code == 303 and "err=login_failed" in resp.headers["location"]
    with console.bot.svc.sessions() as s:
        staff = s.get(Staff, console.users["agent2"])
        assert staff is not None and staff.locked_until is not None
    resp = login(client, "agent2", PASSWORD)
    assert "err=login_failed" in resp.headers["location"]
    assert len(_audit(console, "lockout")) == 1
    assert len(_audit(console, "login_failed")) == 5  # 4 wrong passwords + 1 while locked
    console.bot.advance(minutes=16)
    assert login(client, "agent2", PASSWORD).headers["location"] == "/console"


def test_unknown_user_and_engineer_cannot_log_in(console: Console) -> None:
    assert "err=login_failed" in login(console.client(), "nobody", PASSWORD).headers["location"]
    assert "err=no_console_access" in login(console.client(), "eng", PASSWORD).headers["location"]


def test_login_form_needs_its_csrf_token(console: Console) -> None:
    client = console.client()
    resp = client.post("/console/login", data={"username": "sup", "password": PASSWORD, "csrf": "forged"})
    assert resp.status_code == 303 and "err=bad_csrf" in resp.headers["location"]


def test_every_post_needs_the_csrf_token(console: Console) -> None:
    client = console.login("sup")
    assert client.post("/console/logout", data={}).status_code == 403
    assert client.post("/console/logout", data={"csrf": "x" * 40}).status_code == 403
    token = csrf_of(client)
    assert client.post("/console/lang", data={"lang": "en"}, headers={"x-csrf-token": token}).status_code == 303
    assert "Inbox" in client.get("/console").text


def test_logout_revokes_the_session(console: Console) -> None:
    client = console.login("sup")
    cookie = client.cookies.get("anju_console")
    assert client.post("/console/logout", data={"csrf": csrf_of(client)}).status_code == 303
    other = console.client()
    other.cookies.set("anju_console", cookie or "")
    assert other.get("/console").status_code == 303
    assert len(_audit(console, "logout")) == 1


def test_roles_are_enforced_on_every_route(console: Console) -> None:
    agent, sup, admin = console.login("agent2"), console.login("sup"), console.login("admin")
    for path in ("/console/audit", "/console/tickets/export.csv", "/console/staff", "/console/settings"):
        resp = agent.get(path)
        assert resp.status_code == 403, path
    assert "无权访问" in agent.get("/console/audit").text
    assert sup.get("/console/audit").status_code == 200
    assert sup.get("/console/staff").status_code == 403
    assert admin.get("/console/staff").status_code == 200
    assert admin.get("/console/settings").status_code == 200
    token = csrf_of(agent)
    resp = agent.post("/console/staff", data={"csrf": token, "name": "x", "username": "x", "password": "12345678"})
    assert resp.status_code == 403


def test_admin_creates_an_account_that_can_log_in(console: Console) -> None:
    admin = console.login("admin")
    resp = admin.post("/console/staff", data={"csrf": csrf_of(admin), "name": "新同事", "username": "newbie",
                                              "password": "long enough pw", "role": "agent", "language": "en"})
    assert resp.status_code == 303 and "msg=saved" in resp.headers["location"]
    client = console.login("newbie", "long enough pw")
    assert "Inbox" in client.get("/console").text
    assert len(_audit(console, "staff_created")) == 1
