"""Progress updates can be edited or cancelled until published; a past publish time is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from backend import progress
from tests.factories import make_unit
from tests.proactive.conftest import NOW


def test_edit_cancel_and_past_time(session: Session) -> None:
    project_id = make_unit(session, stage="under_construction").building.project_id
    u = progress.create_update(session, project_id=project_id, title="主体封顶", now=NOW)
    with pytest.raises(ValueError):
        progress.schedule(u, NOW - timedelta(hours=1), now=NOW)
    assert u.publish_at is None
    progress.schedule(u, NOW + timedelta(days=1), now=NOW)
    progress.edit_update(u, title="主体结构封顶", percent=60)
    assert (u.title, u.percent) == ("主体结构封顶", 60)
    with pytest.raises(ValueError):
        progress.edit_update(u, project_id=99)
    with pytest.raises(ValueError):
        progress.edit_update(u, percent=101)
    progress.cancel_update(u)
    assert u.publish_at is None
    u.published_at = NOW
    for action in (lambda: progress.edit_update(u, title="x"), lambda: progress.cancel_update(u),
                   lambda: progress.schedule(u, NOW, now=NOW)):
        with pytest.raises(ValueError):
            action()
    assert u.title == "主体结构封顶"
