"""The data model: estate, owners, identities, conversations, staff, tickets, dispatch, outbox.

All timestamps are stored as naive UTC and returned as aware UTC (:class:`UTCDateTime`), so
SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, NotRequired, TypedDict

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC; refuses naive input."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Convert an aware datetime to naive UTC for storage."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Attach UTC to a stored naive datetime."""
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    """Declarative base with JSON mapped for dicts."""

    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime}


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class Kind(enum.StrEnum):
    """Ticket kind."""

    REPAIR = "repair"
    COMPLAINT = "complaint"
    ENQUIRY = "enquiry"


class Urgency(enum.StrEnum):
    """Ticket urgency (docs/labels.md)."""

    EMERGENCY = "emergency"
    HIGH = "high"
    NORMAL = "normal"


class Status(enum.StrEnum):
    """Ticket lifecycle (docs/domain.md §4); complaints and enquiries use a subset."""

    RECEIVED = "received"
    TRIAGED = "triaged"
    CONTACTED = "contacted"
    SCHEDULED = "scheduled"
    PLAN_AGREED = "plan_agreed"
    IN_PROGRESS = "in_progress"
    PENDING_OWNER_CONFIRM = "pending_owner_confirm"
    CLOSED = "closed"
    CALLBACK_DONE = "callback_done"
    CANCELLED = "cancelled"


class Level(enum.StrEnum):
    """Escalation level (投诉上移制)."""

    CS = "cs"
    DEV_DEPT = "dev_dept"
    HQ = "hq"


class Role(enum.StrEnum):
    """Staff roles."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    ENGINEER = "engineer"


class Mode(enum.StrEnum):
    """Who answers a conversation."""

    BOT = "bot"
    WAITING = "waiting"
    STAFF = "staff"


class InboundStatus(enum.StrEnum):
    """A stored inbound event: waiting for the worker (``throttled`` ones after every other sender's), or done."""

    PENDING = "pending"
    THROTTLED = "throttled"
    DONE = "done"
    FAILED = "failed"


class SurveyStatus(enum.StrEnum):
    """A callback survey: due, asked (chat or voice), answered, or left to a staff phone call and then done."""

    DUE = "due"
    SENT = "sent"
    ANSWERED = "answered"
    MANUAL = "manual"
    MANUAL_DONE = "manual_done"


class PageStatus(enum.StrEnum):
    """An emergency page: sent, acknowledged, or escalated to the next layer."""

    SENT = "sent"
    ACKED = "acked"
    ESCALATED = "escalated"
    CANCELLED = "cancelled"  # the owner withdrew the ticket
    REPAGED = "repaged"  # staff paged again from a chosen layer; this page stops escalating


class OutboxStatus(enum.StrEnum):
    """An outbox row: queued, leased by a worker (``sending``), sent, confirmed, failed, dead-lettered, skipped."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    DEAD = "dead"
    REROUTED = "rerouted"  # refused for the recipient (window, quota, STOP, blocked): a copy went another way
    SKIPPED = "skipped"


class NoticeStatus(enum.StrEnum):
    """One owner's share of a progress update, campaign or warranty reminder: queued, or skipped with a reason."""

    QUEUED = "queued"
    SKIPPED = "skipped"


class StrEnumColumn(TypeDecorator[Any]):
    """A status column stored as plain text (the same DDL as ``String(n)``), read and written as a StrEnum.

    Writing a value the enum does not list raises, so the listed values and the written ones cannot drift.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum_cls: type[enum.StrEnum], length: int) -> None:
        """Values of ``enum_cls`` in a ``VARCHAR(length)``."""
        super().__init__(length)
        self.enum_cls = enum_cls

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        """Check the value against the enum; store its text."""
        return None if value is None else self.enum_cls(value).value

    def process_result_value(self, value: Any, dialect: Any) -> enum.StrEnum | None:
        """The stored text as the enum member."""
        return None if value is None else self.enum_cls(value)


# --- estate -------------------------------------------------------------------------------------


class Project(Base):
    """A residential project (楼盘)."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(60), default="")
    stage: Mapped[str] = mapped_column(String(24), default="under_construction")
    buildings: Mapped[list[Building]] = relationship(back_populates="project")


class Building(Base):
    """A building (栋/幢/号楼) of a project."""

    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("project_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    number: Mapped[str] = mapped_column(String(16))
    project: Mapped[Project] = relationship(back_populates="buildings")
    units: Mapped[list[Unit]] = relationship(back_populates="building")


class Unit(Base):
    """A flat: building, entrance (单元) and room number."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("building_id", "entrance", "room"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    entrance: Mapped[str] = mapped_column(String(8), default="1")
    room: Mapped[str] = mapped_column(String(16))
    floor: Mapped[int] = mapped_column(Integer, default=1)
    building: Mapped[Building] = relationship(back_populates="units")

    @property
    def label(self) -> str:
        """The written form, e.g. ``3栋2单元1502``."""
        return f"{self.building.number}栋{self.entrance}单元{self.room}"


# --- people ---------------------------------------------------------------------------------------


class Staff(Base):
    """A member of the customer-relations centre or an engineer."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.AGENT)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    phone: Mapped[str | None] = mapped_column(String(32))
    wechat_openid: Mapped[str | None] = mapped_column(String(64))
    telegram_chat_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class Owner(Base):
    """A homeowner or buyer (业主)."""

    __tablename__ = "owners"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    tier: Mapped[str] = mapped_column(String(16), default="standard")
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    marketing_consent_at: Mapped[datetime | None]
    marketing_consent_source: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    advisor: Mapped[Staff | None] = relationship()
    ownerships: Mapped[list[Ownership]] = relationship(back_populates="owner")


class Ownership(Base):
    """An owner's purchase of a unit: contract signing and handover (交付) dates."""

    __tablename__ = "ownerships"
    __table_args__ = (UniqueConstraint("owner_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    handover_on: Mapped[date | None] = mapped_column(Date)
    owner: Mapped[Owner] = relationship(back_populates="ownerships")
    unit: Mapped[Unit] = relationship()


class ChannelIdentity(Base):
    """An account on a channel (WeChat openid, phone number, Telegram user id)."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str | None] = mapped_column(String(8))
    verified_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    marketing_opt_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner: Mapped[Owner | None] = relationship()
    # The platform refuses every message to this identity (SMS STOP, Telegram "kicked", WeChat unsubscribe).
    blocked_at: Mapped[datetime | None]
    blocked_reason: Mapped[str | None] = mapped_column(String(32))
    # WeChat customer-service window: what opened it (message/event), when, and how many sent since.
    window_kind: Mapped[str | None] = mapped_column(String(12))
    window_opened_at: Mapped[datetime | None]
    window_sent: Mapped[int] = mapped_column(default=0)


# --- conversations ------------------------------------------------------------------------------


class Conversation(Base):
    """One identity's conversation with the centre; ``state`` is the dialog state."""

    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("channel_identities.id"), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    mode: Mapped[Mode] = mapped_column(_enum(Mode), default=Mode.BOT)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    held_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    waiting_since: Mapped[datetime | None]
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # console (migration 0008_console): handled until the owner writes again / hidden until then
    resolved_at: Mapped[datetime | None]
    snoozed_until: Mapped[datetime | None]
    identity: Mapped[ChannelIdentity] = relationship()


class Message(Base):
    """A message in a conversation: owner (in), bot or staff (out), or an internal note."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # in | out | note
    author: Mapped[str] = mapped_column(String(32))  # owner | bot | staff:<id>
    text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="text")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    nlu: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundEvent(Base):
    """An accepted webhook event, stored before processing; unique per provider message id."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("channel", "provider_message_id"),
        Index("ix_inbound_pending", "status", "received_at"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    provider_message_id: Mapped[str] = mapped_column(String(128))
    external_user_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[InboundStatus] = mapped_column(StrEnumColumn(InboundStatus, 12), default=InboundStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]


# --- tickets --------------------------------------------------------------------------------------


class Ticket(Base):
    """A case: repair, complaint or enquiry, with its service-rule state."""

    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[Kind] = mapped_column(_enum(Kind))
    urgency: Mapped[Urgency] = mapped_column(_enum(Urgency), default=Urgency.NORMAL)
    category: Mapped[str | None] = mapped_column(String(24))
    location: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.RECEIVED, index=True)
    level: Mapped[Level] = mapped_column(_enum(Level), default=Level.CS)
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    issue_key: Mapped[str | None] = mapped_column(String(120), index=True)
    related_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    repair_attempts: Mapped[int] = mapped_column(Integer, default=1)
    complaint_count: Mapped[int] = mapped_column(Integer, default=0)
    first_contact_owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    responsible_party: Mapped[str | None] = mapped_column(String(32))
    contact_due_at: Mapped[datetime | None] = mapped_column(index=True)
    engineer_contact_due_at: Mapped[datetime | None]
    first_contacted_at: Mapped[datetime | None]
    appointment_start: Mapped[datetime | None]
    appointment_end: Mapped[datetime | None]
    owner_confirmed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # S4 and appointments (migration 0005_rules)
    engineer_contacted_at: Mapped[datetime | None]
    engineer_contact_alerted_at: Mapped[datetime | None]
    visit_reminded_at: Mapped[datetime | None]
    visit_missed_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    events: Mapped[list[TicketEvent]] = relationship(order_by="TicketEvent.id", viewonly=True)


class TicketEvent(Base):
    """One entry of a ticket's append-only audit timeline."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(40), default="system")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TicketCounter(Base):
    """Per-day sequence behind readable ticket numbers (AJ-20261127-0042)."""

    __tablename__ = "ticket_counters"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Survey(Base):
    """A callback survey (100% 回访) owed after a repair closes."""

    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"))
    method: Mapped[str] = mapped_column(String(12), default="chat")  # chat | voice | manual
    status: Mapped[SurveyStatus] = mapped_column(StrEnumColumn(SurveyStatus, 16), default=SurveyStatus.DUE)
    due_at: Mapped[datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # S16 (migration 0005_rules): expectation and the five service dimensions, 1-5 each
    expectation: Mapped[int | None] = mapped_column(Integer)
    dimensions: Mapped[dict[str, Any] | None] = mapped_column(JSON)


# --- dispatch -------------------------------------------------------------------------------------


class OnCallShift(Base):
    """Who is on which layer of the rota (1 first responder, 2 backup, 3 supervisor) and when."""

    __tablename__ = "oncall_shifts"
    id: Mapped[int] = mapped_column(primary_key=True)
    layer: Mapped[int] = mapped_column(Integer)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    staff: Mapped[Staff] = relationship()


class DispatchPage(Base):
    """A page to an on-call engineer about an emergency; unacknowledged pages escalate a layer."""

    __tablename__ = "dispatch_pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    layer: Mapped[int] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[PageStatus] = mapped_column(StrEnumColumn(PageStatus, 12), default=PageStatus.SENT)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    ack_due_at: Mapped[datetime] = mapped_column(index=True)
    acked_at: Mapped[datetime | None]
    staff: Mapped[Staff | None] = relationship()


# --- outbox ---------------------------------------------------------------------------------------


class QuickReplyData(TypedDict):
    """A button as stored in an outbox payload: what it shows and what it sends back."""

    label: str
    payload: str


class OutboxPayload(TypedDict):
    """What an outbox row asks its channel to send (the JSON in ``outbox.payload``)."""

    text: str
    quick_replies: NotRequired[list[QuickReplyData]]
    request_contact: NotRequired[bool]
    image_url: NotRequired[str]
    template_id: NotRequired[str]
    template_data: NotRequired[dict[str, str]]
    status_callback: NotRequired[str]


class Outbox(Base):
    """Every outbound message, written in the transaction that caused it, delivered by the worker."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "priority", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(128))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    purpose: Mapped[str] = mapped_column(String(16), default="reply")  # reply|page|notice|survey|marketing
    priority: Mapped[int] = mapped_column(Integer, default=5)  # 0 = emergency page, jumps the queue
    payload: Mapped[OutboxPayload] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(StrEnumColumn(OutboxStatus, 12), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(128), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    leased_by: Mapped[str | None] = mapped_column(String(120))  # the worker holding a 'sending' lease


def _refuse_change(_mapper: Any, _conn: Any, target: TicketEvent) -> None:
    raise ValueError(f"ticket event {target.id} is append-only")


event.listen(TicketEvent, "before_update", _refuse_change)
event.listen(TicketEvent, "before_delete", _refuse_change)


# --- proactive service ---------------------------------------------------------------------------


class ProgressUpdate(Base):
    """A construction-progress update (楼盘进度通报) for a project's buyers before handover."""

    __tablename__ = "progress_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    photo_url: Mapped[str | None] = mapped_column(String(500))
    stage: Mapped[str] = mapped_column(String(60), default="")
    percent: Mapped[int] = mapped_column(Integer, default=0)
    publish_at: Mapped[datetime | None] = mapped_column(index=True)
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WarrantyItem(Base):
    """One warranty item of a handed-over unit, with its expiry and reminder timer."""

    __tablename__ = "warranty_items"
    __table_args__ = (UniqueConstraint("unit_id", "code"), Index("ix_warranty_remind", "reminded_at", "remind_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    starts_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)  # None: design life (structure)
    remind_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]


# === proactive service: notice deliveries, maintenance campaigns, consent log (migration 0003) ====


class NoticeDelivery(Base):
    """One owner's share of a fanned-out notice (progress update, campaign, warranty reminder).

    ``dedupe_key`` links to the outbox row that carries it (``None`` when skipped, with ``reason``);
    the delivery report joins the two.
    """

    __tablename__ = "notice_deliveries"
    __table_args__ = (UniqueConstraint("kind", "ref_id", "owner_id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # progress | campaign | warranty
    ref_id: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(16), default="none")  # custom | template | sms | telegram | none
    dedupe_key: Mapped[str | None] = mapped_column(String(160))
    status: Mapped[NoticeStatus] = mapped_column(StrEnumColumn(NoticeStatus, 12), default=NoticeStatus.QUEUED)
    reason: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MaintenanceCampaign(Base):
    """Planned free maintenance for a project's handed-over units (S22: windows, doors, fire doors)."""

    __tablename__ = "maintenance_campaigns"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # a key of config/proactive.yml campaigns
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    notify_at: Mapped[datetime] = mapped_column(index=True)
    notified_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsentEvent(Base):
    """Append-only log of consent and data-rights actions (marketing opt-in/out, PIPL export/delete)."""

    __tablename__ = "consent_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(24))  # grant | withdraw | opt_out | opt_in | export | delete
    source: Mapped[str] = mapped_column(String(60), default="")
    text_version: Mapped[str | None] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(40), default="system")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


# --- staff console -------------------------------------------------------------------------------


class StaffSession(Base):
    """A server-side console login; the cookie carries a random token, only its keyed hash is stored."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    staff: Mapped[Staff] = relationship()


class AuditLog(Base):
    """Append-only record of logins, takeovers, hand-backs, status changes, exports and admin actions."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(80), default="")
    ip: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ConsoleAlert(Base):
    """A console alert (e.g. nobody picked up a waiting conversation in time); one per waiting period."""

    __tablename__ = "console_alerts"
    __table_args__ = (UniqueConstraint("conversation_id", "kind", "since"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    since: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acked_at: Mapped[datetime | None]
    acked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class WebhookNonce(Base):
    """A signed webhook's nonce seen within the timestamp skew window (replays refused on every process)."""

    __tablename__ = "webhook_nonces"
    __table_args__ = (UniqueConstraint("channel", "nonce"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    nonce: Mapped[str] = mapped_column(String(160))
    digest: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(index=True)


class SharedToken(Base):
    """A platform access token shared by every process (WeChat: fetching a new one kills the old one)."""

    __tablename__ = "shared_tokens"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(String(512))
    expires_at: Mapped[datetime]
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    fetches: Mapped[int] = mapped_column(default=0)


def _refuse_audit_change(_mapper: Any, _conn: Any, target: AuditLog) -> None:
    raise ValueError(f"audit entry {target.id} is append-only")


event.listen(AuditLog, "before_update", _refuse_audit_change)
event.listen(AuditLog, "before_delete", _refuse_audit_change)


# --- operations (issue 18) --------------------------------------------------------------------------


class WorkerHeartbeat(Base):
    """One row per running web/worker process, rewritten every few seconds (``/readyz``, ``/metrics``)."""

    __tablename__ = "worker_heartbeats"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid
    role: Mapped[str] = mapped_column(String(16))  # web | worker
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    info: Mapped[dict[str, Any]] = mapped_column(default=dict)  # counters snapshot, sweeps on/off


class StaffBindCode(Base):
    """A one-time code a staff member sends the bot to bind their WeChat/Telegram account for paging."""

    __tablename__ = "staff_bind_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_channel: Mapped[str | None] = mapped_column(String(16))
    staff: Mapped[Staff] = relationship()


class ImportJob(Base):
    """An owner-register CSV import run by a worker in the background (``/api/v1/import/owners/jobs``)."""

    __tablename__ = "import_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="owners")
    status: Mapped[str] = mapped_column(String(12), default="queued", index=True)  # queued|running|done|failed
    stage: Mapped[str] = mapped_column(String(16), default="queued")  # queued|importing|finished
    csv_text: Mapped[str | None] = mapped_column(Text)  # cleared when the job ends (personal data)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
