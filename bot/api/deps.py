"""Dependencies of the REST API: settings, database session, clock, service rules, bearer token.

Nothing is read at import time. The application that includes :data:`bot.api.api_router` must set,
before serving:

- ``app.state.settings``: a :class:`bot.settings.Settings`;
- ``app.state.sessions``: a ``sessionmaker`` producing :class:`~sqlalchemy.orm.Session` objects;
- optionally ``app.state.clock``: a zero-argument callable returning an aware ``datetime``
  (defaults to the wall clock; tests pin it);
- optionally ``app.state.rules``: a :class:`backend.tickets.ServiceRules` (else built from settings).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from backend.models import utcnow
from backend.tickets import ServiceRules
from bot.settings import Settings

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="`Authorization: Bearer <ANJU_API_TOKEN>`",
)


def get_settings(request: Request) -> Settings:
    """The settings the application was started with (``app.state.settings``)."""
    settings: Settings | None = getattr(request.app.state, "settings", None)
    if settings is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "API not configured: no settings")
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """A session from ``app.state.sessions`` for one request; rolled back unless the route committed."""
    factory: sessionmaker[Session] | None = getattr(request.app.state, "sessions", None)
    if factory is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "API not configured: no database")
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_now(request: Request) -> datetime:
    """The current time, from ``app.state.clock`` when the application provides one."""
    clock: Callable[[], datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


def rules_from_settings(settings: Settings) -> ServiceRules:
    """Service rules (calendar, windows, timers) as configured."""
    return ServiceRules.from_settings(settings.sla, settings.timezone)


NO_NUL = r"^[^\x00]*$"  # PostgreSQL cannot store or compare text with NUL characters
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]


def get_rules(request: Request, settings: SettingsDep) -> ServiceRules:
    """``app.state.rules`` if set, else rules built from the settings."""
    rules: ServiceRules | None = getattr(request.app.state, "rules", None)
    return rules if rules is not None else rules_from_settings(settings)


RulesDep = Annotated[ServiceRules, Depends(get_rules)]


def require_token(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> None:
    """Refuse the call unless it carries the configured bearer token.

    Raises:
        HTTPException: 503 when no ``ANJU_API_TOKEN`` is configured, 401 when the token is
            missing or wrong.
    """
    expected = settings.api_token.get_secret_value() if settings.api_token else ""
    if not expected:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "API disabled: set ANJU_API_TOKEN")
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or invalid bearer token" if given else "missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
