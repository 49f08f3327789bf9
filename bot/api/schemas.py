"""Request and response bodies of the REST API (pydantic v2); ORM objects never leave the API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from backend.models import Kind, Level, Status, SurveyStatus, Urgency
from backend.queries import MAX_ID


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


UTCTime = Annotated[datetime, AfterValidator(_utc)]
"""Times are given in UTC (``2026-11-27T02:00:00Z``)."""


class ErrorOut(BaseModel):
    """An error: what went wrong, in one sentence."""

    detail: str = Field(examples=["ticket AJ-20261127-0042 not found"])


class TicketSummary(BaseModel):
    """A ticket as it appears in a listing."""

    number: str = Field(examples=["AJ-20261127-0042"])
    kind: Kind
    urgency: Urgency
    category: str | None = Field(description="Defect category (repairs), e.g. `water`")
    location: str | None = Field(description="Where in the home, e.g. `bathroom`")
    status: Status
    level: Level = Field(description="Escalation level (投诉上移制)")
    owner_id: int | None
    owner_name: str | None
    unit_label: str | None = Field(examples=["3栋2单元1502"])
    project_code: str | None = Field(examples=["CHW"])
    created_at: UTCTime
    contact_due_at: UTCTime | None = Field(description="Deadline for first contact with the owner")
    overdue: bool = Field(description="First contact still owed and its deadline has passed")
    repair_attempts: int
    complaint_count: int
    assignee_id: int | None


class TicketPage(BaseModel):
    """One page of tickets, newest first."""

    items: list[TicketSummary]
    total: int = Field(description="Tickets matching the filters, on all pages")
    limit: int
    offset: int


class TicketEventOut(BaseModel):
    """One entry of a ticket's timeline."""

    at: UTCTime
    kind: str = Field(examples=["status"])
    actor: str = Field(examples=["api", "bot", "staff:3", "owner"])
    data: dict[str, Any]


class TicketDetail(TicketSummary):
    """A ticket with its deadlines, responsibilities and whole timeline."""

    description: str
    advisor_id: int | None = Field(description="The owner's 客服顾问")
    first_contact_owner_id: int | None = Field(description="首问负责人: owns the case to the end")
    responsible_party: str | None
    related_ticket_number: str | None = Field(description="The earlier ticket about the same issue")
    engineer_contact_due_at: UTCTime | None
    first_contacted_at: UTCTime | None
    appointment_start: UTCTime | None
    appointment_end: UTCTime | None
    owner_confirmed_at: UTCTime | None
    closed_at: UTCTime | None
    updated_at: UTCTime
    timeline: list[TicketEventOut]


class OwnerConfirmation(BaseModel):
    """The owner's verdict on a finished repair, taken by staff (e.g. on the phone)."""

    model_config = ConfigDict(extra="forbid")
    satisfied: bool = Field(description="True closes the ticket; false reopens it as another attempt")
    comment: str = Field("", max_length=1000)


class TicketPatch(BaseModel):
    """A change to a ticket; every field is optional, absent fields stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "contacted", "note": "called the owner"},
                                        {"assignee_id": 7},
                                        {"owner_confirmation": {"satisfied": True, "comment": "fixed"}}]},
    )
    status: Status | None = Field(None, description="Move the ticket on, following the service rules")
    assignee_id: int | None = Field(None, ge=1, le=MAX_ID, description="Staff id to assign; `null` unassigns")
    note: str | None = Field(None, max_length=2000, description="Recorded with the status change, or alone")
    owner_confirmation: OwnerConfirmation | None = None


class OwnerUnitOut(BaseModel):
    """A unit an owner holds, with its dates."""

    unit_id: int
    unit_label: str
    project_code: str
    signed_on: date
    handover_on: date | None


class OwnerOut(BaseModel):
    """An owner; the phone number is masked."""

    id: int
    name: str
    phone: str = Field(examples=["139****5678"])
    language: str
    tier: str
    advisor_id: int | None
    marketing_consent: bool
    units: list[OwnerUnitOut]


class OwnerPage(BaseModel):
    """One page of owners, by name."""

    items: list[OwnerOut]
    total: int
    limit: int
    offset: int


class UnitOwnerOut(BaseModel):
    """An owner of a unit, with signing and handover dates; the phone number is masked."""

    owner_id: int
    name: str
    phone: str
    signed_on: date
    handover_on: date | None


class UnitOut(BaseModel):
    """A unit (flat) and its owners."""

    id: int
    project_code: str
    building: str
    entrance: str
    room: str
    floor: int
    label: str = Field(examples=["3栋2单元1502"])
    owners: list[UnitOwnerOut]


class UnitPage(BaseModel):
    """One page of units, by building, entrance and floor."""

    items: list[UnitOut]
    total: int
    limit: int
    offset: int


class ImportResult(BaseModel):
    """A successful import: how many records were created and updated."""

    rows: int = Field(description="Data rows read")
    created: dict[str, int] = Field(examples=[{"projects": 1, "buildings": 2, "units": 40, "owners": 38,
                                               "ownerships": 40}])
    updated: dict[str, int] = Field(examples=[{"owners": 2, "ownerships": 1}])
    unchanged: int = Field(description="Rows that matched an existing owner and unit and changed nothing")


class RowErrorOut(BaseModel):
    """A problem in one row of the file (the header is row 1)."""

    row: int
    field: str | None = Field(description="The column, or null for the whole row")
    error: str


class ImportErrors(BaseModel):
    """A refused import: nothing was written."""

    detail: str = Field(examples=["2 problems in the file; nothing was imported"])
    errors: list[RowErrorOut]


# --- proactive service ----------------------------------------------------------------------------


class ProgressUpdateOut(BaseModel):
    """A construction-progress update with the message zh and en owners will read."""

    id: int
    project_id: int
    title: str
    stage: str | None
    percent: int | None
    photo_url: str | None
    publish_at: datetime | None
    published_at: datetime | None
    preview: dict[str, str] = Field(description="The owner message by language (`zh`, `en`)")


class DeliveryReport(BaseModel):
    """Where the owners' copies of an update or campaign stand."""

    update_id: int = Field(description="The update's (or campaign's) id")
    total: int
    queued: int
    sent: int
    delivered: int
    failed: int
    skipped: int
    by_route: dict[str, int] = Field(examples=[{"sms": 10, "template": 4}])
    skipped_reasons: dict[str, int] = Field(examples=[{"no_channel": 2}])


class CampaignOut(BaseModel):
    """A scheduled maintenance campaign."""

    id: int
    project_id: int
    kind: str
    title: str
    notify_at: datetime


class WarrantyGrantOut(BaseModel):
    """Warranty items added to units that were missing them."""

    items_added: int


class SurveyOut(BaseModel):
    """A callback survey."""

    id: int
    ticket_id: int
    owner_id: int | None
    method: str
    status: SurveyStatus
    attempts: int
    due_at: datetime
    score: int | None


class ManualCallOut(BaseModel):
    """A recorded manual callback and the complaint it opened, if any."""

    id: int
    status: SurveyStatus
    follow_up: str | None = Field(description="Number of the complaint follow-up opened by a low score")


class ReportOut(BaseModel):
    """One service report over a date range."""

    report: str
    start: date
    end: date
    rows: list[dict[str, Any]]


class EraseOut(BaseModel):
    """What an erasure changed, by kind of record."""

    owner_id: int
    erased: dict[str, int]


class ConsentOut(BaseModel):
    """An owner's marketing consent after the change."""

    owner_id: int
    marketing_consent: bool


class PrivacyExport(BaseModel):
    """Everything held about one owner (PIPL Art. 45), record by record as stored."""

    owner: dict[str, Any]
    units: list[dict[str, Any]]
    channel_identities: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    surveys: list[dict[str, Any]]
    notices: list[dict[str, Any]]
    consent_events: list[dict[str, Any]]
