"""The console's paging-contacts page: who is unreachable, set an address, test message, bind code."""

from __future__ import annotations

import re

from sqlalchemy import select

from backend.models import Outbox, Staff, StaffBindCode
from tests.console.conftest import Console, console, csrf_of, password_hash  # noqa: F401
from tests.ops.conftest import Estate

BASE = "/console/staff-contacts"


def test_admin_sets_a_contact_tests_it_and_issues_a_code(console: Console, estate: Estate) -> None:  # noqa: F811
    admin = console.login("admin")
    page = admin.get(BASE)
    assert page.status_code == 200
    eng_id = console.users["eng"]
    row = re.search(rf'<tr data-staff="{eng_id}" class="([^"]*)"', page.text)
    assert row and row.group(1) == "unreachable"
    coverage = page.text.split('id="coverage"')[1].split("</section>")[0]
    gaps = re.findall(r'<li class="gap">(L\d) · ([^<]+)</li>', coverage)
    assert [g[0] for g in gaps] == ["L1", "L2", "L3"]  # the rota ends in two days, on every layer
    assert all(g[1].startswith("2026-11-26 10:00") for g in gaps)
    csrf = csrf_of(admin, BASE)
    r = admin.post(f"{BASE}/{eng_id}", data={"csrf": csrf, "phone": "", "wechat_openid": "",
                                             "telegram_chat_id": "31337"})
    assert r.status_code == 303 and "msg=saved" in r.headers["location"]
    r = admin.post(f"{BASE}/{eng_id}", data={"csrf": csrf, "phone": "", "wechat_openid": "",
                                             "telegram_chat_id": "9001"})  # engineer 1's chat
    assert "err=contact_refused" in r.headers["location"]
    with console.bot.svc.sessions() as s:
        assert s.get(Staff, eng_id).telegram_chat_id == "31337"
    page = admin.get(BASE)
    assert re.search(rf'<tr data-staff="{eng_id}" class="">', page.text)
    assert admin.post(f"{BASE}/{eng_id}/test", data={"csrf": csrf}).status_code == 303
    with console.bot.svc.sessions() as s:
        assert [(o.channel, o.recipient) for o in s.scalars(select(Outbox))] == [("telegram", "31337")]
    r = admin.post(f"{BASE}/{eng_id}/code", data={"csrf": csrf})
    code = re.search(r"<code>(S\d{8})</code>", r.text)
    assert r.status_code == 200 and code
    with console.bot.svc.sessions() as s:
        assert s.scalars(select(StaffBindCode)).one().staff_id == eng_id


def test_supervisors_see_agents_do_not_and_only_admins_edit(console: Console, estate: Estate) -> None:  # noqa: F811
    assert console.login("advisor").get(BASE).status_code == 403
    sup = console.login("sup")
    page = sup.get(BASE)
    assert page.status_code == 200 and 'name="telegram_chat_id"' not in page.text
    csrf = csrf_of(sup, BASE)
    assert sup.post(f"{BASE}/{console.users['eng']}", data={"csrf": csrf, "telegram_chat_id": "1"}).status_code == 403


def test_putting_an_unreachable_person_on_the_rota_is_reported(console: Console, estate: Estate) -> None:  # noqa: F811
    from tests.console.conftest import post

    admin = console.login("admin")
    resp = post(admin, "/console/rota/shifts", layer="1", staff_id=str(console.users["eng"]),
                starts_at="2026-11-27T08:00", ends_at="2026-11-27T20:00")
    assert resp.headers["location"].startswith(BASE) and "err=rota_unreachable" in resp.headers["location"]
    assert 'id="rota-unreachable"' in admin.get(resp.headers["location"]).text
    resp = post(admin, "/console/rota/shifts", layer="2", staff_id=str(console.users["sup"]),
                starts_at="2026-11-27T08:00", ends_at="2026-11-27T20:00")
    assert resp.headers["location"].startswith(BASE)  # sup has no address either
    with console.bot.svc.sessions() as s, s.begin():
        s.get(Staff, console.users["sup"]).telegram_chat_id = "4040"
    resp = post(admin, "/console/rota/shifts", layer="2", staff_id=str(console.users["sup"]),
                starts_at="2026-11-28T08:00", ends_at="2026-11-28T20:00")
    assert resp.headers["location"] == "/console/rota?msg=saved"
