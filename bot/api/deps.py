"""Dependencies of the REST API: settings, database session, clock, service rules, bearer token.

Nothing is read at import time. The application that includes :data:`bot.api.api_router` must set,
before serving:

- ``app.state.settings``: a :class:`bot.settings.Settings`;
- ``app.state.sessions``: a ``sessionmaker`` producing :class:`~sqlalchemy.orm.Session` objects;
- ``app.state.services`` (the application factory sets it): the API then runs on the app's own clock
  (``services.clock``) and service rules (``services.rules``), the same the dialogs and sweeps use;
- without services (the API's own tests): optionally ``app.state.clock``, a zero-argument callable
  returning an aware ``datetime`` (else the wall clock), and ``app.state.rules`` (else built from settings
  by :func:`bot.services.rules_from_settings`).
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
from bot.services import rules_from_settings
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
    """The app's clock (``app.state.services.clock``), else ``app.state.clock``, else the wall clock."""
    services = getattr(request.app.state, "services", None)
    clock: Callable[[], datetime] | None = services.clock if services is not None else \
        getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


def enabled_channels(request: Request, settings: Settings) -> list[str]:
    """The channels this deployment pages on (the running services', else those the settings enable)."""
    svc = getattr(request.app.state, "services", None)
    if svc is not None:
        return list(svc.channels)
    return [n for n, sec in (("wechat", settings.wechat), ("sms", settings.twilio), ("telegram", settings.telegram))
            if sec.enabled]


NO_NUL = r"^[^\x00]*$"  # PostgreSQL cannot store or compare text with NUL characters
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]


def get_rules(request: Request, settings: SettingsDep) -> ServiceRules:
    """The app's rules (``app.state.services.rules``), else ``app.state.rules``, else built from the settings."""
    services = getattr(request.app.state, "services", None)
    rules: ServiceRules | None = services.rules if services is not None else \
        getattr(request.app.state, "rules", None)
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
