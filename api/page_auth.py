"""Authentication of the staff web pages: the login form, logout and the CSRF check of forms.

Pages use the same ``hocba_session`` cookie as ``POST /v1/session``. The login
form also sets ``hocba_csrf``, an HttpOnly cookie that carries the session's
CSRF token, so a page can put that token into the hidden field ``csrf_token`` of
its forms. A POST from a page is accepted only when that field hashes to the
session's stored CSRF digest. A form on another site can read neither cookie, so
it cannot fill the field.

Names other page modules use:

- ``page_actor`` (a FastAPI dependency): the logged-in actor, or a 303 redirect
  to ``/login?next=<this page>`` when there is no live session.
- ``check_form_csrf(request, token)``: raise a 403 problem unless ``token`` is
  the session's CSRF token.
- ``page_csrf_token(request)``: the token to put into ``csrf_token`` fields; ""
  when the session was opened through the API, whose client keeps the token itself.
"""

from __future__ import annotations

import hmac
import logging
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

from api.auth import SESSION_COOKIE, forbidden
from api.page_text import TEXT
from api.pages import LANGUAGES, PAGE_HEADERS
from api.problems import ProblemError
from api.ratelimit import RateLimiter
from hocba.accounts import (
    SCHOOL_ROLES,
    SESSION_LIFETIME,
    Actor,
    authenticate_session,
    end_session,
    start_session,
    token_digest,
)

__all__ = [
    "CSRF_COOKIE",
    "LoginRequired",
    "PageActor",
    "check_form_csrf",
    "home_path",
    "install_page_auth",
    "login_router",
    "page_actor",
    "page_csrf_token",
    "page_lang",
    "read_small_form",
    "render_page",
    "safe_next",
]

logger = logging.getLogger(__name__)

CSRF_COOKIE = "hocba_csrf"
_MAX_FORM_BYTES = 8192
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

_LOGIN_TEXT = {
    "vi": {
        "title": "Đăng nhập",
        "intro": "Dành cho cán bộ nhà trường, hiệu trưởng, đơn vị công nhận và Sở Giáo dục.",
        "login": "Tên đăng nhập",
        "password": "Mật khẩu",
        "submit": "Đăng nhập",
        "failed": "Sai tên đăng nhập hoặc mật khẩu. Hãy nhập lại.",
        "missing": "Hãy nhập cả tên đăng nhập và mật khẩu.",
        "logged_out": "Bạn đã đăng xuất.",
    },
    "en": {
        "title": "Log in",
        "intro": "For school staff, principals, accreditors and the Department of Education.",
        "login": "Login",
        "password": "Password",
        "submit": "Log in",
        "failed": "Wrong login or password. Try again.",
        "missing": "Enter both the login and the password.",
        "logged_out": "You have logged out.",
    },
}


class LoginRequired(ProblemError):
    """No live session: the page redirects (303) to the login form, which comes back after."""

    def __init__(self, location: str) -> None:
        super().__init__(303, "login_required", "Cần đăng nhập để xem trang này.",
                         "Log in to see this page.", headers={"Location": location,
                                                              "Cache-Control": "no-store"})
        self.location = location


def page_lang(request: Request) -> str:
    """Return the page language from the ``lang`` query parameter: ``en`` or else ``vi``."""
    lang = request.query_params.get("lang")
    return lang if lang in LANGUAGES else "vi"


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site (no scheme, host or ``//``), else None."""
    if not target or len(target) > 2000:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def home_path(actor: Actor) -> str:
    """Return the first page of ``actor``'s role."""
    if actor.role in SCHOOL_ROLES and actor.school_code:
        return f"/school/{quote(actor.school_code, safe='')}"
    if actor.role == "accreditor":
        return "/accreditor"
    return "/department"


def _session(request: Request) -> tuple[Actor, str] | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return authenticate_session(request.app.state.instance.engine, token)


def page_actor(request: Request) -> Actor:
    """Return the actor of the session cookie, or raise a redirect to the login form."""
    found = _session(request)
    if found is None:
        current = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(f"/login?next={quote(current, safe='')}")
    request.state.csrf_digest = found[1]
    return found[0]


PageActor = Annotated[Actor, Depends(page_actor)]
"""The logged-in actor of a page request, as a FastAPI parameter type."""


def _csrf_digest(request: Request) -> str | None:
    digest = getattr(request.state, "csrf_digest", None)
    if digest is not None:
        return str(digest)
    found = _session(request)
    return None if found is None else found[1]


def check_form_csrf(request: Request, token: str) -> None:
    """Raise a 403 problem unless ``token`` is the CSRF token of the request's session."""
    digest = _csrf_digest(request)
    if digest is None or not token or not hmac.compare_digest(token_digest(token), digest):
        logger.info("page form without a valid CSRF token on %s", request.url.path)
        raise forbidden("Biểu mẫu thiếu hoặc sai mã chống giả mạo. Hãy tải lại trang rồi "
                        "gửi lại.", "The form's CSRF token is missing or wrong. Reload the "
                        "page and submit again.", "csrf_invalid")


def page_csrf_token(request: Request) -> str:
    """Return the session's CSRF token for forms, or "" when the browser does not hold it."""
    token = request.cookies.get(CSRF_COOKIE, "")
    digest = _csrf_digest(request)
    if not token or digest is None or not hmac.compare_digest(token_digest(token), digest):
        return ""
    return token


def render_page(request: Request, template: str, lang: str, *, status_code: int = 200,
                **values: Any) -> HTMLResponse:
    """Render a template of ``api/templates`` with the shared words and the CSRF token."""
    other = "en" if lang == "vi" else "vi"
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    if other == "en":
        query.append(("lang", "en"))
    other_url = request.url.path + ("?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in query)
                                    if query else "")
    values.setdefault("other_language_url", other_url)
    values.setdefault("csrf_token", page_csrf_token(request))
    body = _environment.get_template(template).render(lang=lang, text=TEXT[lang], **values)
    return HTMLResponse(body, status_code=status_code, headers=PAGE_HEADERS)


async def read_small_form(request: Request) -> dict[str, str]:
    """Read a URL-encoded or multipart form without files of at most 8 KiB; 413 past that."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > _MAX_FORM_BYTES:
        raise ProblemError(413, "form_too_large", "Biểu mẫu gửi lên quá lớn.",
                           "The submitted form is too large.")
    async with request.form(max_files=0, max_fields=8, max_part_size=_MAX_FORM_BYTES) as form:
        return {key: value for key, value in form.multi_items() if isinstance(value, str)}


def _login_form(request: Request, lang: str, *, error: str | None = None, login: str = "",
                next_path: str | None = None, status_code: int = 200) -> HTMLResponse:
    return render_page(request, "login.html", lang, status_code=status_code,
                       words=_LOGIN_TEXT[lang], error=error, login=login,
                       next_path=next_path or "",
                       notice=_LOGIN_TEXT[lang]["logged_out"]
                       if request.query_params.get("out") == "1" else None)


def login_router(rate_limiter: RateLimiter) -> APIRouter:
    """Build the router of ``/login`` and ``/logout``."""
    router = APIRouter(include_in_schema=False)

    @router.get("/login")
    async def login_page(request: Request) -> HTMLResponse:
        return _login_form(request, page_lang(request),
                           next_path=safe_next(request.query_params.get("next")))

    @router.post("/login")
    async def login_submit(request: Request) -> Response:
        lang = page_lang(request)
        words = _LOGIN_TEXT[lang]
        try:
            rate_limiter.check(request)
            fields = await read_small_form(request)
        except ProblemError as exc:
            message = exc.message_vi if lang == "vi" else str(exc)
            return _login_form(request, lang, error=message, status_code=exc.status)

        login = fields.get("login", "").strip()[:100]
        password = fields.get("password", "")[:1000]
        next_path = safe_next(fields.get("next"))
        if not login or not password:
            return _login_form(request, lang, error=words["missing"], login=login,
                               next_path=next_path, status_code=422)

        engine = request.app.state.instance.engine
        started = await run_in_threadpool(start_session, engine, login, password)
        if started is None:
            logger.info("page login failed")
            # 200, not 401: a form login has no WWW-Authenticate scheme to offer.
            return _login_form(request, lang, error=words["failed"], login=login,
                               next_path=next_path)

        target = next_path or home_path(started.actor)
        if lang == "en" and next_path is None:
            target += "?lang=en"
        response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        secure = request.url.scheme == "https"
        max_age = int(SESSION_LIFETIME.total_seconds())
        response.set_cookie(SESSION_COOKIE, started.token, httponly=True, samesite="strict",
                            secure=secure, path="/", max_age=max_age)
        response.set_cookie(CSRF_COOKIE, started.csrf_token, httponly=True, samesite="strict",
                            secure=secure, path="/", max_age=max_age)
        logger.info("page login of account %s", started.actor.user_id)
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        lang = page_lang(request)
        fields = await read_small_form(request)
        found = await run_in_threadpool(_session, request)
        if found is not None:
            request.state.csrf_digest = found[1]
            check_form_csrf(request, fields.get("csrf_token", ""))
            if found[0].session_id is not None:
                await run_in_threadpool(end_session, request.app.state.instance.engine,
                                        found[0].session_id)
        target = "/login?out=1" + ("&lang=en" if lang == "en" else "")
        response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        for name in (SESSION_COOKIE, CSRF_COOKIE):
            response.delete_cookie(name, path="/", httponly=True, samesite="strict")
        return response

    return router


async def _redirect_to_login(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, LoginRequired):
        raise exc
    return RedirectResponse(exc.location, status_code=303, headers={"Cache-Control": "no-store"})


def install_page_auth(app: FastAPI, rate_limiter: RateLimiter) -> None:
    """Add ``/login`` and ``/logout`` to ``app`` and turn ``LoginRequired`` into a redirect."""
    app.add_exception_handler(LoginRequired, _redirect_to_login)
    app.include_router(login_router(rate_limiter))
