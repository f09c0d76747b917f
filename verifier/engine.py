"""The verification steps for one credential.

Local checks come first and need no chain: the JSON parses and has the expected
shape, the Ed25519 proof matches, the leaf's Merkle path leads to the claimed
root, and that root's chain id and registry are trusted. Only then is the chain
read, once, at one pinned block, through the registry's ``verificationState``
view. The anchoring block, not the credential's own dates, decides whether the
key and the accreditation were valid.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from eth_utils import is_checksum_address, to_checksum_address

from hocba.anchoring import (
    AnchorProof,
    compute_leaf,
    credential_digest,
    leaf_of_parts,
    split_proofs,
)
from hocba.chain import Chain
from hocba.dataintegrity import public_key_from_did_key, verify_eddsa_proof_digest
from hocba.errors import ChainError, CredentialError, MerkleError
from hocba.jcs import parse_json
from hocba.merkle import verify_proof
from hocba.registry import RegistryClient
from hocba.settings import Settings
from hocba.status import Check, Status, VerificationResult, overall_status
from verifier.registry_cache import RegistryStateCache, read_registry_state

__all__ = [
    "StopVerification",
    "VerificationRun",
    "VerifierContext",
    "check_anchored",
    "check_network",
    "issuer_account_of",
    "verify_credential",
]

logger = logging.getLogger(__name__)

_VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
_VIETNAM = timezone(timedelta(hours=7))
_DID_PKH = re.compile(r"did:pkh:eip155:([1-9][0-9]{0,18}):(0x[0-9a-fA-F]{40})")


@dataclass
class VerifierContext:
    """Inputs of a verification: the trusted registries and the chain connections."""

    settings: Settings
    chains: dict[int, Chain] = field(default_factory=dict)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    state_cache: RegistryStateCache | None = None
    _clients: dict[tuple[int, str], RegistryClient] = field(default_factory=dict)

    def registry(self, chain_id: int, address: str) -> RegistryClient | None:
        chain = self.chains.get(chain_id)
        if chain is None:
            return None
        key = (chain_id, address.lower())
        if key not in self._clients:
            self._clients[key] = RegistryClient(chain, address)
        return self._clients[key]


class _Stop(Exception):
    """Ends the steps early once a check decides the status."""


@dataclass
class _Run:
    checks: list[Check] = field(default_factory=list)
    issuer: dict[str, Any] | None = None
    anchored: dict[str, Any] | None = None
    block: int | None = None
    leaf: bytes | None = None

    def passed(self, code: str, vi: str, en: str, **details: Any) -> None:
        self.checks.append(Check(code, True, None, vi, en, details))

    def failed(self, code: str, status: Status, vi: str, en: str, **details: Any) -> None:
        self.checks.append(Check(code, False, status, vi, en, details))

    def stop(self, code: str, status: Status, vi: str, en: str, **details: Any) -> _Stop:
        self.failed(code, status, vi, en, **details)
        return _Stop()


def verify_credential(data: bytes | str | Mapping[str, Any], context: VerifierContext, *,
                      source: str = "") -> VerificationResult:
    """Verify one credential (JSON bytes or an already parsed object)."""
    run = _Run()
    credential: Mapping[str, Any] | None = None
    try:
        credential = _parse(data, run)
        document, eddsa_proof, anchor = _check_local(credential, run)
        _check_network(anchor, document, context, run)
        _check_chain(document, eddsa_proof, anchor, context, run)
        _check_validity_period(document, context, run)
    except _Stop:
        pass
    status = overall_status(run.checks)
    logger.info("verified %s: %s", source or "credential", status.value)
    return VerificationResult(
        status=status,
        checks=run.checks,
        credential_id=_text(credential, "id"),
        issuer=run.issuer,
        subject=_subject_summary(credential),
        anchored=run.anchored,
        block=run.block,
        source=source,
    )


def _parse(data: bytes | str | Mapping[str, Any], run: _Run) -> Mapping[str, Any]:
    try:
        credential = data if isinstance(data, Mapping) else parse_json(data)
    except CredentialError as exc:
        raise run.stop("format.json", Status.MALFORMED, f"Không đọc được JSON: {exc.message_vi}",
                       f"Invalid JSON: {exc}") from exc
    problems = _shape_problems(credential)
    if problems:
        raise run.stop("format.shape", Status.MALFORMED,
                       "Văn bản không đúng cấu trúc chứng nhận: " + "; ".join(problems),
                       "Not a credential of the expected shape: " + "; ".join(problems))
    run.passed("format.shape", "Văn bản đúng cấu trúc chứng nhận W3C VC 2.0.",
               "The document is a W3C VC 2.0 credential of the expected shape.")
    return credential


def _shape_problems(credential: Any) -> list[str]:
    if not isinstance(credential, Mapping):
        return ["not a JSON object"]
    problems = []
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != _VC_V2_CONTEXT:
        problems.append("@context must start with the VC 2.0 context")
    types = credential.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        problems.append("type must include VerifiableCredential")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str) or not _DID_PKH.fullmatch(issuer_id):
        problems.append("issuer must be a did:pkh:eip155 identifier")
    if not isinstance(credential.get("credentialSubject"), Mapping):
        problems.append("credentialSubject must be an object")
    if not isinstance(credential.get("id"), str):
        problems.append("id must be a string")
    return problems


def _check_local(credential: Mapping[str, Any], run: _Run
                 ) -> tuple[dict[str, Any], dict[str, Any], AnchorProof]:
    try:
        document, eddsa_proof, anchor = split_proofs(credential)
        public_key = public_key_from_did_key(eddsa_proof["verificationMethod"])
    except CredentialError as exc:
        raise run.stop("format.proof", Status.MALFORMED, exc.message_vi, str(exc)) from exc

    try:
        digest = verify_eddsa_proof_digest(document, eddsa_proof, public_key)
    except CredentialError as exc:
        status = Status.TAMPERED if exc.code == "signature_invalid" else Status.MALFORMED
        raise run.stop("signature.eddsa", status,
                       "Chữ ký số của nhà trường không khớp với nội dung: văn bản đã bị sửa.",
                       f"The school's signature does not match the content: {exc}") from exc
    run.passed("signature.eddsa", "Chữ ký số eddsa-jcs-2022 khớp với nội dung.",
               "The eddsa-jcs-2022 signature matches the content.")

    if anchor is None:
        raise run.stop("anchor.proof", Status.NOT_ANCHORED,
                       "Văn bản chưa có bằng chứng ghi nhận trên chuỗi khối.",
                       "The credential carries no anchoring proof.")
    try:
        leaf = leaf_of_parts(document, eddsa_proof, anchor.leaf_salt, anchor.field_seed,
                             digest=digest)
        verify_proof(leaf, anchor.merkle_path, anchor.merkle_root)
        run.leaf = leaf
    except (MerkleError, CredentialError) as exc:
        raise run.stop("anchor.merkle", Status.TAMPERED,
                       "Văn bản không thuộc lô đã ghi nhận trên chuỗi khối (sai đường dẫn Merkle).",
                       f"The credential is not part of the anchored batch: {exc}") from exc
    run.passed("anchor.merkle", "Văn bản thuộc lô có gốc Merkle đã nêu.",
               "The credential's leaf leads to the stated Merkle root.",
               root="0x" + anchor.merkle_root.hex())
    return document, eddsa_proof, anchor


def _check_network(anchor: AnchorProof, document: Mapping[str, Any], context: VerifierContext,
                   run: _Run) -> None:
    issuer_chain = int(_issuer_did(document).group(1))
    if issuer_chain != anchor.chain_id:
        raise run.stop("network.issuer_chain", Status.WRONG_NETWORK,
                       f"Mã đơn vị cấp thuộc chuỗi {issuer_chain} nhưng văn bản được ghi nhận trên "
                       f"chuỗi {anchor.chain_id}.",
                       f"The issuer id names chain {issuer_chain} but the anchor is on chain "
                       f"{anchor.chain_id}.")
    if not context.settings.is_trusted(anchor.chain_id, anchor.registry):
        raise run.stop("network.trusted", Status.WRONG_NETWORK,
                       f"Sổ đăng ký {anchor.registry} trên chuỗi {anchor.chain_id} không nằm trong "
                       "danh sách được tin cậy.",
                       f"Registry {anchor.registry} on chain {anchor.chain_id} is not trusted.",
                       chainId=anchor.chain_id, registry=anchor.registry)
    run.passed("network.trusted", "Văn bản được ghi nhận trên mạng và sổ đăng ký được tin cậy.",
               "Anchored on a trusted chain and registry.",
               chainId=anchor.chain_id, registry=anchor.registry)


def _check_chain(document: Mapping[str, Any], eddsa_proof: Mapping[str, Any],
                 anchor: AnchorProof, context: VerifierContext, run: _Run) -> None:
    public_key = public_key_from_did_key(eddsa_proof["verificationMethod"])
    leaf = run.leaf or compute_leaf({**document, "proof": dict(eddsa_proof)}, anchor.leaf_salt,
                                    anchor.field_seed)
    check_anchored(run, issuer_account_of(document), public_key, leaf, anchor, context)
    _check_issuer_name(document, anchor, context, run)


def _check_issuer_name(document: Mapping[str, Any], anchor: AnchorProof,
                       context: VerifierContext, run: _Run) -> None:
    """Record the school's registered name when the record was issued beside today's name.

    The name at issuance is the registered name in effect at the anchoring block or,
    for a back-filled record, on its ``issuerNameAsOf`` date (the first registered
    name for a date before the registry knew the school). The history is read only
    when the credential's own name differs from today's or the record is back-filled.
    """
    if run.issuer is None or run.block is None:
        return
    today_name = run.issuer["name"]
    subject = document.get("credentialSubject")
    backfill = subject.get("backfill") if isinstance(subject, Mapping) else None
    as_of = _date_start(backfill.get("issuerNameAsOf")) if isinstance(backfill, Mapping) else None
    issuer = document.get("issuer")
    claimed = issuer.get("name") if isinstance(issuer, Mapping) else None
    then_name = today_name
    if claimed != today_name or as_of is not None:
        registry = context.registry(anchor.chain_id, anchor.registry)
        try:
            then_name = _registered_name(registry, run.issuer["account"], run.block,
                                         run.anchored["block"] if run.anchored else run.block,
                                         as_of)
        except ChainError as exc:
            logger.warning("issuer name history not read: %s", exc.code)
            return
    run.issuer["nameAtIssuance"] = then_name
    if then_name == today_name:
        run.passed("issuer.name", f"Tên trường theo sổ đăng ký: {today_name}.",
                   f"The school's registered name: {today_name}.", nameAtIssuance=then_name)
        return
    run.passed("issuer.name",
               f"Tên trường khi cấp văn bản: {then_name}. Tên trường hiện nay: {today_name}.",
               f"The school's name when the record was issued: {then_name}. "
               f"Its name today: {today_name}.", nameAtIssuance=then_name)


def _registered_name(registry: RegistryClient | None, account: str, pinned: int,
                     anchored: int, as_of: datetime | None) -> str:
    if registry is None:
        raise ChainError("no registry connection", code="chain_unavailable")
    entries = [(entry["name"], entry["fromBlock"])
               for entry in registry.issuer_names(account, block=pinned)]
    if not entries:
        raise ChainError("the registry has no name for the issuer", code="registry_call_failed")
    name = str(entries[0][0])
    for entry_name, from_block in entries:
        if as_of is None:
            reached = int(from_block) <= anchored
        else:
            header = registry.chain.call(
                lambda number=int(from_block): registry.chain.w3.eth.get_block(number))
            reached = datetime.fromtimestamp(int(header["timestamp"]), UTC) <= as_of
        if reached:
            name = str(entry_name)
    return name


def _date_start(value: Any) -> datetime | None:
    """Return midnight Vietnam time of an ISO date, or None when ``value`` is not one."""
    if not isinstance(value, str):
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return None
    return day.replace(tzinfo=_VIETNAM)


def issuer_account_of(document: Mapping[str, Any]) -> str:
    """Return the EIP-55 account named by the document's ``did:pkh`` issuer."""
    return to_checksum_address(_issuer_did(document).group(2))


def check_anchored(run: _Run, issuer_account: str, public_key: bytes, leaf: bytes,
                   anchor: AnchorProof, context: VerifierContext) -> None:
    """Read the registry once at a pinned block and record the anchoring, key, accreditation
    and revocation checks for ``leaf`` under ``anchor.merkle_root``.

    The leaf's Merkle path and the network must have been checked already. Raises
    ``StopVerification`` when a check decides the status early.
    """
    registry = context.registry(anchor.chain_id, anchor.registry)
    if registry is None:
        raise run.stop("chain.read", Status.UNAVAILABLE,
                       f"Không có kết nối tới chuỗi {anchor.chain_id}; chưa thể kiểm tra.",
                       f"No connection to chain {anchor.chain_id}; cannot check now.")
    try:
        read = read_registry_state(registry, anchor.merkle_root, leaf, issuer_account,
                                   public_key, context.state_cache)
    except ChainError as exc:
        raise run.stop("chain.read", Status.UNAVAILABLE,
                       "Không đọc được chuỗi khối; chưa thể kiểm tra, hãy thử lại sau.",
                       f"The chain could not be read; try again later ({exc.code}).") from exc
    run.block = read.block
    run.passed("chain.read", f"Đã đọc sổ đăng ký tại khối {read.block}.",
               f"Read the registry as of block {read.block}.", block=read.block)
    _check_registry_state(read.state, read.accreditor, issuer_account, anchor, run)


def _check_registry_state(state: dict[str, Any], accreditor: dict[str, Any] | None,
                          issuer_account: str, anchor: AnchorProof, run: _Run) -> None:
    batch_block = int(state["batchBlock"])
    if batch_block == 0:
        raise run.stop("anchor.on_chain", Status.NOT_ANCHORED,
                       "Gốc Merkle của văn bản chưa từng được ghi nhận trong sổ đăng ký.",
                       "The credential's Merkle root was never anchored in the registry.")
    if state["batchIssuer"].lower() != issuer_account.lower():
        raise run.stop("anchor.issuer", Status.NOT_ANCHORED,
                       "Lô này được ghi nhận bởi một tài khoản khác với đơn vị cấp ghi trên văn "
                       "bản: không phải do trường này cấp.",
                       "The batch was anchored by another account than the issuer named in the "
                       "credential.", anchoredBy=state["batchIssuer"])
    run.anchored = {
        "block": batch_block,
        "timestamp": int(state["batchTimestamp"]),
        "time": datetime.fromtimestamp(int(state["batchTimestamp"]), UTC).isoformat(),
        "transactionHash": anchor.transaction_hash,
        "root": "0x" + anchor.merkle_root.hex(),
    }
    run.issuer = {
        "account": issuer_account,
        "name": state["issuerName"],
        "schoolCode": state["schoolCode"],
        "adminUnitCode": int(state["adminUnitCode"]),
        "accreditor": state["issuerAccreditor"],
        "accreditorName": accreditor["name"] if accreditor else None,
        "verifiedBy": "registry",
    }
    anchored_at = datetime.fromtimestamp(int(state["batchTimestamp"]), UTC)
    local_time = anchored_at.astimezone(_VIETNAM).strftime("%d/%m/%Y %H:%M")
    run.passed("anchor.on_chain",
               f"Được ghi nhận trên chuỗi khối tại khối {batch_block} ({local_time} giờ Việt Nam).",
               f"Anchored in block {batch_block} ({anchored_at:%Y-%m-%d %H:%M} UTC).",
               block=batch_block)

    added, key_cutoff = int(state["keyAddedBlock"]), int(state["keyCutoff"])
    if added == 0 or added > batch_block or (key_cutoff and batch_block >= key_cutoff):
        run.failed("key.valid", Status.KEY_NOT_VALID,
                   "Khóa ký của văn bản không có hiệu lực với trường tại thời điểm ghi nhận.",
                   "The signing key was not valid for this school when the batch was anchored.",
                   keyAddedBlock=added, keyCutoff=key_cutoff)
    else:
        run.passed("key.valid", "Khóa ký được đăng ký cho trường và còn hiệu lực khi ghi nhận.",
                   "The signing key was registered to the school and valid when anchored.")

    start, cutoff = int(state["accreditedFrom"]), int(state["withdrawnCutoff"])
    if start == 0 or batch_block < start or (cutoff and batch_block >= cutoff):
        run.failed("issuer.accredited", Status.ISSUER_NOT_ACCREDITED,
                   "Chữ ký và dấu thời gian hợp lệ, nhưng trường không được công nhận tại thời "
                   "điểm ghi nhận.",
                   "Authentic, but the issuer was not accredited when the batch was anchored.",
                   accreditedFrom=start, withdrawnCutoff=cutoff)
    else:
        accreditor_name = run.issuer["accreditorName"]
        run.passed("issuer.accredited", f"Trường được công nhận bởi {accreditor_name}.",
                   f"The school is accredited by {accreditor_name}.")

    revoked = int(state["batchRevokedBlock"]) or int(state["credentialRevokedBlock"])
    if revoked:
        run.failed("status.revoked", Status.REVOKED, f"Văn bản đã bị thu hồi tại khối {revoked}.",
                   f"Revoked in block {revoked}.", block=revoked)
    suspended = int(state["credentialSuspendedBlock"])
    if suspended:
        run.failed("status.suspended", Status.SUSPENDED,
                   f"Văn bản đang bị tạm đình chỉ từ khối {suspended}.",
                   f"Suspended since block {suspended}.", block=suspended)
    if not revoked and not suspended:
        run.passed("status.active", "Văn bản không bị thu hồi hay tạm đình chỉ.",
                   "Neither revoked nor suspended.")


# Public names for the steps that verifier.disclosure reuses.
VerificationRun = _Run
StopVerification = _Stop
check_network = _check_network


def _check_validity_period(document: Mapping[str, Any], context: VerifierContext,
                           run: _Run) -> None:
    now = context.now()
    valid_from = _datetime(document.get("validFrom"))
    valid_until = _datetime(document.get("validUntil"))
    if valid_until is not None and now > valid_until:
        run.failed("validity.until", Status.EXPIRED,
                   f"Văn bản hết hạn từ {valid_until:%d/%m/%Y}.",
                   f"Expired on {valid_until:%Y-%m-%d}.")
    if valid_from is not None and now < valid_from:
        run.failed("validity.from", Status.NOT_YET_VALID,
                   f"Văn bản chỉ có hiệu lực từ {valid_from:%d/%m/%Y}.",
                   f"Valid only from {valid_from:%Y-%m-%d}.")


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _issuer_did(document: Mapping[str, Any]) -> re.Match[str]:
    issuer = document["issuer"]
    issuer_id = issuer["id"] if isinstance(issuer, Mapping) else issuer
    match = _DID_PKH.fullmatch(issuer_id)
    if match is None or not (is_checksum_address(match.group(2)) or match.group(2).islower()):
        raise CredentialError(f"invalid issuer id {issuer_id!r}")
    return match


def _text(credential: Mapping[str, Any] | None, key: str) -> str | None:
    value = credential.get(key) if isinstance(credential, Mapping) else None
    return value if isinstance(value, str) else None


def _subject_summary(credential: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Return the subject fields a verifier compares with an ID card (name, birth date)."""
    if not isinstance(credential, Mapping):
        return None
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return None
    summary: dict[str, Any] = {}
    for entry in subject.get("identifier") or []:
        if isinstance(entry, Mapping) and entry.get("hashed") is False:
            kind = {"name": "name", "ext:birthDate": "birthDate", "studentId": "studentId"}
            if entry.get("identityType") in kind:
                summary[kind[entry["identityType"]]] = entry.get("identityHash")
    for key in ("className", "schoolYear", "grade"):
        if key in subject:
            summary[key] = subject[key]
    return summary


def credential_digest_hex(credential: Mapping[str, Any]) -> str:
    """Return the credential digest (the QR binding is its first 16 bytes)."""
    return "0x" + credential_digest(credential).hex()
