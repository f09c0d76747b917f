"""A learner's records across schools and years (personal data, so tightly scoped).

- ``GET /v1/learners/{student_id}/records``: every record this instance issued
  for the learner, oldest first. Only a logged-in Department account may call it.
- ``GET /v1/schools/{school_code}/learners/{student_id}/records``: the same list
  limited to one school, for that school's principal.

Each call is written to the audit log with the learner id replaced by the first
16 hex digits of its SHA-256, so the log does not hold the id itself.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.auth import CurrentActor, forbidden, require_school
from api.school_actions import problem_of, record_audit
from hocba.accounts import Actor
from hocba.errors import HocbaError
from issuer.learner import learner_records

__all__ = ["learner_router"]

logger = logging.getLogger(__name__)

_NO_STORE = {"Cache-Control": "no-store"}


def _history(request: Request, actor: Actor, student_id: str,
             school_code: str | None) -> list[dict[str, Any]]:
    engine = request.app.state.instance.engine
    try:
        records = learner_records(engine, student_id, school_code=school_code)
    except HocbaError as exc:
        raise problem_of(exc) from exc
    pseudonym = hashlib.sha256(student_id.strip().encode()).hexdigest()[:16]
    with Session(engine) as db:
        record_audit(db, actor, "learner_history", f"learner:{pseudonym}",
                     f"{len(records)} records", school_code or "")
        db.commit()
    return [{**asdict(record), "issued_at": record.issued_at.isoformat()} for record in records]


def learner_router() -> APIRouter:
    """Return the router of the learner history endpoints."""
    router = APIRouter(tags=["learners"])

    @router.get("/v1/learners/{student_id}/records")
    async def all_records(request: Request, student_id: str,
                          actor: CurrentActor) -> JSONResponse:
        """Hồ sơ của một học sinh ở mọi trường (Sở GD&ĐT) / a learner's records (Department)."""
        if actor.role != "department" or actor.kind != "user":
            raise forbidden("Chỉ tài khoản Sở GD&ĐT được xem hồ sơ học sinh ở mọi trường.",
                            "Only a Department account may list a learner's records across "
                            "schools.")
        records = await run_in_threadpool(_history, request, actor, student_id, None)
        return JSONResponse({"records": records}, headers=_NO_STORE)

    @router.get("/v1/schools/{school_code}/learners/{student_id}/records")
    async def school_records(request: Request, school_code: str, student_id: str,
                             actor: CurrentActor) -> JSONResponse:
        """Hồ sơ của một học sinh tại trường (hiệu trưởng) / one school's records (principal)."""
        require_school(actor, school_code, ("principal",))
        records = await run_in_threadpool(_history, request, actor, student_id, school_code)
        return JSONResponse({"records": records}, headers=_NO_STORE)

    return router
