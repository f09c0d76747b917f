"""User accounts, login sessions and school API keys.

Passwords are hashed with argon2id (argon2-cffi, its default parameters). Session
tokens, CSRF tokens and API keys are 32 random bytes; only their SHA-256 digests
are stored, so a copy of the database opens no session and no key.

Roles: ``department`` (whole province), ``accreditor`` (one administrative unit,
``admin_unit_code``), ``school_staff`` and ``principal`` (one school,
``school_code``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine
from sqlmodel import Session, select

from hocba.db import ApiKey, LoginSession, UserAccount
from hocba.errors import InputError

__all__ = [
    "API_KEY_PREFIX",
    "ROLES",
    "SCHOOL_ROLES",
    "SESSION_LIFETIME",
    "Actor",
    "NewSession",
    "authenticate_api_key",
    "authenticate_session",
    "create_api_key",
    "create_user",
    "end_session",
    "hash_password",
    "start_session",
    "token_digest",
]

logger = logging.getLogger(__name__)

ROLES = ("department", "accreditor", "school_staff", "principal")
SCHOOL_ROLES = ("school_staff", "principal")
API_KEY_PREFIX = "hocba_"
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 12

_HASHER = PasswordHasher()
# Verified when a login names no account, so a wrong login costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("no account has this password")


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of a request: a logged-in person or a school's API key."""

    kind: str  # "user" or "api_key"
    label: str  # the login, or "api-key:<prefix>"
    role: str
    school_code: str | None
    admin_unit_code: str | None
    user_id: int | None = None
    session_id: int | None = None


@dataclass(frozen=True)
class NewSession:
    """A started session: the cookie token and the CSRF token, shown only once."""

    token: str
    csrf_token: str
    actor: Actor
    expires_at: datetime


def token_digest(token: str) -> str:
    """Return the lowercase hex SHA-256 of a session token, CSRF token or API key."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """Hash ``password`` with argon2id, rejecting one shorter than 12 characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"password too short: at least {MIN_PASSWORD_LENGTH} characters required",
            code="password_too_short",
            message_vi=f"Mật khẩu quá ngắn: cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
        )
    return _HASHER.hash(password)


def _check_scope(role: str, school_code: str | None, admin_unit_code: str | None) -> None:
    if role not in ROLES:
        raise InputError(f"invalid role {role!r}: use one of {', '.join(ROLES)}",
                         code="role_invalid",
                         message_vi=f"Vai trò «{role}» không hợp lệ; dùng một trong: "
                                    f"{', '.join(ROLES)}.")
    if role in SCHOOL_ROLES and not school_code:
        raise InputError(f"role {role} needs a school code", code="school_code_missing",
                         message_vi=f"Vai trò {role} cần mã trường.")
    if role == "accreditor" and not admin_unit_code:
        raise InputError("role accreditor needs an administrative unit code",
                         code="admin_unit_code_missing",
                         message_vi="Vai trò accreditor cần mã đơn vị hành chính.")


def create_user(engine: Engine, *, login: str, display_name: str, role: str, password: str,
                school_code: str | None = None, admin_unit_code: str | None = None,
                created_by: str = "") -> UserAccount:
    """Store a new account with an argon2id password hash; the login must be new."""
    login = login.strip().casefold()
    if not login or len(login) > 100:
        raise InputError("login must be 1 to 100 characters", code="login_invalid",
                         message_vi="Tên đăng nhập phải dài từ 1 đến 100 ký tự.")
    _check_scope(role, school_code, admin_unit_code)
    account = UserAccount(
        login=login, display_name=display_name, role=role,
        school_code=school_code if role in SCHOOL_ROLES else None,
        admin_unit_code=admin_unit_code if role == "accreditor" else None,
        password_hash=hash_password(password), created_by=created_by,
    )
    with Session(engine, expire_on_commit=False) as db:
        if db.exec(select(UserAccount).where(UserAccount.login == login)).first() is not None:
            raise InputError(f"login {login!r} already exists", code="login_taken",
                             message_vi=f"Tên đăng nhập «{login}» đã có người dùng.")
        db.add(account)
        db.commit()
        db.refresh(account)
    logger.info("created %s account %d", role, account.id)
    return account


def _actor_of(account: UserAccount, session_id: int | None = None) -> Actor:
    return Actor("user", account.login, account.role, account.school_code,
                 account.admin_unit_code, account.id, session_id)


def start_session(engine: Engine, login: str, password: str) -> NewSession | None:
    """Check ``login`` and ``password`` and open a session; None when either is wrong."""
    with Session(engine, expire_on_commit=False) as db:
        account = db.exec(select(UserAccount).where(
            UserAccount.login == login.strip().casefold())).first()
        if account is None or account.disabled:
            _verify(_DUMMY_HASH, password)
            return None
        if not _verify(account.password_hash, password):
            return None
        if _HASHER.check_needs_rehash(account.password_hash):
            account.password_hash = _HASHER.hash(password)
            db.add(account)
        token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires_at = datetime.now(UTC) + SESSION_LIFETIME
        row = LoginSession(token_hash=token_digest(token), csrf_hash=token_digest(csrf_token),
                           user_id=int(account.id or 0), expires_at=expires_at)
        db.add(row)
        db.commit()
        db.refresh(row)
        return NewSession(token, csrf_token, _actor_of(account, row.id), expires_at)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate_session(engine: Engine, token: str) -> tuple[Actor, str] | None:
    """Return the actor of a live session and its CSRF digest, or None."""
    with Session(engine) as db:
        row = db.exec(select(LoginSession).where(
            LoginSession.token_hash == token_digest(token))).first()
        if row is None:
            return None
        if _aware(row.expires_at) <= datetime.now(UTC):
            db.delete(row)
            db.commit()
            return None
        account = db.get(UserAccount, row.user_id)
        if account is None or account.disabled:
            return None
        return _actor_of(account, row.id), row.csrf_hash


def end_session(engine: Engine, session_id: int) -> None:
    """Delete a session so its cookie no longer works."""
    with Session(engine) as db:
        row = db.get(LoginSession, session_id)
        if row is not None:
            db.delete(row)
            db.commit()


def create_api_key(engine: Engine, *, school_code: str, created_by: str,
                   label: str = "") -> tuple[str, ApiKey]:
    """Create a school_staff key for ``school_code``; return the key (shown once) and its row."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(key_hash=token_digest(key), prefix=key[:14], school_code=school_code,
                 role="school_staff", label=label[:200], created_by=created_by)
    with Session(engine, expire_on_commit=False) as db:
        db.add(row)
        db.commit()
        db.refresh(row)
    logger.info("created API key %d for school %s", row.id, school_code)
    return key, row


def authenticate_api_key(engine: Engine, key: str) -> Actor | None:
    """Return the actor of an unrevoked API key, or None."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    with Session(engine) as db:
        row = db.exec(select(ApiKey).where(ApiKey.key_hash == token_digest(key))).first()
    if row is None or row.revoked_at is not None:
        return None
    return Actor("api_key", f"api-key:{row.prefix}", row.role, row.school_code, None)


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for UTC values.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
