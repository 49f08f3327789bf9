"""Enquiry answers from data: project progress, warranty still running, and the FAQ in ``config/faq.yml``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import warranty
from backend.models import Building, ProgressUpdate, Project, Unit
from bot.dialogs.texts import load_faq
from bot.dialogs.types import OwnerView

Answer = tuple[str, dict[str, Any]] | None


class Answers:
    """Looks answers up for the enquiry dialog (read-only)."""

    def __init__(self, tz: ZoneInfo) -> None:
        """Answers in the centre's timezone."""
        self.tz = tz

    def answer(self, session: Session, topic: str, owner: OwnerView | None, text: str, lang: str,
               now: datetime) -> Answer:
        """A template key (or literal text) and its parameters, or None when we cannot answer."""
        if topic == "progress" and owner is not None:
            return self._progress(session, owner)
        if topic == "warranty" and owner is not None:
            return self._warranty(session, owner, lang, now)
        return self._faq(text)

    def _progress(self, session: Session, owner: OwnerView) -> Answer:
        unit = owner.units[0]
        project = session.scalars(
            select(Project).join(Building).join(Unit).where(Unit.id == unit.id)).first()
        if project is None:
            return None
        update = session.scalars(
            select(ProgressUpdate).where(ProgressUpdate.project_id == project.id,
                                         ProgressUpdate.published_at.is_not(None))
            .order_by(ProgressUpdate.published_at.desc()).limit(1)).first()
        if update is None:
            return "progress_none", {"project": project.name}
        assert update.published_at is not None  # the query keeps published updates only
        return "progress_latest", {
            "project": project.name, "date": update.published_at.astimezone(self.tz).date().isoformat(),
            "title": update.title, "percent": update.percent, "text": update.body}

    def _warranty(self, session: Session, owner: OwnerView, lang: str, now: datetime) -> Answer:
        unit = next((u for u in owner.units if u.handover_on), None)
        if unit is None:
            return "warranty_not_handed_over", {"unit": owner.units[0].label}
        items = warranty.active_items(session, unit.id, now.astimezone(self.tz).date())
        items = [w for w in items if w.expires_on is not None]
        if not items:
            return "warranty_none", {"unit": unit.label}
        lines = "\n".join(f"- {w.name_en if lang == 'en' else w.name_zh}: {w.expires_on.isoformat()}"
                          for w in items if w.expires_on is not None)
        return "warranty_list", {"unit": unit.label, "lines": lines}

    def _faq(self, text: str) -> Answer:
        lowered = text.lower()
        best = max(load_faq(), key=lambda e: sum(k.lower() in lowered for k in e["keywords"]), default=None)
        if best is None or not any(k.lower() in lowered for k in best["keywords"]):
            return None
        return "faq_" + best["id"], {}
