"""``anju staff ...``: accounts, paging contacts, bind codes, test messages, password resets.

- ``add`` creates an account; on an existing username it refuses unless ``--update`` (and even then it
  never reactivates a disabled account, and the role changes only when ``--role`` is given).
- ``passwd`` sets a new password, revokes the account's console sessions, is audited, never touches the role.
- ``disable`` deactivates an account and revokes its sessions (audited).
- ``contact`` shows or sets paging addresses (``--phone``, ``--wechat``, ``--telegram``; ``""`` clears);
  ``code`` issues a one-time bind code the person sends the bot; ``test`` queues a test message.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy import select, update

from backend import audit
from backend import staff_contacts as contacts
from backend.db import make_engine, session_factory, transaction
from backend.models import Role, Staff, StaffSession
from bot.settings import Settings

MIN_PASSWORD = 8
ACTOR = "cli"


def _enabled(settings: Settings) -> list[str]:
    """Channels this deployment has configured (what pages can go out on)."""
    on = [name for name, section in (("wechat", settings.wechat), ("sms", settings.twilio),
                                     ("telegram", settings.telegram)) if section.enabled]
    return on


def _session(settings: Settings):  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    return engine, session_factory(engine)


def _find(session, who: str) -> Staff | None:  # type: ignore[no-untyped-def]
    stmt = select(Staff).where(Staff.username == who)
    staff = session.scalars(stmt).first()
    if staff is None and who.isdigit():
        staff = session.get(Staff, int(who))
    return staff


def add_staff(settings: Settings, args: argparse.Namespace) -> int:
    """Create the account; an existing username is changed only with ``--update``."""
    if len(args.password) < MIN_PASSWORD:
        print(f"password must have at least {MIN_PASSWORD} characters")
        return 2
    username = args.username or args.name
    now = datetime.now(UTC)
    engine, factory = _session(settings)
    try:
        with transaction(factory) as session:
            staff = session.scalars(select(Staff).where(Staff.username == username)).first()
            if staff is not None and not getattr(args, "update", False):
                print(f"staff {username} already exists ({staff.role.value}{'' if staff.active else ', disabled'}): "
                      "use `anju staff passwd` for a new password, or `staff add --update` to change it")
                return 2
            created = staff is None
            if staff is None:
                staff = Staff(name=args.name, username=username, role=Role(args.role or "agent"),
                              language=args.language or "zh")
                session.add(staff)
            else:
                staff.name = args.name
                if args.role:
                    staff.role = Role(args.role)
                if args.language:
                    staff.language = args.language
            staff.password_hash = PasswordHasher().hash(args.password)
            staff.failed_logins, staff.locked_until = 0, None
            session.flush()
            audit.record(session, "staff_created" if created else "staff_updated", now=now, actor=ACTOR,
                         target=f"staff:{staff.id}", role=staff.role.value, via="cli")
            role, active = staff.role.value, staff.active
    finally:
        engine.dispose()
    print(f"{'created' if created else 'updated'} {role} {username}{'' if active else ' (still disabled)'}")
    return 0


def _revoke(session, staff: Staff, now: datetime) -> int:  # type: ignore[no-untyped-def]
    result = session.execute(update(StaffSession).where(StaffSession.staff_id == staff.id,
                                                        StaffSession.revoked_at.is_(None)).values(revoked_at=now))
    return result.rowcount or 0


def cmd_passwd(settings: Settings, args: argparse.Namespace) -> int:
    """New password; every console session of the account is revoked; the role is untouched."""
    password = args.password or getpass.getpass("new password: ")
    if len(password) < MIN_PASSWORD:
        print(f"password must have at least {MIN_PASSWORD} characters")
        return 2
    now = datetime.now(UTC)
    engine, factory = _session(settings)
    try:
        with transaction(factory) as session:
            staff = _find(session, args.username)
            if staff is None:
                print(f"no staff account {args.username!r}")
                return 1
            staff.password_hash = PasswordHasher().hash(password)
            staff.failed_logins, staff.locked_until = 0, None
            revoked = _revoke(session, staff, now)
            audit.record(session, "password_reset", now=now, actor=ACTOR, target=f"staff:{staff.id}",
                         sessions_revoked=revoked)
            name = staff.username
    finally:
        engine.dispose()
    print(f"password changed for {name}; {revoked} console session(s) signed out")
    return 0


def cmd_disable(settings: Settings, args: argparse.Namespace) -> int:
    """Deactivate an account (no login, no pages) and sign it out everywhere."""
    now = datetime.now(UTC)
    engine, factory = _session(settings)
    try:
        with transaction(factory) as session:
            staff = _find(session, args.username)
            if staff is None:
                print(f"no staff account {args.username!r}")
                return 1
            staff.active = False
            revoked = _revoke(session, staff, now)
            audit.record(session, "staff_disabled", now=now, actor=ACTOR, target=f"staff:{staff.id}",
                         sessions_revoked=revoked)
            name = staff.username
    finally:
        engine.dispose()
    print(f"disabled {name}; {revoked} console session(s) signed out")
    return 0


def _line(view: dict[str, object]) -> str:
    reach = ",".join(view["reachable"]) or "UNREACHABLE"  # type: ignore[arg-type]
    return (f"{view['username']:<16} {view['role']:<10} {'active' if view['active'] else 'disabled':<8} "
            f"phone={view['phone'] or '-'} wechat={view['wechat_openid'] or '-'} "
            f"telegram={view['telegram_chat_id'] or '-'}  pageable on: {reach}")


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    """Every account with its paging addresses and the channels it can be paged on here."""
    engine, factory = _session(settings)
    try:
        with factory() as session:
            for staff in session.scalars(select(Staff).order_by(Staff.id)):
                print(_line(contacts.contact_view(staff, _enabled(settings))))
    finally:
        engine.dispose()
    return 0


def cmd_contact(settings: Settings, args: argparse.Namespace) -> int:
    """Show or set a staff member's paging addresses; warns when none can be paged on."""
    changes = {field: value for field, value in (("phone", args.phone), ("wechat_openid", args.wechat),
                                                 ("telegram_chat_id", args.telegram)) if value is not None}
    now = datetime.now(UTC)
    engine, factory = _session(settings)
    try:
        with transaction(factory) as session:
            staff = _find(session, args.username)
            if staff is None:
                print(f"no staff account {args.username!r}")
                return 1
            try:
                contacts.set_contacts(session, staff, now=now, actor=ACTOR, changes=changes)
            except contacts.ContactError as exc:
                print(f"refused: {exc}")
                return 2
            view = contacts.contact_view(staff, _enabled(settings))
    finally:
        engine.dispose()
    print(_line(view))
    if not view["reachable"]:
        print(f"warning: {view['username']} cannot be paged on any enabled channel "
              f"(enabled here: {', '.join(_enabled(settings)) or 'none'})")
        return 3
    return 0


def cmd_code(settings: Settings, args: argparse.Namespace) -> int:
    """Issue a one-time code; the person sends it to the bot on WeChat/Telegram/SMS to bind that account."""
    now = datetime.now(UTC)
    engine, factory = _session(settings)
    try:
        with transaction(factory) as session:
            staff = _find(session, args.username)
            if staff is None or not staff.active:
                print(f"no active staff account {args.username!r}")
                return 1
            code = contacts.issue_bind_code(session, staff, now=now, actor=ACTOR)
            name = staff.username
    finally:
        engine.dispose()
    print(f"bind code for {name}: {code}  (valid {int(contacts.BIND_CODE_TTL.total_seconds() // 3600)} h, one use)")
    print("they send exactly this code to the official account / Telegram bot / SMS number")
    return 0


def cmd_test(settings: Settings, args: argparse.Namespace) -> int:
    """Queue a test message on each channel the person can be paged on (a running worker sends it)."""
    from bot.dialogs.texts import render

    now = datetime.now(UTC)
    engine, factory = _session(settings)
    try:
        with transaction(factory) as session:
            staff = _find(session, args.username)
            if staff is None:
                print(f"no staff account {args.username!r}")
                return 1
            sent = contacts.send_test(session, staff, now=now, enabled=_enabled(settings), actor=ACTOR,
                                      text=render("staff_test_message", staff.language), channel=args.channel)
            name = staff.username
    finally:
        engine.dispose()
    if not sent:
        print(f"{name} has no reachable channel{' ' + args.channel if args.channel else ''}: nothing queued")
        return 3
    print(f"test message queued for {name} on {', '.join(sent)}; check the outbox/console for delivery")
    return 0


def add_staff_commands(staff: argparse._SubParsersAction, func: Callable[[argparse.Namespace], int]) -> None:
    """Register ``list``, ``contact``, ``code``, ``test``, ``passwd`` and ``disable`` under ``anju staff``."""
    staff.add_parser("list", help="accounts and where each can be paged").set_defaults(func=func)
    contact = staff.add_parser("contact", help="show or set paging addresses (\"\" clears one)")
    contact.add_argument("username")
    contact.add_argument("--phone", help="mobile number for SMS pages, e.g. 13912345678")
    contact.add_argument("--wechat", help="WeChat openid (or let them bind with `staff code`)")
    contact.add_argument("--telegram", help="Telegram chat id (or let them bind with `staff code`)")
    contact.set_defaults(func=func)
    code = staff.add_parser("code", help="one-time code to bind WeChat/Telegram by messaging the bot")
    code.add_argument("username")
    code.set_defaults(func=func)
    test = staff.add_parser("test", help="queue a test message on the person's paging channels")
    test.add_argument("username")
    test.add_argument("--channel", choices=["wechat", "sms", "telegram"])
    test.set_defaults(func=func)
    passwd = staff.add_parser("passwd", help="set a new password (signs out every session; role unchanged)")
    passwd.add_argument("username")
    passwd.add_argument("--password", help="the new password (prompted when left out)")
    passwd.set_defaults(func=func)
    disable = staff.add_parser("disable", help="deactivate an account and sign it out")
    disable.add_argument("username")
    disable.set_defaults(func=func)
