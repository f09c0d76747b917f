"""Documents for every verification status, issued on the in-process chain.

Shared by the page tests (tests/api/test_pages.py) and the browser tests. Each
credential is produced the way tests/test_issue_verify.py produces it: real
signing, real anchoring, real registry changes.
"""

from __future__ import annotations

import copy
import io
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from qrcode.constants import ERROR_CORRECT_M

from hocba.anchoring import AnchorProof, attach_anchor_proof, compute_leaf, split_proofs
from hocba.chain import connect_embedded
from hocba.dataintegrity import sign_credential, verification_method_for
from hocba.instance import Instance
from hocba.merkle import MerkleTree
from hocba.qrlink import build_qr_url
from hocba.registry import RevocationReason
from hocba.status import Status
from issuer.curriculum import load_curriculum
from issuer.issuance import AnchoredBatch, SchoolSigner, anchor_batch, prepare_batch, write_pdfs
from issuer.revocation import revoke_credential
from scripts.demo_documents import raise_one_score, tampered_copy
from scripts.sample_data import generate_school
from tests.network import Network, build_network

__all__ = ["Documents", "build_documents", "qr_png"]


@dataclass
class Documents:
    """One network, its instance, and a document per status."""

    network: Network
    instance: Instance
    batch: AnchoredBatch
    credentials: dict[Status, bytes] = field(default_factory=dict)
    pdfs: dict[str, bytes] = field(default_factory=dict)
    qr_image: bytes = b""
    landing_path: str = ""

    def valid_credential(self) -> dict[str, Any]:
        return self.batch.credentials[0].credential


def qr_png(text: str) -> bytes:
    """Render ``text`` as a QR code PNG."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().get_image().convert("L").save(buffer, format="PNG")
    return buffer.getvalue()


def _issue(network: Network, signer: SchoolSigner | None = None, size: int = 4) -> AnchoredBatch:
    signer = signer or network.school
    first = generate_school(7, "2025-2026")[2]
    class_records = replace(first, students=first.students[:size])
    prepared = prepare_batch(class_records, signer, curriculum=load_curriculum())
    return anchor_batch(prepared, signer, registry=network.registry, engine=network.engine)


def _resign(document: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    method = verification_method_for(key.public_key().public_bytes_raw())
    return sign_credential(document, key, method, datetime.now(UTC))


def _anchor_alone(network: Network, signer: SchoolSigner,
                  signed: dict[str, Any]) -> dict[str, Any]:
    leaf_salt, field_seed = b"\x01" * 32, b"\x02" * 32
    tree = MerkleTree.build([compute_leaf(signed, leaf_salt, field_seed)])
    tx = network.registry.anchor(signer.account, tree.root)
    proof = AnchorProof(network.chain.chain_id, network.registry.address, tx.transaction_hash,
                        tx.block_number, tree.root, [], leaf_salt, field_seed)
    return attach_anchor_proof(signed, proof)


def _with_dates(network: Network, credential: dict[str, Any], **dates: str) -> dict[str, Any]:
    document, _, _ = split_proofs(credential)
    document.update(dates)
    signed = sign_credential(document, network.school.signing_key,
                             verification_method_for(network.school.public_key),
                             datetime.now(UTC))
    return _anchor_alone(network, network.school, signed)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_documents(home: Path) -> Documents:
    """Issue a class and derive one credential per status, plus PDFs and a QR image."""
    network = build_network(connect_embedded(), home / "home")
    batch = _issue(network)
    instance = Instance(network.settings, _chain=network.chain,
                        _registry_address=network.registry.address)
    docs = Documents(network, instance, batch)
    valid = batch.credentials[0].credential

    def put(status: Status, credential: dict[str, Any]) -> None:
        docs.credentials[status] = json.dumps(credential, ensure_ascii=False).encode()

    put(Status.VALID, valid)
    put(Status.TAMPERED, raise_one_score(valid))
    docs.credentials[Status.MALFORMED] = b'{"@context": ["broken"'
    wrong_chain = copy.deepcopy(valid)
    wrong_chain["proof"][1]["chainId"] = 1
    put(Status.WRONG_NETWORK, wrong_chain)
    document, eddsa, _ = split_proofs(valid)
    put(Status.NOT_ANCHORED, {**document, "proof": eddsa})
    put(Status.KEY_NOT_VALID, _anchor_alone(network, network.school,
                                            _resign(document, Ed25519PrivateKey.generate())))
    now = datetime.now(UTC)
    put(Status.EXPIRED, _with_dates(network, valid, validUntil=_stamp(now - timedelta(days=1))))
    put(Status.NOT_YET_VALID, _with_dates(network, valid,
                                          validFrom=_stamp(now + timedelta(days=30))))

    target = batch.credentials[1]
    revoke_credential(network.keys, network.registry, network.engine,
                      credential_id=target.credential_id,
                      reason_code=RevocationReason.ISSUED_IN_ERROR, reason="test")
    put(Status.REVOKED, target.credential)

    suspended = batch.credentials[2]
    _, _, anchor = split_proofs(suspended.credential)
    assert anchor is not None
    network.registry.suspend_credential(network.school.account, anchor.merkle_root,
                                        suspended.leaf, anchor.merkle_path)
    put(Status.SUSPENDED, suspended.credential)

    from issuer.accreditation import withdraw_school

    other = network.register("79785499", "Trường THCS Thái Mỹ")
    accredited_from = network.registry.issuer(other.account.address)["accreditedFrom"]
    other_batch = _issue(network, signer=other, size=1)
    withdraw_school(network.keys, network.registry, network.engine, school_code="79785499",
                    accreditor_unit_code="27010", cutoff_block=accredited_from + 1,
                    reason="test")
    put(Status.ISSUER_NOT_ACCREDITED, other_batch.credentials[0].credential)

    base_url = instance.settings.verify_base_url
    pdf_dir = home / "pdf"
    pdf_paths = write_pdfs(replace(batch, credentials=batch.credentials[:2]), pdf_dir,
                           verify_base_url=base_url, issued_on=date(2026, 5, 30))
    docs.pdfs["valid"] = pdf_paths[0].read_bytes()
    docs.pdfs["revoked"] = pdf_paths[1].read_bytes()
    docs.pdfs["tampered"] = tampered_copy(pdf_paths[0], pdf_dir / "tampered.pdf").read_bytes()

    first = batch.credentials[0]
    url = build_qr_url(base_url, first.credential_id, first.digest)
    docs.qr_image = qr_png(url)
    docs.landing_path = url.removeprefix(base_url)
    return docs
