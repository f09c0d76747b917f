"""The wallet's device session: the ``hocba_wallet`` cookie set when a claim link is opened.

A student (or a guardian) has no account. Opening a claim link starts a device session
whose random token is the cookie (HttpOnly, SameSite=Lax, Secure over HTTPS); the
database keeps only its SHA-256 digest (``wallet_session.token_hash``).

The CSRF token of a session is derived from the cookie token
(HMAC-SHA-256 keyed with the token), so it needs no column. A cross-site page can read
neither the cookie nor the pages that carry the derived token. Forms send it in the hidden
field ``csrf_token``; scripts send it in the ``X-CSRF-Token`` header.

Dependencies for routes:

- ``wallet_actor``: API routes. No or unknown session gives a 401 problem; a method other
  than GET or HEAD also needs the ``X-CSRF-Token`` header (403 otherwise).
- ``wallet_page_actor``: HTML pages. No session raises ``WalletSessionRequired``, which the
  handler installed by ``install_wallet_auth`` renders as a page that directs the student to
  open the claim link again. Form posts call ``check_wallet_csrf`` themselves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, select

from api.pages import PAGE_HEADERS, render_message
from api.problems import ProblemError
from hocba.accounts import token_digest
from hocba.db_wallet import Wallet, WalletSession

__all__ = [
    "WALLET_COOKIE",
    "WALLET_CSRF_HEADER",
    "WalletActor",
    "WalletActorDep",
    "WalletPageActorDep",
    "WalletSessionRequired",
    "check_wallet_csrf",
    "csrf_token_for",
    "find_wallet_actor",
    "install_wallet_auth",
    "set_wallet_cookie",
    "wallet_actor",
    "wallet_page_actor",
]

logger = logging.getLogger(__name__)

WALLET_COOKIE = "hocba_wallet"
WALLET_CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD"}


@dataclass(frozen=True)
class WalletActor:
    """The wallet a request acts on, through which device session, and as whom."""

    wallet_id: int
    session_id: int
    acting_as: str  # "student" or "guardian"
    csrf_token: str


class WalletSessionRequired(ProblemError):
    """A wallet page was opened without a live device session (401)."""

    def __init__(self) -> None:
        super().__init__(401, "wallet_session_required",
                         "Thiết bị này chưa mở ví học bạ. Hãy mở lại đường dẫn nhận học bạ mà "
                         "nhà trường đã đưa, hoặc xin nhà trường một đường dẫn mới.",
                         "This device has no wallet session. Open the claim link from your "
                         "school again, or ask the school for a new one.")


def csrf_token_for(session_token: str) -> str:
    """Derive the CSRF token of a wallet session from its cookie token."""
    mac = hmac.new(session_token.encode("utf-8"), b"hocba wallet csrf", hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for UTC values.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def find_wallet_actor(request: Request) -> WalletActor | None:
    """Return the actor of the request's live wallet session, or None."""
    token = request.cookies.get(WALLET_COOKIE)
    if not token or len(token) > 100:
        return None
    engine = request.app.state.instance.engine
    with Session(engine) as db:
        row = db.exec(select(WalletSession).where(
            WalletSession.token_hash == token_digest(token))).first()
        if row is None or row.revoked_at is not None:
            return None
        if _aware(row.expires_at) <= datetime.now(UTC):
            return None
        if db.get(Wallet, row.wallet_id) is None:
            return None
        return WalletActor(row.wallet_id, int(row.id or 0), row.acting_as,
                           csrf_token_for(token))


def wallet_actor(request: Request) -> WalletActor:
    """Authenticate an API request by its wallet cookie; raise 401, or 403 without CSRF."""
    actor = find_wallet_actor(request)
    if actor is None:
        raise ProblemError(401, "wallet_session_required",
                           "Thiết bị này chưa mở ví học bạ.",
                           "This device has no wallet session.")
    if request.method not in _SAFE_METHODS:
        check_wallet_csrf(actor, request.headers.get(WALLET_CSRF_HEADER, ""))
    return actor


def wallet_page_actor(request: Request) -> WalletActor:
    """Authenticate a wallet page; raise ``WalletSessionRequired`` without a live session."""
    actor = find_wallet_actor(request)
    if actor is None:
        raise WalletSessionRequired()
    return actor


def check_wallet_csrf(actor: WalletActor, token: str) -> None:
    """Raise 403 unless ``token`` is the CSRF token of ``actor``'s session."""
    if token and hmac.compare_digest(token.encode("utf-8"), actor.csrf_token.encode("utf-8")):
        return
    logger.info("missing or wrong CSRF token on wallet session %d", actor.session_id)
    raise ProblemError(403, "csrf_invalid",
                       "Thiếu hoặc sai mã chống giả mạo yêu cầu. Hãy tải lại trang rồi thử lại.",
                       "The CSRF token is missing or wrong. Reload the page and try again.")


def set_wallet_cookie(response: Response, request: Request, token: str,
                      max_age_seconds: int) -> None:
    """Set the wallet cookie on ``response``; Secure when the request came over HTTPS."""
    response.set_cookie(WALLET_COOKIE, token, max_age=max_age_seconds, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")


WalletActorDep = Annotated[WalletActor, Depends(wallet_actor)]
"""The wallet session of an API request, as a FastAPI parameter type."""

WalletPageActorDep = Annotated[WalletActor, Depends(wallet_page_actor)]
"""The wallet session of a page request, as a FastAPI parameter type."""


async def _on_session_required(request: Request, exc: Exception) -> HTMLResponse:
    lang = "en" if request.query_params.get("lang") == "en" else "vi"
    title = "Chưa mở ví" if lang == "vi" else "No wallet on this device"
    message = exc.message_vi if lang == "vi" and isinstance(exc, ProblemError) else str(exc)
    return HTMLResponse(render_message(lang, title, message), status_code=401,
                        headers=PAGE_HEADERS)


def install_wallet_auth(app: FastAPI) -> None:
    """Render ``WalletSessionRequired`` as an HTML page instead of a problem response."""
    app.add_exception_handler(WalletSessionRequired, _on_session_required)
