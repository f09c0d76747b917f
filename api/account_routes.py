"""Login sessions, account creation and school API keys.

- ``POST /v1/session``: log in with ``login`` and ``password``; sets the session
  cookie and returns the CSRF token. ``DELETE /v1/session`` logs out.
- ``POST /v1/accounts``: the Department creates accreditor accounts; an accreditor
  creates school staff and principal accounts for schools of its unit.
- ``POST /v1/schools/{school_code}/api-keys``: a principal creates an integration
  key (role school_staff) for its own school. The key is shown once.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from api.auth import SESSION_COOKIE, CurrentActor, forbidden, require_role, require_school
from api.problems import ProblemError
from api.ratelimit import RateLimiter
from hocba.accounts import (
    SCHOOL_ROLES,
    SESSION_LIFETIME,
    Actor,
    create_api_key,
    create_user,
    end_session,
    start_session,
)
from hocba.db import AuditEvent, IssuerRecord
from hocba.errors import InputError

__all__ = ["account_router"]

logger = logging.getLogger(__name__)

_NO_STORE = {"Cache-Control": "no-store"}


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class NewAccountBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=1, max_length=100)
    displayName: str = Field(min_length=1, max_length=200)
    role: str
    password: str = Field(min_length=1, max_length=1000)
    schoolCode: str | None = Field(default=None, max_length=32)
    adminUnitCode: str | None = Field(default=None, max_length=16)


class NewKeyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(default="", max_length=200)


def _input_problem(exc: InputError, status: int = 422) -> ProblemError:
    return ProblemError(status, exc.code, exc.message_vi or str(exc), str(exc))


def account_router(rate_limiter: RateLimiter) -> APIRouter:
    """Build the router for sessions, accounts and API keys."""
    router = APIRouter()

    @router.post("/v1/session")
    async def login(request: Request, body: LoginBody) -> JSONResponse:
        """Đăng nhập / log in and receive the session cookie and CSRF token."""
        rate_limiter.check(request)
        engine = request.app.state.instance.engine
        started = await run_in_threadpool(start_session, engine, body.login, body.password)
        if started is None:
            raise ProblemError(401, "login_failed", "Sai tên đăng nhập hoặc mật khẩu.",
                               "Wrong login or password.")
        response = JSONResponse({"login": started.actor.label, "role": started.actor.role,
                                 "schoolCode": started.actor.school_code,
                                 "adminUnitCode": started.actor.admin_unit_code,
                                 "csrfToken": started.csrf_token,
                                 "expiresAt": started.expires_at.isoformat()}, headers=_NO_STORE)
        response.set_cookie(SESSION_COOKIE, started.token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/",
                            max_age=int(SESSION_LIFETIME.total_seconds()))
        return response

    @router.delete("/v1/session", status_code=204)
    async def logout(request: Request,
                     actor: CurrentActor) -> Response:
        """Đăng xuất / log out."""
        if actor.session_id is None:
            raise forbidden("Khóa API không có phiên đăng nhập.", "API keys have no session.")
        await run_in_threadpool(end_session, request.app.state.instance.engine, actor.session_id)
        response = Response(status_code=204)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
        return response

    @router.post("/v1/accounts", status_code=201)
    async def new_account(request: Request, body: NewAccountBody,
                          actor: CurrentActor) -> JSONResponse:
        """Tạo tài khoản / create an account within the creator's scope."""
        require_role(actor, ("department", "accreditor"))
        engine = request.app.state.instance.engine
        if actor.kind != "user":
            raise forbidden("Khóa API không tạo được tài khoản.", "API keys cannot create "
                            "accounts.")
        if actor.role == "department" and body.role != "accreditor":
            raise forbidden("Sở chỉ tạo tài khoản cho đơn vị công nhận (accreditor).",
                            "The Department creates accreditor accounts only.")
        if actor.role == "accreditor":
            if body.role not in SCHOOL_ROLES:
                raise forbidden("Đơn vị công nhận chỉ tạo tài khoản cán bộ trường và hiệu "
                                "trưởng.", "An accreditor creates school staff and principal "
                                "accounts only.")
            await run_in_threadpool(_check_school_in_unit, engine, body.schoolCode or "",
                                    actor.admin_unit_code or "")
        try:
            account = await run_in_threadpool(
                lambda: create_user(engine, login=body.login, display_name=body.displayName,
                                    role=body.role, password=body.password,
                                    school_code=body.schoolCode,
                                    admin_unit_code=body.adminUnitCode,
                                    created_by=actor.label))
        except InputError as exc:
            raise _input_problem(exc, 409 if exc.code == "login_taken" else 422) from exc
        await run_in_threadpool(_audit, engine, actor, "create_account",
                                f"user:{account.id}", account.role, account.school_code)
        return JSONResponse({"id": account.id, "login": account.login, "role": account.role,
                             "schoolCode": account.school_code,
                             "adminUnitCode": account.admin_unit_code}, status_code=201,
                            headers=_NO_STORE)

    @router.post("/v1/schools/{school_code}/api-keys", status_code=201)
    async def new_api_key(request: Request, school_code: str, body: NewKeyBody,
                          actor: CurrentActor) -> JSONResponse:
        """Tạo khóa API của trường / create an API key for the principal's school."""
        require_school(actor, school_code, ("principal",))
        engine = request.app.state.instance.engine
        key, row = await run_in_threadpool(
            lambda: create_api_key(engine, school_code=school_code, created_by=actor.label,
                                   label=body.label))
        await run_in_threadpool(_audit, engine, actor, "create_api_key", f"api_key:{row.id}",
                                body.label, school_code)
        return JSONResponse({"id": row.id, "key": key, "prefix": row.prefix, "role": row.role,
                             "schoolCode": school_code}, status_code=201, headers=_NO_STORE)

    return router


def _check_school_in_unit(engine, school_code: str, unit_code: str) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as db:
        school = db.exec(select(IssuerRecord).where(IssuerRecord.school_code == school_code)
                         ).first()
    if school is None or school.admin_unit_code != unit_code:
        raise forbidden("Trường này không thuộc đơn vị hành chính của tài khoản.",
                        "This school is not in the account's administrative unit.",
                        "school_forbidden")


def _audit(engine, actor: Actor, action: str, target: str, reason: str,  # type: ignore[no-untyped-def]
           school_code: str | None) -> None:
    with Session(engine) as db:
        db.add(AuditEvent(actor=actor.label, action=action, target=target, reason=reason[:500],
                          school_code=school_code))
        db.commit()
