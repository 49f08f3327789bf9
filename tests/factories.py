"""Small builders for test data."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from backend.models import Building, Owner, Ownership, Project, Role, Staff, Unit

_seq = itertools.count(1)


def make_staff(session: Session, role: Role = Role.AGENT, **kw: object) -> Staff:
    """A staff member with a unique username."""
    n = next(_seq)
    staff = Staff(name=kw.pop("name", f"员工{n}"), username=kw.pop("username", f"staff{n}"), role=role, **kw)
    session.add(staff)
    session.flush()
    return staff


def make_unit(session: Session, *, stage: str = "handed_over", room: str | None = None) -> Unit:
    """A unit in a new project."""
    n = next(_seq)
    project = Project(code=f"P{n}", name=f"安居花园{n}期", name_en=f"Anju Garden {n}", stage=stage)
    building = Building(project=project, number="3")
    unit = Unit(building=building, entrance="2", room=room or f"{1500 + n % 90}", floor=15)
    session.add_all([project, building, unit])
    session.flush()
    return unit


def make_owner(
    session: Session,
    unit: Unit | None = None,
    *,
    advisor: Staff | None = None,
    language: str = "zh",
    signed_on: date = date(2024, 3, 1),
    handover_on: date | None = date(2025, 6, 30),
    phone: str | None = None,
) -> Owner:
    """An owner of ``unit`` (a new unit if none)."""
    unit = unit or make_unit(session)
    n = next(_seq)
    owner = Owner(name=f"业主{n}", phone=phone or f"139{n:08d}", language=language,
                  advisor_id=advisor.id if advisor else None)
    session.add(owner)
    session.flush()
    session.add(Ownership(owner_id=owner.id, unit_id=unit.id, signed_on=signed_on, handover_on=handover_on))
    session.flush()
    return owner
