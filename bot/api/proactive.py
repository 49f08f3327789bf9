"""Proactive service API: progress updates, maintenance campaigns, warranty grants, manual survey calls,
service reports (JSON, CSV, SVG chart) and PIPL data requests (export, erase, marketing consent)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import pipl, progress, reminders, reports
from backend.models import MaintenanceCampaign, ProgressUpdate, Survey, SurveyStatus
from backend.queries import resolve_project
from backend.surveys import record_answer
from bot.api.deps import NowDep, RulesDep, SessionDep, SettingsDep
from bot.api.schemas import (
    CampaignOut,
    ConsentOut,
    DeliveryReport,
    EraseOut,
    ManualCallOut,
    PrivacyExport,
    ProgressUpdateOut,
    ReportOut,
    SurveyOut,
    WarrantyGrantOut,
)

router = APIRouter(tags=["proactive"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]  # beyond 64 bits the database driver raises


class UpdateIn(BaseModel):
    """A construction-progress update (楼盘进度通报)."""

    project: str = Field(max_length=32, description="Project id or code")
    title: str = Field(min_length=1, max_length=200)
    body: str = ""
    title_en: str = Field("", max_length=200)
    body_en: str = ""
    photo_url: str | None = Field(None, max_length=500)
    stage: str = Field("", max_length=60)
    percent: int = Field(0, ge=0, le=100)
    publish_at: datetime | None = Field(None, description="Publish at this time (aware); omit for a draft")
    publish_now: bool = False


class PublishIn(BaseModel):
    """When to publish; omit ``at`` to publish at the next sweep."""

    at: datetime | None = None


class CampaignIn(BaseModel):
    """A planned maintenance campaign (S22)."""

    project: str = Field(max_length=32)
    kind: str = Field(max_length=32, description="windows | entrance_doors | fire_doors | other")
    starts_on: date
    ends_on: date
    notify_at: datetime | None = Field(None, description="When owners are told; default: now")
    title: str = ""
    title_en: str = ""
    body: str = ""
    body_en: str = ""


class ManualCallIn(BaseModel):
    """The outcome of a manual callback: a score when the owner answered, else a note."""

    score: int | None = Field(None, ge=1, le=5)
    comment: str | None = Field(None, max_length=2000)


class ConsentIn(BaseModel):
    """A marketing-consent change with its proof."""

    granted: bool
    source: str = Field(min_length=1, max_length=60)
    text_version: str | None = Field(None, max_length=20)


def _tz(settings: Any) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def _project_id(session: Session, ref: str) -> int:
    project = resolve_project(session, ref)
    if project is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown project {ref!r}")
    return project.id


def _update_out(session: Session, update: ProgressUpdate, tz: ZoneInfo) -> dict[str, Any]:
    return {"id": update.id, "project_id": update.project_id, "title": update.title, "stage": update.stage,
            "percent": update.percent, "photo_url": update.photo_url, "publish_at": update.publish_at,
            "published_at": update.published_at, "preview": progress.preview(session, update, tz)}


@router.post("/progress-updates", status_code=201, summary="Write a progress update", response_model=ProgressUpdateOut)
def create_update(body: UpdateIn, session: SessionDep, settings: SettingsDep, now: NowDep) -> dict[str, Any]:
    """Store an update (draft, scheduled, or ``publish_now``); returns it with its zh/en preview."""
    at = now if body.publish_now else body.publish_at
    if at is not None and at.tzinfo is None:
        raise HTTPException(422, "publish_at needs a timezone")
    update = progress.create_update(
        session, project_id=_project_id(session, body.project), title=body.title, body=body.body,
        title_en=body.title_en, body_en=body.body_en, photo_url=body.photo_url, stage=body.stage,
        percent=body.percent, publish_at=at, now=now)
    out = _update_out(session, update, _tz(settings))
    session.commit()
    return out


@router.get("/progress-updates", summary="List progress updates", response_model=list[ProgressUpdateOut])
def list_updates(session: SessionDep, settings: SettingsDep, project: str | None = None,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[dict[str, Any]]:
    """Newest first, optionally for one project."""
    stmt = select(ProgressUpdate).order_by(ProgressUpdate.id.desc()).limit(limit)
    if project:
        stmt = stmt.where(ProgressUpdate.project_id == _project_id(session, project))
    return [_update_out(session, u, _tz(settings)) for u in session.scalars(stmt)]


def _get_update(session: Session, update_id: Id) -> ProgressUpdate:
    update = session.get(ProgressUpdate, update_id)
    if update is None:
        raise HTTPException(404, "no such update")
    return update


@router.get("/progress-updates/{update_id}", summary="One update with its preview", response_model=ProgressUpdateOut)
def get_update(update_id: Id, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """The update and its zh/en preview."""
    return _update_out(session, _get_update(session, update_id), _tz(settings))


@router.post("/progress-updates/{update_id}/publish", summary="Publish now or at a set time",
             response_model=ProgressUpdateOut)
def publish(update_id: Id, body: PublishIn, session: SessionDep, settings: SettingsDep,
            now: NowDep) -> dict[str, Any]:
    """Set the publish time; the sweep fans it out (never twice). 409 once published."""
    update = _get_update(session, update_id)
    try:
        progress.schedule(update, body.at or now, now=now)
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc
    out = _update_out(session, update, _tz(settings))
    session.commit()
    return out


@router.get("/progress-updates/{update_id}/deliveries", summary="Delivery report of an update",
            response_model=DeliveryReport)
def update_deliveries(update_id: Id, session: SessionDep) -> dict[str, Any]:
    """Queued, sent, delivered, failed, skipped (with reasons) and counts per route."""
    _get_update(session, update_id)
    return progress.delivery_report(session, update_id)


@router.post("/campaigns", status_code=201, summary="Schedule a maintenance campaign", response_model=CampaignOut)
def create_campaign(body: CampaignIn, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """Owners of the project's handed-over units are told at ``notify_at`` (quiet hours respected)."""
    try:
        c = reminders.create_campaign(
            session, project_id=_project_id(session, body.project), kind=body.kind, starts_on=body.starts_on,
            ends_on=body.ends_on, notify_at=body.notify_at or now, now=now, title=body.title,
            title_en=body.title_en, body=body.body, body_en=body.body_en)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return {"id": c.id, "project_id": c.project_id, "kind": c.kind, "title": c.title, "notify_at": c.notify_at}


@router.get("/campaigns/{campaign_id}/deliveries", summary="Delivery report of a campaign",
            response_model=DeliveryReport)
def campaign_deliveries(campaign_id: Id, session: SessionDep) -> dict[str, Any]:
    """Same shape as the progress-update report."""
    if session.get(MaintenanceCampaign, campaign_id) is None:
        raise HTTPException(404, "no such campaign")
    return progress.delivery_report(session, campaign_id, kind="campaign")


@router.post("/warranty/grant", summary="Grant warranty items to handed-over units missing them",
             response_model=WarrantyGrantOut)
def grant_warranty(session: SessionDep, settings: SettingsDep) -> dict[str, int]:
    """Run after changing handover dates (the hourly sweep does it too)."""
    added = reminders.grant_all_missing(session, tz=_tz(settings))
    session.commit()
    return {"items_added": added}


@router.get("/surveys", summary="Surveys by status", response_model=list[SurveyOut])
def list_surveys(session: SessionDep, status_: Annotated[SurveyStatus, Query(alias="status")] = SurveyStatus.MANUAL,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    """E.g. ``?status=manual``: the callbacks staff must make by phone."""
    stmt = select(Survey).where(Survey.status == status_).order_by(Survey.due_at, Survey.id).limit(limit)
    return [{"id": s.id, "ticket_id": s.ticket_id, "owner_id": s.owner_id, "method": s.method,
             "status": s.status, "attempts": s.attempts, "due_at": s.due_at, "score": s.score}
            for s in session.scalars(stmt)]


@router.post("/surveys/{survey_id}/manual", summary="Record a manual callback", response_model=ManualCallOut)
def manual_call(survey_id: Id, body: ManualCallIn, session: SessionDep, now: NowDep,
                rules: RulesDep) -> dict[str, Any]:
    """With a score: the answer (1-2 opens a complaint follow-up); without: called, no score."""
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise HTTPException(404, "no such survey")
    if survey.status in (SurveyStatus.ANSWERED, SurveyStatus.MANUAL_DONE):
        raise HTTPException(409, f"survey already {survey.status}")
    survey.method = "manual"
    follow_up = None
    if body.score is not None:
        follow_up = record_answer(session, survey, score=body.score, comment=body.comment, now=now, rules=rules)
    else:
        survey.status, survey.comment, survey.answered_at = SurveyStatus.MANUAL_DONE, body.comment, now
    session.commit()
    return {"id": survey.id, "status": survey.status, "follow_up": follow_up.number if follow_up else None}


ReportName = Literal["satisfaction", "complaint-timeliness", "first-contact-sla", "escalations", "survey-coverage",
                     "engineer-contact", "survey-gap"]


EARLIEST, LATEST = date(1990, 1, 1), date(9000, 12, 31)


def _range(now: datetime, tz: ZoneInfo, start: date | None, end: date | None) -> tuple[date, date]:
    end = end or now.astimezone(tz).date()
    start = start or max(EARLIEST, end - timedelta(days=365))
    if not (EARLIEST <= start <= end <= LATEST):
        raise HTTPException(422, f"need {EARLIEST} <= start <= end <= {LATEST}")
    return start, end


@router.get("/reports/{name}", summary="A service report (JSON)", response_model=ReportOut)
def report(name: ReportName, session: SessionDep, settings: SettingsDep, now: NowDep,
           start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """Rows of the report over ``start``..``end`` (default: the last 12 months)."""
    lo, hi = _range(now, _tz(settings), start, end)
    return {"report": name, "start": lo, "end": hi,
            "rows": reports.run(session, name, start=lo, end=hi, tz=_tz(settings), now=now)}


@router.get("/reports/{name}/csv", summary="A service report as CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def report_csv(name: ReportName, session: SessionDep, settings: SettingsDep, now: NowDep,
               start: date | None = None, end: date | None = None) -> Response:
    """The same rows as CSV (UTF-8 with BOM, opens in Excel)."""
    lo, hi = _range(now, _tz(settings), start, end)
    rows = reports.run(session, name, start=lo, end=hi, tz=_tz(settings), now=now)
    return Response(reports.to_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{lo}-{hi}.csv"'})


@router.get("/reports/satisfaction/chart.svg", summary="Average satisfaction by month (SVG)", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
def satisfaction_chart(session: SessionDep, settings: SettingsDep, now: NowDep,
                       start: date | None = None, end: date | None = None) -> Response:
    """A bar chart of the average score per project and month."""
    lo, hi = _range(now, _tz(settings), start, end)
    rows = reports.satisfaction(session, start=lo, end=hi, tz=_tz(settings))
    for row in rows:
        row["label"] = f"{row['project']} {row['month']}"
    svg = reports.bar_chart_svg(rows, label="label", value="avg_score", title="满意度 Satisfaction (1-5)",
                                max_value=5)
    return Response(svg, media_type="image/svg+xml")


@router.get("/privacy/owners/{owner_id}/export", summary="All data of an owner (PIPL Art. 45)",
            response_model=PrivacyExport)
def privacy_export(owner_id: Id, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """Everything held about the owner, as JSON; the request is logged."""
    try:
        data = pipl.export_owner(session, owner_id)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    pipl.log(session, owner_id, "export", now=now, actor="api", source="pipl")
    session.commit()
    return data


@router.post("/privacy/owners/{owner_id}/erase", summary="Delete (anonymise) an owner (PIPL Art. 47)",
             response_model=EraseOut)
def privacy_erase(owner_id: Id, session: SessionDep, now: NowDep, reason: str = "") -> dict[str, Any]:
    """Anonymise the owner's personal data; tickets and statistics stay without it."""
    try:
        counts = pipl.erase_owner(session, owner_id, now=now, actor="api", reason=reason)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    session.commit()
    return {"owner_id": owner_id, "erased": counts}


@router.post("/privacy/owners/{owner_id}/consent", summary="Grant or withdraw marketing consent",
             response_model=ConsentOut)
def privacy_consent(owner_id: Id, body: ConsentIn, session: SessionDep, now: NowDep) -> dict[str, Any]:
    """Service notices never depend on this (PIPL Art. 16)."""
    try:
        owner = pipl.set_marketing_consent(session, owner_id, granted=body.granted, now=now, actor="api",
                                           source=body.source, text_version=body.text_version)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    session.commit()
    return {"owner_id": owner.id, "marketing_consent": owner.marketing_consent}
