"""The REST API under ``/api/v1`` (token-authenticated; see :mod:`bot.api.deps` for the app contract).

Include :data:`api_router` in the application and set ``app.state.settings`` and
``app.state.sessions`` (a ``sessionmaker``) before serving.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from bot.api import field, import_jobs, owners, proactive, staff, tickets
from bot.api.deps import (
    NowDep,
    RulesDep,
    SessionDep,
    SettingsDep,
    get_now,
    get_rules,
    get_session,
    get_settings,
    require_token,
    rules_from_settings,
)
from bot.api.schemas import ErrorOut

__all__ = [
    "NowDep",
    "RulesDep",
    "SessionDep",
    "SettingsDep",
    "api_router",
    "get_now",
    "get_rules",
    "get_session",
    "get_settings",
    "require_token",
    "rules_from_settings",
]

api_router = APIRouter(
    prefix="/api/v1",
    dependencies=[Depends(require_token)],
    responses={
        401: {"model": ErrorOut, "description": "Missing or wrong bearer token"},
        503: {"model": ErrorOut, "description": "API disabled: no ANJU_API_TOKEN configured"},
    },
)
api_router.include_router(tickets.router)
api_router.include_router(field.router)
api_router.include_router(field.warranty_router)
api_router.include_router(owners.router)
api_router.include_router(proactive.router)
api_router.include_router(staff.router)
api_router.include_router(import_jobs.router)
