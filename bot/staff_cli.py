"""``anju staff add``: create or update a staff account with an argon2 password hash."""

from __future__ import annotations

import argparse

from argon2 import PasswordHasher
from sqlalchemy import select

from backend.db import make_engine, session_factory, transaction
from backend.migrate import upgrade
from backend.models import Role, Staff
from bot.settings import Settings

MIN_PASSWORD = 8


def add_staff(settings: Settings, args: argparse.Namespace) -> int:
    """Create the account, or update role/password of an existing username."""
    if len(args.password) < MIN_PASSWORD:
        print(f"password must have at least {MIN_PASSWORD} characters")
        return 2
    upgrade(settings.database_url)
    username = args.username or args.name
    engine = make_engine(settings.database_url)
    with transaction(session_factory(engine)) as session:
        staff = session.scalars(select(Staff).where(Staff.username == username)).first()
        created = staff is None
        if staff is None:
            staff = Staff(name=args.name, username=username)
            session.add(staff)
        staff.name, staff.role, staff.language = args.name, Role(args.role), args.language
        staff.password_hash = PasswordHasher().hash(args.password)
        staff.failed_logins, staff.locked_until, staff.active = 0, None, True
    engine.dispose()
    print(f"{'created' if created else 'updated'} {args.role} {username}")
    return 0
