"""Presentations: records shared together, signed by the wallet's holder key for one verifier.

A presentation is a W3C VC 2.0 ``VerifiablePresentation`` holding full credentials in
``verifiableCredential`` and selective disclosures in ``hocbaDisclosures``. The holder
signs it with an ``eddsa-jcs-2022`` proof whose ``proofPurpose`` is
``authentication`` and whose ``challenge`` and ``domain`` are the verifier's. The
signature covers the proof options too, so a copy replayed to another verifier, or
to the same verifier under a new challenge, is rejected.

What the holder signature proves today: the presenter controls the wallet key named
in ``holder``, and chose these records for this challenge and domain. It does not
prove that the presenter is the student, because issued credentials carry no holder
id yet (see docs/wallet.md). When a credential does carry ``credentialSubject.id``,
it must equal the holder.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hocba.dataintegrity import (
    CRYPTOSUITE,
    PROOF_TYPE,
    hash_data,
    proof_config,
    public_key_from_did_key,
    verification_method_for,
    verify_eddsa_proof,
)
from hocba.errors import CredentialError
from hocba.multibase import multibase_encode
from hocba.status import Check, Status, VerificationResult, overall_status
from verifier.disclosure import DISCLOSURE_TYPE, verify_disclosure
from verifier.engine import VerifierContext, verify_credential

__all__ = ["REPLAYED", "PresentationResult", "make_presentation", "verify_presentation"]

logger = logging.getLogger(__name__)

_VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# NOTE: "hocbaDisclosures" is not defined in the bundled JSON-LD contexts yet. Proofs use
# JCS, so the signature does not depend on it, but JSON-LD processing drops the member.
_DISCLOSURES = "hocbaDisclosures"
_PURPOSE = "authentication"

REPLAYED = "replayed"
"""Presentation status when the holder's proof names another challenge or domain."""

_LABELS = {REPLAYED: ("Bản trình bày không dành cho lần xác minh này (có thể là bản sao bị "
                      "dùng lại)", "Presentation made for another verifier or challenge")}


def make_presentation(items: Iterable[Mapping[str, Any]], holder_key: Ed25519PrivateKey, *,
                      challenge: str | None, domain: str | None,
                      created: datetime | None = None) -> dict[str, Any]:
    """Wrap credentials and disclosures in a presentation signed by ``holder_key``.

    ``challenge`` is the verifier's nonce and ``domain`` its origin or name. Either may be
    None only when the verifier asked for none, and then the presentation can be replayed.
    """
    credentials: list[dict[str, Any]] = []
    disclosures: list[dict[str, Any]] = []
    for item in items:
        target = disclosures if item.get("type") == DISCLOSURE_TYPE else credentials
        target.append(copy.deepcopy(dict(item)))
    if not credentials and not disclosures:
        raise CredentialError("a presentation needs at least one record", code="empty",
                              message_vi="Cần chọn ít nhất một văn bản để trình bày.")

    method = verification_method_for(holder_key.public_key().public_bytes_raw())
    document: dict[str, Any] = {
        "@context": [_VC_V2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": method.partition("#")[0],
        "verifiableCredential": credentials,
    }
    if disclosures:
        document[_DISCLOSURES] = disclosures
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": (created or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": method,
        "proofPurpose": _PURPOSE,
    }
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    config = proof_config(document, options)
    signature = holder_key.sign(hash_data(document, config))
    logger.debug("signed a presentation of %d records", len(credentials) + len(disclosures))
    return {**document, "proof": {**config, "proofValue": multibase_encode(signature)}}


@dataclass
class PresentationResult:
    """The holder checks of a presentation and the verdict of every record in it."""

    status: str
    checks: list[Check]
    items: list[VerificationResult] = field(default_factory=list)
    holder: str | None = None

    @property
    def valid(self) -> bool:
        return self.status == Status.VALID.value

    def label(self, lang: str) -> str:
        if self.status == REPLAYED:
            return _LABELS[REPLAYED][0 if lang == "vi" else 1]
        return Status(self.status).label(lang)

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "label": {"vi": self.label("vi"), "en": self.label("en")},
                "holder": self.holder, "checks": [check.to_json() for check in self.checks],
                "items": [item.to_json() for item in self.items]}


def _check(checks: list[Check], code: str, ok: bool, status: Status | None, vi: str,
           en: str, *, passed_vi: str | None = None, passed_en: str | None = None) -> bool:
    """Record a check; ``vi``/``en`` describe the failure, ``passed_*`` the success."""
    if ok:
        checks.append(Check(code, True, None, passed_vi or vi, passed_en or en))
    else:
        checks.append(Check(code, False, status, vi, en))
    return ok


def verify_presentation(vp: Mapping[str, Any], context: VerifierContext, *,
                        challenge: str | None, domain: str | None) -> PresentationResult:
    """Verify the holder's proof, the challenge and domain, then every record in ``vp``."""
    checks: list[Check] = []
    holder = vp.get("holder") if isinstance(vp, Mapping) else None
    if not _holder_proof_valid(vp, checks):
        return PresentationResult(overall_status(checks).value, checks,
                                  holder=holder if isinstance(holder, str) else None)
    proof = vp["proof"]
    replay_ok = _check(checks, "presentation.challenge", proof.get("challenge") == challenge,
                       None, "Mã thử thách (challenge) của bản trình bày khác với mã bên xác minh "
                             "đã đưa: có thể là bản sao bị dùng lại.",
                       f"The presentation answers challenge {proof.get('challenge')!r}, not "
                       f"{challenge!r}: it may be a replayed copy.",
                       passed_vi="Bản trình bày trả lời đúng mã thử thách (challenge) của bên "
                                 "xác minh.",
                       passed_en="The presentation answers the verifier's challenge.")
    replay_ok &= _check(checks, "presentation.domain", proof.get("domain") == domain, None,
                        "Bản trình bày được tạo cho một bên xác minh khác (domain khác).",
                        f"The presentation was made for domain {proof.get('domain')!r}, not "
                        f"{domain!r}.",
                        passed_vi="Bản trình bày được tạo cho đúng bên xác minh (domain).",
                        passed_en="The presentation was made for this verifier's domain.")
    if challenge is None:
        checks.append(Check("presentation.no_challenge", True, None,
                            "Bên xác minh không đưa mã thử thách nên không loại trừ được bản "
                            "sao bị dùng lại.",
                            "No challenge was requested, so a replayed copy cannot be ruled "
                            "out."))

    items = [verify_credential(_as_input(item), context, source=f"verifiableCredential[{index}]")
             for index, item in enumerate(vp.get("verifiableCredential") or [])]
    items += [verify_disclosure(_as_input(item), context, source=f"{_DISCLOSURES}[{index}]")
              for index, item in enumerate(vp.get(_DISCLOSURES) or [])]
    _check_holder_binding(vp, holder, checks)

    if not replay_ok:
        status = REPLAYED
    else:
        status = overall_status(checks + [c for item in items for c in item.checks]).value
    logger.info("verified a presentation of %d records: %s", len(items), status)
    return PresentationResult(status, checks, items, holder)


def _as_input(item: Any) -> Mapping[str, Any] | str:
    # A non-object entry is passed on as JSON text, which the verifiers report as malformed.
    return item if isinstance(item, Mapping) else json.dumps(item)


def _holder_proof_valid(vp: Any, checks: list[Check]) -> bool:
    def malformed(detail_vi: str, detail_en: str) -> bool:
        return _check(checks, "presentation.shape", False, Status.MALFORMED,
                      f"Bản trình bày không đúng cấu trúc: {detail_vi}.",
                      f"The presentation is malformed: {detail_en}.")

    if not isinstance(vp, Mapping) or "VerifiablePresentation" not in (vp.get("type") or []):
        return malformed("thiếu loại VerifiablePresentation", "not a VerifiablePresentation")
    items = vp.get("verifiableCredential") or []
    disclosures = vp.get(_DISCLOSURES) or []
    if not isinstance(items, list) or not isinstance(disclosures, list) or not items + disclosures:
        return malformed("không có văn bản nào", "it holds no record")
    proof, holder = vp.get("proof"), vp.get("holder")
    if not isinstance(proof, Mapping) or not isinstance(holder, str):
        return malformed("thiếu chữ ký hoặc người giữ", "the proof or the holder is missing")
    if proof.get("proofPurpose") != _PURPOSE:
        return malformed("mục đích chữ ký phải là authentication",
                         "proofPurpose must be authentication")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or method.partition("#")[0] != holder:
        return _check(checks, "presentation.holder", False, Status.TAMPERED,
                      "Bản trình bày được ký bằng khóa không phải của người giữ.",
                      "The presentation is signed by a key other than the holder's.")
    document = {key: value for key, value in vp.items() if key != "proof"}
    try:
        verify_eddsa_proof(document, proof, public_key_from_did_key(method))
    except CredentialError as exc:
        status = Status.TAMPERED if exc.code == "signature_invalid" else Status.MALFORMED
        return _check(checks, "presentation.signature", False, status,
                      "Chữ ký của người giữ không khớp với bản trình bày: bản trình bày đã bị "
                      "sửa.", f"The holder's signature does not match: {exc}")
    return _check(checks, "presentation.signature", True, None,
                  "Chữ ký của người giữ ví khớp với bản trình bày.",
                  "The holder's signature matches the presentation.")


def _check_holder_binding(vp: Mapping[str, Any], holder: Any, checks: list[Check]) -> None:
    subject_ids = [_subject_id(item) for item in vp.get("verifiableCredential") or []]
    subject_ids += [_disclosed_subject_id(item) for item in vp.get(_DISCLOSURES) or []]
    named = [subject_id for subject_id in subject_ids if subject_id is not None]
    if any(subject_id != holder for subject_id in named):
        checks.append(Check("presentation.holder_binding", False, Status.TAMPERED,
                            "Một văn bản ghi định danh người học khác với người giữ ví đã ký.",
                            "A record names another subject than the signing holder."))
    elif len(named) < len(subject_ids):
        checks.append(Check("presentation.holder_binding", True, None,
                            "Văn bản chưa ghi định danh người giữ: chữ ký chỉ cho biết người "
                            "trình bày giữ khóa ví này, không chứng minh đó là học sinh.",
                            "The records name no holder: the signature shows that the "
                            "presenter holds this wallet key, not that they are the student."))
    else:
        checks.append(Check("presentation.holder_binding", True, None,
                            "Mọi văn bản đều ghi định danh người giữ đã ký.",
                            "Every record names the signing holder as its subject."))


def _subject_id(credential: Any) -> Any:
    subject = credential.get("credentialSubject") if isinstance(credential, Mapping) else None
    return subject.get("id") if isinstance(subject, Mapping) else None


def _disclosed_subject_id(disclosure: Any) -> Any:
    revealed = disclosure.get("revealed") if isinstance(disclosure, Mapping) else None
    for triple in revealed if isinstance(revealed, list) else []:
        if isinstance(triple, list) and len(triple) == 3 and triple[0] == "/id":
            return triple[1]
    return None
