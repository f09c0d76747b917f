"""JSON routes of the student wallet, share links and claim links.

Wallet routes need the ``hocba_wallet`` cookie (``api.wallet_auth``); POSTs also need the
``X-CSRF-Token`` header. A session reads only its own wallet: another wallet's record or
share gives 404.

- ``GET /v1/wallet/records``: the records with their current status.
- ``GET /v1/wallet/records/{id}``: one credential as issued (JSON).
- ``POST /v1/wallet/disclosures``: ``{"records": [{"id", "fields": [group keys]}],
  "childAgrees"}`` returns selective disclosures built from the stored credentials.
- ``POST /v1/wallet/shares``: ``{"ciphertext" (base64url), "recordCount", "label", "days",
  "scope", "childAgrees"}`` stores a share made in the browser; returns its id and path.
- ``GET /v1/wallet/shares``, ``POST /v1/wallet/shares/{id}/withdraw``.
- ``GET /v1/shares/{id}``: the ciphertext of a share, for the recipient's page (public;
  410 once expired or withdrawn).
- ``POST /v1/verify/disclosures``: ``{"documents": [...]}`` verifies disclosures and
  full credentials and labels what each one shows.
- ``POST /v1/schools/{code}/claims`` (school staff, principal): ``{"batchId"}`` or
  ``{"credentialIds": [...]}`` creates one claim link per learner.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.auth import CurrentActor, require_school
from api.problems import ProblemError
from api.ratelimit import RateLimiter
from api.service import VerificationService
from api.uploads import read_json_body
from api.wallet_auth import WalletActor, WalletActorDep
from api.wallet_data import held_record, held_records, load_wallet, record_uuid
from hocba.accounts import SCHOOL_ROLES
from hocba.errors import HocbaError
from hocba.status import Status, VerificationResult
from verifier.disclosure import DISCLOSURE_TYPE
from wallet.claims import create_claim_links
from wallet.consent import ConsentRequiredError, record_consent, require_share_consent
from wallet.disclosure import make_disclosure
from wallet.held_records import describe_revealed, reveal_pointers
from wallet.shares import (
    MAX_CIPHERTEXT_BYTES,
    create_share,
    list_shares,
    open_share,
    withdraw_share,
)

__all__ = ["claim_api_router", "make_disclosures", "verify_documents", "wallet_api_router"]

logger = logging.getLogger(__name__)

_NO_STORE = {"Cache-Control": "no-store"}
_MAX_DOCUMENTS = 50
_Model = TypeVar("_Model", bound=BaseModel)


class RecordChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64)
    fields: list[str] = Field(max_length=2000)


class DisclosureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[RecordChoice] = Field(min_length=1, max_length=_MAX_DOCUMENTS)
    childAgrees: bool = False


class ShareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ciphertext: str = Field(min_length=40, max_length=MAX_CIPHERTEXT_BYTES * 4 // 3 + 4)
    recordCount: int
    label: str = Field(default="", max_length=200)
    days: int
    scope: dict[str, Any] = Field(default_factory=dict)
    childAgrees: bool = False


class ClaimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    batchId: int | None = None
    credentialIds: list[str] = Field(default_factory=list, max_length=2000)


def _parse(model: type[_Model], data: bytes) -> _Model:
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        raise ProblemError(422, "request_invalid",
                           "Nội dung yêu cầu không hợp lệ; xem danh sách lỗi trong «errors».",
                           "The request body is invalid; see the list in 'errors'.",
                           errors=[{"loc": [str(part) for part in error["loc"]],
                                    "msg": error["msg"]} for error in exc.errors()]) from None


def _problem(exc: HocbaError) -> ProblemError:
    if isinstance(exc, ConsentRequiredError):
        return ProblemError(403, exc.code, exc.message_vi, str(exc))
    status = 404 if exc.code.endswith("not_found") else 403 if exc.code.endswith(
        "foreign") else 410 if exc.code in ("share_expired", "share_withdrawn") else 422
    return ProblemError(status, exc.code, exc.message_vi, str(exc))


def _check_consent(service: VerificationService, actor: WalletActor, child_agrees: bool) -> None:
    wallet = load_wallet(service.instance.engine, actor.wallet_id)
    try:
        require_share_consent(wallet, actor.acting_as, child_agrees=child_agrees)
    except ConsentRequiredError as exc:
        logger.info("share rejected for wallet session %d: %s", actor.session_id, exc.code)
        raise _problem(exc) from exc


def make_disclosures(service: VerificationService, actor: WalletActor,
                     request: DisclosureRequest) -> list[dict[str, Any]]:
    """Build one disclosure per chosen record of the session's wallet."""
    documents = []
    for choice in request.records:
        record = held_record(service, actor.wallet_id, record_uuid(choice.id))
        pointers = reveal_pointers(record.credential, choice.fields)
        try:
            documents.append(make_disclosure(record.credential, pointers))
        except HocbaError as exc:
            raise _problem(exc) from exc
    return documents


def _verify_one(service: VerificationService, document: Any, index: int) -> VerificationResult:
    source = f"share:{index}"
    is_disclosure = isinstance(document, dict) and document.get("type") == DISCLOSURE_TYPE
    if is_disclosure:
        return service.verify_disclosure(document, source)
    return service.verify_json(json.dumps(document, ensure_ascii=False).encode("utf-8"), source)


def verify_documents(service: VerificationService, documents: list[Any]) -> list[dict[str, Any]]:
    """Verify shared documents and label the fields each one shows."""
    results = []
    for index, document in enumerate(documents):
        result = _verify_one(service, document, index)
        body = result.to_json()
        revealed: dict[str, Any] = {}
        hidden = 0
        if isinstance(document, dict) and document.get("type") == DISCLOSURE_TYPE:
            revealed = {str(item[0]): item[1] for item in document.get("revealed") or []
                        if isinstance(item, list) and len(item) == 3}
            hidden = len(document.get("hiddenDigests") or [])
        body["shown"] = describe_revealed(revealed) if result.status != Status.MALFORMED else []
        body["hiddenCount"] = hidden
        results.append(body)
    return results


def _decode_ciphertext(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ProblemError(422, "share_ciphertext_invalid",
                           "Dữ liệu đã mã hóa không phải base64url.",
                           "The ciphertext is not base64url.") from None


def _store_share(service: VerificationService, actor: WalletActor, body: ShareRequest
                 ) -> dict[str, Any]:
    engine = service.instance.engine
    wallet = load_wallet(engine, actor.wallet_id)
    ciphertext = _decode_ciphertext(body.ciphertext)
    with Session(engine) as db:
        consent_id = None
        if actor.acting_as == "guardian":
            consent = record_consent(
                db, wallet_id=actor.wallet_id, given_by="guardian",
                giver_name=wallet.guardian_name or "", purpose="Chia sẻ hồ sơ qua đường dẫn",
                recipient=body.label, scope={**body.scope, "child_agrees": body.childAgrees})
            consent_id = consent.id
        row = create_share(db, wallet_id=actor.wallet_id, ciphertext=ciphertext,
                           record_count=body.recordCount, label=body.label, days=body.days,
                           consent_id=consent_id)
        db.commit()
        return {"id": row.id, "path": f"/s/{row.id}",
                "expiresAt": row.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")}


def wallet_api_router(service: VerificationService, rate_limiter: RateLimiter,
                      limit: int) -> APIRouter:
    """Build the router of the wallet, share and disclosure-verification JSON routes."""
    router = APIRouter(tags=["wallet"])

    @router.get("/v1/wallet/records")
    async def records(actor: WalletActorDep) -> JSONResponse:
        """Văn bản trong ví / the wallet's records with their current status."""
        views = await run_in_threadpool(held_records, service, actor.wallet_id)
        return JSONResponse({"records": [view.to_json() for view in views]}, headers=_NO_STORE)

    @router.get("/v1/wallet/records/{record_id}")
    async def record_json(record_id: str, actor: WalletActorDep) -> JSONResponse:
        """Một văn bản dạng JSON / one credential as issued."""
        view = await run_in_threadpool(held_record, service, actor.wallet_id, record_id)
        return JSONResponse(view.credential, headers=_NO_STORE)

    @router.post("/v1/wallet/disclosures")
    async def disclosures(request: Request, actor: WalletActorDep) -> JSONResponse:
        """Tạo bản chia sẻ từng phần / build selective disclosures for a share."""
        body = _parse(DisclosureRequest, await read_json_body(request, limit))
        await run_in_threadpool(_check_consent, service, actor, body.childAgrees)
        documents = await run_in_threadpool(make_disclosures, service, actor, body)
        return JSONResponse({"documents": documents}, headers=_NO_STORE)

    @router.post("/v1/wallet/shares", status_code=201)
    async def share(request: Request, actor: WalletActorDep) -> JSONResponse:
        """Lưu đường dẫn chia sẻ đã mã hóa / store an encrypted share."""
        body = _parse(ShareRequest, await read_json_body(request, limit))
        await run_in_threadpool(_check_consent, service, actor, body.childAgrees)
        try:
            created = await run_in_threadpool(_store_share, service, actor, body)
        except HocbaError as exc:
            raise _problem(exc) from exc
        return JSONResponse(created, status_code=201, headers=_NO_STORE)

    @router.get("/v1/wallet/shares")
    async def shares(actor: WalletActorDep) -> JSONResponse:
        """Các đường dẫn chia sẻ / the wallet's share links."""
        views = await run_in_threadpool(list_shares, service.instance.engine, actor.wallet_id)
        return JSONResponse({"shares": [
            {"id": view.id, "label": view.label, "recordCount": view.record_count,
             "state": view.state, "openedCount": view.opened_count,
             "expiresAt": view.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")} for view in views]},
            headers=_NO_STORE)

    @router.post("/v1/wallet/shares/{share_id}/withdraw")
    async def withdraw(share_id: str, actor: WalletActorDep) -> JSONResponse:
        """Thu hồi đường dẫn chia sẻ / withdraw a share link."""
        try:
            await run_in_threadpool(withdraw_share, service.instance.engine,
                                    wallet_id=actor.wallet_id, share_id=share_id)
        except HocbaError as exc:
            raise _problem(exc) from exc
        return JSONResponse({"id": share_id, "state": "withdrawn"}, headers=_NO_STORE)

    @router.get("/v1/shares/{share_id}")
    async def share_ciphertext(request: Request, share_id: str) -> JSONResponse:
        """Dữ liệu đã mã hóa của đường dẫn chia sẻ / a share's ciphertext."""
        rate_limiter.check(request)
        try:
            data = await run_in_threadpool(open_share, service.instance.engine, share_id)
        except HocbaError as exc:
            raise _problem(exc) from exc
        encoded = base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
        return JSONResponse({"ciphertext": encoded}, headers=_NO_STORE)

    @router.post("/v1/verify/disclosures")
    async def verify_shared(request: Request) -> JSONResponse:
        """Xác thực bản chia sẻ / verify shared disclosures and credentials."""
        rate_limiter.check(request)
        try:
            body = json.loads(await read_json_body(request, limit))
        except ValueError:
            body = None
        documents = body.get("documents") if isinstance(body, dict) else None
        if not isinstance(documents, list) or not 1 <= len(documents) <= _MAX_DOCUMENTS:
            raise ProblemError(422, "documents_invalid",
                               f"Cần danh sách «documents» gồm 1 đến {_MAX_DOCUMENTS} văn bản.",
                               f"Expected 'documents': a list of 1 to {_MAX_DOCUMENTS} items.")
        results = await run_in_threadpool(verify_documents, service, documents)
        return JSONResponse({"results": results}, headers=_NO_STORE)

    return router


def claim_api_router(service: VerificationService) -> APIRouter:
    """Build the router of ``POST /v1/schools/{code}/claims``."""
    router = APIRouter(tags=["wallet"])

    @router.post("/v1/schools/{school_code}/claims", status_code=201)
    async def create_claims(school_code: str, body: ClaimRequest,
                            actor: CurrentActor) -> JSONResponse:
        """Tạo đường dẫn nhận học bạ / create claim links for a batch or credentials."""
        require_school(actor, school_code, SCHOOL_ROLES)
        base = service.instance.settings.verify_base_url.rstrip("/")
        try:
            links = await run_in_threadpool(
                lambda: create_claim_links(service.instance.engine, school_code=school_code,
                                           created_by=actor.label, batch_id=body.batchId,
                                           credential_ids=body.credentialIds))
        except HocbaError as exc:
            raise _problem(exc) from exc
        return JSONResponse({"links": [
            {"claimId": link.claim_id, "url": f"{base}/claim/{link.token}",
             "learnerName": link.learner_name, "className": link.class_name,
             "schoolYear": link.school_year, "credentialCount": link.credential_count,
             "expiresAt": link.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")} for link in links]},
            status_code=201, headers=_NO_STORE)

    return router
