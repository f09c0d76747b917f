"""Authentication and authorization of the school workflow API.

Two ways in:

- ``Authorization: Bearer <api key>``: a school's integration key (role school_staff).
- The ``hocba_session`` cookie from ``POST /v1/session``: HttpOnly, SameSite=Strict,
  Secure when the request came over HTTPS. A cookie-authenticated request with a
  method other than GET or HEAD must also carry the session's CSRF token in the
  ``X-CSRF-Token`` header, which a cross-site form cannot set.

401 means no or unknown credentials, 403 a wrong role, another school's data or a
missing CSRF token. Authorization is checked before the target is looked up, so a
404 is only ever returned to someone allowed to see the target.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Request

from api.problems import ProblemError
from hocba.accounts import Actor, authenticate_api_key, authenticate_session, token_digest

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "CurrentActor",
    "current_actor",
    "require_audit_reader",
    "require_role",
    "require_school",
]

logger = logging.getLogger(__name__)

SESSION_COOKIE = "hocba_session"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD"}


def _unauthorized() -> ProblemError:
    return ProblemError(401, "unauthenticated",
                        "Cần đăng nhập hoặc khóa API hợp lệ.",
                        "A valid session or API key is required.",
                        headers={"WWW-Authenticate": 'Bearer realm="hocba"'})


def forbidden(detail_vi: str, detail_en: str, code: str = "forbidden") -> ProblemError:
    """Return the 403 problem with the given messages."""
    return ProblemError(403, code, detail_vi, detail_en)


def current_actor(request: Request) -> Actor:
    """Authenticate ``request`` by API key or session cookie; raise 401 or 403."""
    engine = request.app.state.instance.engine
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, key = authorization.partition(" ")
        actor = None
        if scheme.lower() == "bearer" and key.strip():
            actor = authenticate_api_key(engine, key.strip())
        if actor is None:
            logger.info("rejected an API key on %s", request.url.path)
            raise _unauthorized()
        return actor

    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise _unauthorized()
    found = authenticate_session(engine, token)
    if found is None:
        raise _unauthorized()
    actor, csrf_hash = found
    if request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(token_digest(sent), csrf_hash):
            logger.info("missing or wrong CSRF token from account %s", actor.user_id)
            raise forbidden("Thiếu hoặc sai mã chống giả mạo yêu cầu (X-CSRF-Token).",
                            "The X-CSRF-Token header is missing or wrong.", "csrf_invalid")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
"""The authenticated actor of a request, as a FastAPI parameter type."""


def require_role(actor: Actor, roles: Iterable[str]) -> None:
    """Raise 403 unless ``actor`` has one of ``roles``."""
    allowed = tuple(roles)
    if actor.role not in allowed:
        raise forbidden(f"Vai trò {actor.role} không được phép thực hiện thao tác này.",
                        f"Role {actor.role} may not do this; allowed: {', '.join(allowed)}.")


def require_school(actor: Actor, school_code: str, roles: Iterable[str]) -> None:
    """Raise 403 unless ``actor`` has one of ``roles`` and belongs to ``school_code``."""
    require_role(actor, roles)
    if actor.school_code != school_code:
        raise forbidden("Tài khoản này không thuộc trường được yêu cầu.",
                        "This account does not belong to the requested school.",
                        "school_forbidden")


def require_audit_reader(actor: Actor, school_code: str) -> None:
    """Allow the Department, and the principal of ``school_code``, to read its audit log."""
    if actor.role == "department" and actor.kind == "user":
        return
    require_school(actor, school_code, ("principal",))
