"""import_owners_csv: validation, idempotency, updates, consent, all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import warranty
from backend.importer import COLUMNS, ImportReport, RowError, import_owners_csv, normalise_phone, parse_date
from backend.models import Building, Owner, Ownership, Project, Role, Unit, WarrantyItem
from tests.factories import make_staff

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
HEADER = ",".join(COLUMNS)


def csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


ROW = "HZW,安居·杭州湾,3,2,1502,,王芳,13912345678,zh,2024-03-01,2025-06-30,,"


def run(session: Session, text: str) -> ImportReport:
    return import_owners_csv(session, text, now=NOW)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_creates_the_estate_and_reimport_changes_nothing(session: Session) -> None:
    text = csv(ROW, "HZW,安居·杭州湾,3,2,1501,15,李强,13912340000,en,2024-03-02,,,")
    report = run(session, text)
    assert report.ok and report.rows == 2
    assert dict(report.created) == {"projects": 1, "buildings": 1, "units": 2, "owners": 2, "ownerships": 2,
                                    "warranty_items": len(warranty.items_for("HZW"))}
    project = session.scalars(select(Project).where(Project.code == "HZW")).one()
    assert (project.name, project.stage) == ("安居·杭州湾", "handed_over")
    ownership = session.scalars(select(Ownership).join(Owner).where(Owner.name == "王芳")).one()
    assert (ownership.unit.label, ownership.unit.floor, ownership.handover_on) == ("3栋2单元1502", 15,
                                                                                   date(2025, 6, 30))
    again = run(session, text)
    assert again.ok and not again.created and not again.updated and again.unchanged == 2
    assert (count(session, Owner), count(session, Ownership), count(session, Unit)) == (2, 2, 2)


def test_same_phone_and_unit_updates(session: Session) -> None:
    run(session, csv(ROW))
    report = run(session, csv(ROW.replace("王芳", "王芳芳").replace("2025-06-30", "2025-07-01")))
    # the corrected handover date moves every warranty item of the unit
    assert dict(report.updated) == {"owners": 1, "ownerships": 1, "warranty_items": len(warranty.items_for("HZW"))}
    assert not report.created
    owner = session.scalars(select(Owner).where(Owner.phone == "13912345678")).one()
    assert owner.name == "王芳芳" and owner.ownerships[0].handover_on == date(2025, 7, 1)


def test_blank_handover_language_advisor_keep_what_is_recorded(session: Session) -> None:
    run(session, csv(ROW.replace(",zh,", ",en,")))
    report = run(session, csv(ROW.replace(",zh,", ",,").replace("2025-06-30", "")))
    assert report.unchanged == 1 and not report.updated
    owner = session.scalars(select(Owner).where(Owner.phone == "13912345678")).one()
    assert (owner.language, owner.ownerships[0].handover_on) == ("en", date(2025, 6, 30))


def test_handover_grants_warranty_items_once(session: Session) -> None:
    run(session, csv(ROW.replace("2025-06-30", "")))
    assert count(session, WarrantyItem) == 0
    report = run(session, csv(ROW))
    assert report.created["warranty_items"] == len(warranty.items_for("HZW")) == count(session, WarrantyItem)
    item = session.scalars(select(WarrantyItem).where(WarrantyItem.code == "sanitary")).one()
    assert (item.starts_on, item.expires_on) == (date(2025, 6, 30), date(2026, 6, 30))
    assert "warranty_items" not in run(session, csv(ROW)).created


def test_one_owner_with_two_units_and_a_cophone_owner(session: Session) -> None:
    report = run(session, csv(ROW, ROW.replace("1502", "1503"), ROW.replace("1502", "1601").replace("王芳", "张伟")))
    assert report.ok
    assert report.created["owners"] == 2 and report.created["ownerships"] == 3
    wang = session.scalars(select(Owner).where(Owner.name == "王芳")).one()
    assert sorted(o.unit.room for o in wang.ownerships) == ["1502", "1503"]


def test_existing_project_and_building_are_reused(session: Session) -> None:
    session.add(Building(project=Project(code="HZW", name="旧名", stage="under_construction"), number="3"))
    session.flush()
    report = run(session, csv(ROW))
    assert "projects" not in report.created and "buildings" not in report.created
    assert report.updated["projects"] == 1
    assert session.scalars(select(Project).where(Project.code == "HZW")).one().stage == "under_construction"


def test_advisor_and_marketing_consent(session: Session) -> None:
    agent = make_staff(session, Role.AGENT, username="lin.xiaoyu")
    run(session, csv(ROW[:-2] + ",lin.xiaoyu,是"))
    owner = session.scalars(select(Owner).where(Owner.phone == "13912345678")).one()
    assert (owner.advisor_id, owner.marketing_consent, owner.marketing_consent_at) == (agent.id, True, NOW)
    assert owner.marketing_consent_source == "csv_import"
    again = run(session, csv(ROW))
    assert again.unchanged == 1, again  # blank consent and advisor keep what is recorded
    assert owner.marketing_consent and owner.advisor_id == agent.id
    assert run(session, csv(ROW + "no")).updated["owners"] == 1
    assert owner.marketing_consent is False


def test_every_bad_row_is_reported_and_nothing_is_written(session: Session) -> None:
    before = count(session, Project)
    report = run(session, csv(
        ROW,
        "hz w,,3,2,,,王五,139,xx,2024-02-30,,ghost,maybe",
        ROW,
        "HZW,另一个名字,3,2,1601,,赵六,13912345679,zh,2024-03-01,2024-01-01,,",
        "HZW,安居·杭州湾,3,2",
        "HZW,安居·杭州湾,3,2,A,,钱七,13912345670,zh,2024-03-01,,,",
    ))
    assert not report.ok
    assert [(e.row, e.field) for e in report.errors] == [
        (3, "project_name"), (3, "room"), (3, "project_code"), (3, "phone"), (3, "language"), (3, "signed_on"),
        (3, "advisor_username"), (3, "marketing_consent"),
        (4, "phone"),
        (5, "handover_on"),
        (6, None),
        (7, "floor"),
    ]
    assert report.errors[8] == RowError(4, "phone", "the same owner and unit as row 2")
    assert report.errors[10].error == "4 fields, expected 13"
    assert count(session, Project) == before and not report.created


def test_nul_characters_are_refused(session: Session) -> None:
    report = run(session, csv(ROW.replace("王芳", "王\x00芳")))
    assert report.errors == [RowError(2, "owner_name", "contains a NUL character")]


def test_inconsistent_project_name_within_the_file(session: Session) -> None:
    report = run(session, csv(ROW, ROW.replace("安居·杭州湾", "安居杭州湾").replace("1502", "1601")))
    assert report.errors == [RowError(3, "project_name", "differs from row 2 ('安居·杭州湾')")]


@pytest.mark.parametrize(("text", "expected"), [
    ("", [RowError(1, None, "the file is empty; expected a header row")]),
    (HEADER + "\n", [RowError(1, None, "no data rows")]),
    ("project_code,phone\nX,1\n", [RowError(1, c, "missing column") for c in
                                    ("project_name", "building", "room", "owner_name", "signed_on")]),
    (HEADER + ",phone\n", [RowError(1, "phone", "column appears twice")]),
])
def test_header_problems(session: Session, text: str, expected: list[RowError]) -> None:
    assert run(session, text).errors == expected


def test_unreadable_csv_is_a_row_error(session: Session) -> None:
    huge = "x" * 200_000
    report = run(session, csv(ROW, f'HZW,"{huge}",3,2,1601,,赵六,13912345679,zh,2024-03-01,,,'))
    assert [(e.row, e.field) for e in report.errors] == [(3, None)]
    assert report.errors[0].error.startswith("unreadable CSV: field larger than field limit")
    assert run(session, f'"{huge}"\n').errors[0].row == 1


def test_columns_in_any_order_and_optional_columns_left_out(session: Session) -> None:
    text = ("phone,owner_name,room,building,project_code,project_name,signed_on\n"
            "13800138000,孙丽,802,5#,QX,安居·清溪,2025-1-5\n")
    report = run(session, "\ufeff" + text)
    assert report.ok
    unit = session.scalars(select(Unit).where(Unit.room == "802")).one()
    assert (unit.label, unit.floor, unit.building.project.stage) == ("5栋1单元802", 8, "under_construction")


@pytest.mark.parametrize(("raw", "phone"), [
    ("13912345678", "13912345678"), ("+86 139-1234-5678", "13912345678"), ("0086 13912345678", "13912345678"),
    ("8613912345678", "13912345678"), ("+44 20 7946 0958", "+442079460958"), ("0044 2079460958", "+442079460958"),
])
def test_phone_forms(raw: str, phone: str) -> None:
    assert normalise_phone(raw) == phone


@pytest.mark.parametrize("raw", ["12345678901", "1391234567", "139123456789", "+1234", "phone", "010-12345678"])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_dates() -> None:
    assert parse_date("2024/3/1") == parse_date("2024.03.01") == parse_date(" 2024-03-01") == date(2024, 3, 1)
    with pytest.raises(ValueError):
        parse_date("01/03/2024")
