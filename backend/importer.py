"""Owner-register import from CSV: projects, buildings, units, owners and ownerships.

The file is checked completely before anything is written; if any row is bad the report lists
every problem and the session is left untouched (all or nothing). Re-importing the same file
changes nothing: an owner is matched by phone number plus unit, so a second import updates.

The header row names the columns (any order; :data:`COLUMN_HELP` says what each holds). The
text may be UTF-8 (with or without BOM) or GB18030. Rows are numbered as in a spreadsheet: the
header is row 1. Marketing consent given or withdrawn in the file is recorded with source
``csv_import`` and the import time.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import warranty
from backend.models import Building, Owner, Ownership, Project, Staff, Unit

# column, required, meaning (also shown in the API documentation)
COLUMN_HELP: tuple[tuple[str, bool, str], ...] = (
    ("project_code", True, "project code: 1-32 letters, digits, `-` or `_` (`CHW`)"),
    ("project_name", True, "project name (`安居·翠湖湾`); renames an existing project"),
    ("building", True, "building number (`3`, `3栋` or `3#`)"),
    ("entrance", False, "entrance (单元), default `1`"),
    ("room", True, "room number (`1502`)"),
    ("floor", False, "floor; default read from the room number (`1502` → 15)"),
    ("owner_name", True, "the owner's name"),
    ("phone", True, "mainland mobile (`13912345678`, `+86 139 1234 5678`) or `+` and 8-15 digits"),
    ("language", False, "`zh` or `en`; blank: `zh` for a new owner, else unchanged"),
    ("signed_on", True, "contract signing date, `YYYY-MM-DD` (or `YYYY/MM/DD`)"),
    ("handover_on", False, "handover (交付) date, not before `signed_on`; blank: not yet, or unchanged"),
    ("advisor_username", False, "username of an active staff member: the owner's 客服顾问"),
    ("marketing_consent", False, "`yes`/`no` (also 1/0, true/false, 是/否); blank keeps the current value"),
)
COLUMNS = tuple(c for c, _, _ in COLUMN_HELP)
REQUIRED = tuple(c for c, required, _ in COLUMN_HELP if required)
MAX_ROWS = 20_000
MAX_ERRORS = 1_000
CONSENT_SOURCE = "csv_import"
LANGUAGES = ("zh", "en")
_YES = {"1", "y", "yes", "true", "是", "同意"}
_NO = {"0", "n", "no", "false", "否", "不同意"}
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_INTL = re.compile(r"^\+\d{8,15}$")
_LIMITS = {"project_name": 120, "building": 16, "entrance": 8, "room": 16, "owner_name": 60}


@dataclass(frozen=True)
class RowError:
    """One problem in the file: spreadsheet row (header = 1), column (``None``: the whole row), message."""

    row: int
    field: str | None
    error: str


@dataclass(frozen=True)
class OwnerRow:
    """A valid, normalised data row."""

    row: int
    project_code: str
    project_name: str
    building: str
    entrance: str
    room: str
    floor: int
    owner_name: str
    phone: str
    language: str | None
    signed_on: date
    handover_on: date | None
    advisor_id: int | None
    marketing_consent: bool | None


@dataclass
class ImportReport:
    """What an import did, or why it did nothing (``errors``)."""

    rows: int = 0
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file was valid and its rows were applied."""
        return not self.errors


def import_owners_csv(session: Session, text: str, *, now: datetime,
                      tz: ZoneInfo = ZoneInfo("Asia/Shanghai")) -> ImportReport:
    """Import an owner register (see the module docstring for the columns).

    Args:
        session: An open session. Nothing is written unless every row is valid; the caller
            commits when ``report.ok``.
        text: The CSV text, header row first.
        now: The time recorded with marketing consent given or withdrawn in the file.
        tz: The estate's timezone, for the warranty reminder times of units handed over in the file.

    Returns:
        Counts of created and updated records (a unit's handover also grants its warranty items,
        ``created["warranty_items"]``), or every row-level error (and no change).
    """
    report = ImportReport()
    rows = _validate(session, text, report)
    if not report.errors:
        _apply(session, rows, now, tz, report)
        session.flush()
    return report


def parse_date(text: str) -> date:
    """``YYYY-MM-DD`` (also ``/`` or ``.`` separated, single-digit month/day); raises ``ValueError``."""
    return datetime.strptime(text.strip().replace("/", "-").replace(".", "-"), "%Y-%m-%d").date()


def normalise_phone(text: str) -> str:
    """A mainland mobile as 11 digits, another number as ``+`` and digits; raises ``ValueError``."""
    raw = re.sub(r"[\s\-()（）]", "", text)
    for prefix in ("+86", "0086", "86"):
        if raw.startswith(prefix) and _MOBILE.match(raw[len(prefix):]):
            return raw[len(prefix):]
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if _MOBILE.match(raw) or _INTL.match(raw):
        return raw
    raise ValueError("not a mainland mobile number (11 digits starting 1) or an international +number")


def _floor_from_room(room: str) -> int:
    digits = re.sub(r"\D", "", room)
    if len(digits) < 3:
        raise ValueError("give the floor: it cannot be read from the room number")
    return int(digits[:-2])


def parse_row(
    n: int, raw: dict[str, str], advisors: dict[str, int]
) -> tuple[OwnerRow | None, list[RowError]]:
    """Check and normalise one data row; returns the row or its errors."""
    v = {c: (raw.get(c) or "").strip() for c in COLUMNS}
    errors: list[RowError] = []

    def bad(col: str, msg: str) -> None:
        errors.append(RowError(n, col, msg))

    for col in REQUIRED:
        if not v[col]:
            bad(col, "required")
    for col in COLUMNS:
        if "\x00" in v[col]:
            bad(col, "contains a NUL character")
            v[col] = v[col].replace("\x00", "")
    for col, limit in _LIMITS.items():
        if len(v[col]) > limit:
            bad(col, f"longer than {limit} characters")
    if v["project_code"] and not _CODE.match(v["project_code"]):
        bad("project_code", "use 1-32 letters, digits, '-' or '_'")
    building = re.sub(r"(栋|幢|号楼|座|#)$", "", v["building"])
    if v["building"] and not building:
        bad("building", "no building number")
    entrance = re.sub(r"单元$", "", v["entrance"]) or "1"
    floor = 0
    try:
        floor = int(v["floor"]) if v["floor"] else _floor_from_room(v["room"]) if v["room"] else 0
        if not -5 <= floor <= 200:
            bad("floor", "must be between -5 and 200")
    except ValueError as exc:
        bad("floor", "not a whole number" if v["floor"] else str(exc))
    phone = ""
    if v["phone"]:
        try:
            phone = normalise_phone(v["phone"])
        except ValueError as exc:
            bad("phone", str(exc))
    language = v["language"].lower().replace("_", "-").split("-")[0] or None
    if language is not None and language not in LANGUAGES:
        bad("language", "use zh or en")
    signed_on = handover_on = None
    for col in ("signed_on", "handover_on"):
        if v[col]:
            try:
                parsed = parse_date(v[col])
            except ValueError:
                bad(col, "not a date (use YYYY-MM-DD)")
                continue
            if col == "signed_on":
                signed_on = parsed
            else:
                handover_on = parsed
    if signed_on and handover_on and handover_on < signed_on:
        bad("handover_on", "before signed_on")
    advisor_id = None
    if v["advisor_username"]:
        advisor_id = advisors.get(v["advisor_username"])
        if advisor_id is None:
            bad("advisor_username", f"no active staff member {v['advisor_username']!r}")
    consent: bool | None = None
    if v["marketing_consent"]:
        flag = v["marketing_consent"].lower()
        if flag not in _YES | _NO:
            bad("marketing_consent", "use yes or no (or leave blank)")
        consent = flag in _YES
    if errors or signed_on is None:
        return None, errors
    row = OwnerRow(n, v["project_code"], v["project_name"], building, entrance, v["room"], floor,
                   v["owner_name"], phone, language, signed_on, handover_on, advisor_id, consent)
    return row, errors


def _validate(session: Session, text: str, report: ImportReport) -> list[OwnerRow]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        report.errors.append(RowError(1, None, f"unreadable CSV: {exc}"))
        return []
    if not any(header):
        report.errors.append(RowError(1, None, "the file is empty; expected a header row"))
        return []
    report.errors += [RowError(1, h or None, f"unknown column {h!r}") for h in header if h not in COLUMNS]
    report.errors += [RowError(1, c, "missing column") for c in REQUIRED if c not in header]
    report.errors += [RowError(1, h, "column appears twice") for h, k in Counter(header).items() if k > 1]
    if report.errors:
        return []
    advisors = {s.username: s.id for s in session.scalars(select(Staff).where(Staff.active.is_(True)))}
    rows: list[OwnerRow] = []
    try:
        _check_rows(reader, header, advisors, rows, report)
    except csv.Error as exc:
        report.errors.append(RowError(reader.line_num, None, f"unreadable CSV: {exc}"))
    if not rows and not report.errors:
        report.errors.append(RowError(1, None, "no data rows"))
    if len(report.errors) > MAX_ERRORS:
        more = len(report.errors) - MAX_ERRORS
        first_cut = report.errors[MAX_ERRORS].row
        report.errors[MAX_ERRORS:] = [RowError(first_cut, None, f"... and {more} more errors")]
    report.rows = len(rows)
    return rows


def _check_rows(reader: Iterator[list[str]], header: list[str], advisors: dict[str, int], rows: list[OwnerRow],
                report: ImportReport) -> None:
    """Parse the data rows into ``rows``, adding problems (also across rows) to ``report.errors``."""
    seen: dict[tuple[str, str, str, str, str], int] = {}
    names: dict[str, tuple[str, int]] = {}
    for n, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if n - 1 > MAX_ROWS:
            report.errors.append(RowError(n, None, f"too many rows (at most {MAX_ROWS})"))
            break
        if len(values) != len(header):
            report.errors.append(RowError(n, None, f"{len(values)} fields, expected {len(header)}"))
            continue
        row, errors = parse_row(n, dict(zip(header, values, strict=True)), advisors)
        report.errors += errors
        if row is None:
            continue
        key = (row.project_code, row.building, row.entrance, row.room, row.phone)
        if key in seen:
            report.errors.append(RowError(n, "phone", f"the same owner and unit as row {seen[key]}"))
            continue
        seen[key] = n
        first_name, first_row = names.setdefault(row.project_code, (row.project_name, n))
        if first_name != row.project_name:
            msg = f"differs from row {first_row} ({first_name!r})"
            report.errors.append(RowError(n, "project_name", msg))
            continue
        rows.append(row)


class _Estate:
    """Finds or creates projects, buildings and units, caching what it has seen."""

    def __init__(self, session: Session, report: ImportReport) -> None:
        self.session = session
        self.report = report
        self.projects: dict[str, Project] = {}
        self.new_projects: set[str] = set()
        self.buildings: dict[tuple[int, str], Building] = {}
        self.units: dict[tuple[int, str, str], Unit] = {}

    def _add(self, obj: object, counter: str) -> None:
        self.session.add(obj)
        self.session.flush()
        self.report.created[counter] += 1

    def project(self, row: OwnerRow) -> Project:
        project = self.projects.get(row.project_code)
        if project is None:
            project = self.session.scalars(select(Project).where(Project.code == row.project_code)).first()
            if project is None:
                project = Project(code=row.project_code, name=row.project_name, stage="under_construction")
                self._add(project, "projects")
                self.new_projects.add(row.project_code)
            elif project.name != row.project_name:
                project.name = row.project_name
                self.report.updated["projects"] += 1
            self.projects[row.project_code] = project
        if row.handover_on and row.project_code in self.new_projects:
            project.stage = "handed_over"  # a new project with handovers in the register
        return project

    def unit(self, row: OwnerRow) -> Unit:
        project = self.project(row)
        bkey = (project.id, row.building)
        if bkey not in self.buildings:
            building = self.session.scalars(select(Building).where(
                Building.project_id == project.id, Building.number == row.building)).first()
            if building is None:
                building = Building(project_id=project.id, number=row.building)
                self._add(building, "buildings")
            self.buildings[bkey] = building
        building_id = self.buildings[bkey].id
        ukey = (building_id, row.entrance, row.room)
        if ukey not in self.units:
            unit = self.session.scalars(select(Unit).where(
                Unit.building_id == building_id, Unit.entrance == row.entrance, Unit.room == row.room
            )).first()
            if unit is None:
                unit = Unit(building_id=building_id, entrance=row.entrance, room=row.room, floor=row.floor)
                self._add(unit, "units")
            elif unit.floor != row.floor:
                unit.floor = row.floor
                self.report.updated["units"] += 1
            self.units[ukey] = unit
        return self.units[ukey]


def _find_owner(session: Session, row: OwnerRow, unit: Unit) -> tuple[Owner | None, Ownership | None]:
    """The owner with this phone on this unit; else one with this phone and name; else nobody."""
    live = (Owner.phone == row.phone, Owner.deleted_at.is_(None))
    on_unit = select(Owner, Ownership).join(Ownership, Ownership.owner_id == Owner.id).where(
        *live, Ownership.unit_id == unit.id).order_by(Owner.id)
    found = session.execute(on_unit).first()
    if found is not None:
        return found[0], found[1]
    same = select(Owner).where(*live, Owner.name == row.owner_name).order_by(Owner.id)
    return session.scalars(same).first(), None


def _set(obj: object, attr: str, value: object) -> bool:
    if getattr(obj, attr) == value:
        return False
    setattr(obj, attr, value)
    return True


def _consent(owner: Owner, consent: bool | None, now: datetime) -> bool:
    """Record consent given or withdrawn in the file; blank leaves it as it is."""
    if consent is None or bool(owner.marketing_consent) == consent:
        return False
    owner.marketing_consent = consent
    owner.marketing_consent_at = now
    owner.marketing_consent_source = CONSENT_SOURCE
    return True


def _apply(session: Session, rows: list[OwnerRow], now: datetime, tz: ZoneInfo, report: ImportReport) -> None:
    estate = _Estate(session, report)
    handed_over: list[Ownership] = []
    redated: set[int] = set()
    for row in rows:
        unit = estate.unit(row)
        owner, ownership = _find_owner(session, row, unit)
        owner_changed = False
        if owner is None:
            owner = Owner(name=row.owner_name, phone=row.phone, language=row.language or "zh",
                          advisor_id=row.advisor_id, created_at=now)
            _consent(owner, row.marketing_consent, now)
            session.add(owner)
            session.flush()
            report.created["owners"] += 1
        else:
            owner_changed = any([
                _set(owner, "name", row.owner_name),
                row.language is not None and _set(owner, "language", row.language),
                row.advisor_id is not None and _set(owner, "advisor_id", row.advisor_id),
                _consent(owner, row.marketing_consent, now),
            ])
            report.updated["owners"] += owner_changed
        if ownership is None:
            ownership = Ownership(owner_id=owner.id, unit_id=unit.id, signed_on=row.signed_on,
                                  handover_on=row.handover_on)
            session.add(ownership)
            report.created["ownerships"] += 1
            if row.handover_on:
                handed_over.append(ownership)
            continue
        handover_set = ownership.handover_on is None and row.handover_on is not None
        handover_moved = ownership.handover_on is not None and row.handover_on not in (None, ownership.handover_on)
        dates_changed = any([_set(ownership, "signed_on", row.signed_on),
                             row.handover_on is not None and _set(ownership, "handover_on", row.handover_on)])
        report.updated["ownerships"] += dates_changed
        report.unchanged += not (owner_changed or dates_changed)
        if handover_set:
            handed_over.append(ownership)
        if handover_moved:
            redated.add(ownership.unit_id)
    session.flush()
    catalogue = warranty.load_catalogue() if handed_over or redated else None
    for ownership in handed_over:  # idempotent per unit and item
        report.created["warranty_items"] += warranty.grant(session, ownership, tz=tz, cat=catalogue)
    for unit_id in sorted(redated):  # a corrected handover date moves the warranty dates and reminders
        report.updated["warranty_items"] += warranty.redate(session, unit_id, tz=tz, now=now, cat=catalogue)
    report.created, report.updated = +report.created, +report.updated  # drop zero counts
