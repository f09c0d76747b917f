"""Security tests: revocation under key revocation, SSRF from credential URLs, secrets in logs.

All run on the in-process chain, which opens no sockets.
"""

from __future__ import annotations

import copy
import json
import logging
import socket
from typing import Any

import pytest

from hocba.chain import Chain, SignedTx
from hocba.registry import RevocationReason
from hocba.status import Status
from issuer.accreditation import accreditor_key_name
from issuer.revocation import revoke_credential
from tests.network import Network
from tests.test_issue_verify import anchor_alone, issue, resign, small_class, status_of
from verifier.engine import VerificationResult, VerifierContext
from verifier.inputs import verify_bytes

INTERNAL_URLS = (
    "http://127.0.0.1:8545/",
    "http://127.0.0.1:5432/credential-status",
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.169.254/computeMetadata/v1/",
)


def test_revoked_survives_key_revocation(network: Network) -> None:
    batch = issue(network)
    target = batch.credentials[1]
    revoke_credential(network.keys, network.registry, network.engine,
                      credential_id=target.credential_id,
                      reason_code=RevocationReason.ISSUED_IN_ERROR, reason="test")
    assert status_of(network, target.credential) is Status.REVOKED

    # The key is revoked from a block after both the anchoring and the credential revocation.
    network.registry.revoke_issuer_key(network.school.account, network.school.account.address,
                                       network.school.public_key,
                                       network.chain.w3.eth.block_number + 1)
    accreditor = network.keys.account(accreditor_key_name("27010"))
    network.registry.add_issuer_key(accreditor, network.school.account.address, b"\x09" * 32)

    assert status_of(network, target.credential) is Status.REVOKED
    assert status_of(network, batch.credentials[0].credential) is Status.VALID


# SSRF ----------------------------------------------------------------------


def with_internal_urls(credential: dict[str, Any]) -> dict[str, Any]:
    """Copy ``credential`` with internal URLs in every field a verifier might follow."""
    edited = copy.deepcopy(credential)
    edited["id"] = INTERNAL_URLS[0] + "credential/1"
    edited["credentialStatus"] = {"id": INTERNAL_URLS[1], "type": "StatusList2021Entry",
                                  "statusListCredential": INTERNAL_URLS[2]}
    edited["refreshService"] = {"id": INTERNAL_URLS[3], "type": "ManualRefreshService2018"}
    edited["termsOfUse"] = [{"id": INTERNAL_URLS[2], "type": "IssuerPolicy"}]
    edited["evidence"] = [{"id": INTERNAL_URLS[0] + "evidence", "type": ["Evidence"]}]
    edited["credentialSubject"]["id"] = INTERNAL_URLS[3] + "subject"
    edited["issuer"]["image"] = INTERNAL_URLS[2] + "logo.png"
    return edited


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record and raise on every socket connection or name lookup made during the test."""
    attempts: list[Any] = []

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network access is forbidden in this test")

    monkeypatch.setattr(socket.socket, "connect", forbidden)
    monkeypatch.setattr(socket.socket, "connect_ex", forbidden)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    monkeypatch.setattr(socket, "getaddrinfo", forbidden)
    return attempts


def verify_json(network: Network, credential: dict[str, Any]) -> VerificationResult:
    context = VerifierContext(network.settings, chains={network.chain.chain_id: network.chain})
    return verify_bytes(json.dumps(credential).encode(), context)


def test_signed_internal_urls_no_connection(network: Network,
                                            connections: list[Any]) -> None:
    """The issuing school itself signs and anchors a credential full of internal URLs."""
    batch = issue(network)
    edited = with_internal_urls(batch.credentials[0].credential)
    signed = resign(edited, network.school.signing_key)
    anchored = anchor_alone(network, network.school, signed)
    connections.clear()
    result = verify_json(network, anchored)
    assert result.status is Status.VALID
    assert connections == []


def test_tampered_internal_urls_no_connection(network: Network,
                                              connections: list[Any]) -> None:
    batch = issue(network)
    edited = with_internal_urls(batch.credentials[0].credential)
    connections.clear()
    result = verify_json(network, edited)
    assert result.status is Status.TAMPERED
    assert connections == []


def test_internal_context_url_no_connection(network: Network,
                                            connections: list[Any]) -> None:
    """An unknown ``@context`` URL is not fetched: the verifier does no JSON-LD expansion."""
    batch = issue(network)
    edited = copy.deepcopy(batch.credentials[0].credential)
    edited["@context"] = [*edited["@context"], INTERNAL_URLS[2] + "context.jsonld"]
    signed = resign(edited, network.school.signing_key)
    anchored = anchor_alone(network, network.school, signed)
    connections.clear()
    result = verify_json(network, anchored)
    assert result.status is Status.VALID
    assert connections == []


# Secrets in logs -------------------------------------------------------------


def test_issue_and_revoke_log_no_secrets(network: Network, caplog: pytest.LogCaptureFixture,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    raw_transactions: list[str] = []
    original_sign_at = Chain.sign_at

    def recording_sign_at(self: Chain, account: Any, prepared: dict[str, Any],
                          nonce: int) -> SignedTx:
        signed = original_sign_at(self, account, prepared, nonce)
        raw_transactions.append(signed.raw.hex())
        return signed

    monkeypatch.setattr(Chain, "sign_at", recording_sign_at)
    caplog.set_level(logging.DEBUG)

    school = network.register("79785460", "Trường THCS Tân Thạnh Đông")
    class_records = small_class(4)
    batch = issue(network, signer=school, class_records=class_records)
    revoke_credential(network.keys, network.registry, network.engine,
                      credential_id=batch.credentials[0].credential_id,
                      reason_code=RevocationReason.ISSUED_IN_ERROR, reason="test")

    logged = caplog.text + "\n".join(str(record.args) for record in caplog.records)
    assert caplog.records
    assert len(raw_transactions) >= 3
    assert school.signing_key.private_bytes_raw().hex() not in logged
    assert bytes(school.account.key).hex() not in logged
    assert network.keys.passphrase not in logged
    for raw in raw_transactions:
        assert raw not in logged
    for student in class_records.students:
        assert student.full_name not in logged


def test_pdf_and_qr_image_no_connection(network: Network, connections: list[Any]) -> None:
    """A PDF and a photo of its QR code, whose link names a loopback port, open no socket."""
    from datetime import date

    import pypdfium2

    from hocba.anchoring import credential_digest
    from hocba.qrlink import build_qr_url
    from issuer.issuance import credential_json_bytes
    from issuer.pdf import render_transcript_pdf

    batch = issue(network)
    edited = with_internal_urls(batch.credentials[0].credential)
    edited["id"] = batch.credentials[0].credential["id"]  # a QR link names a urn:uuid id
    signed = resign(edited, network.school.signing_key)
    anchored = anchor_alone(network, network.school, signed)
    stored = credential_json_bytes(anchored)
    origin = "http://127.0.0.1:9"
    qr_url = build_qr_url(origin, anchored["id"], credential_digest(anchored))
    pdf = render_transcript_pdf(anchored, stored, qr_url=qr_url, issued_on=date(2026, 6, 1))
    page = pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil()
    import io

    png = io.BytesIO()
    page.save(png, format="PNG")
    context = VerifierContext(network.settings, chains={network.chain.chain_id: network.chain})
    connections.clear()

    from_pdf = verify_bytes(pdf, context)
    from_qr = verify_bytes(png.getvalue(), context, lookup=lambda _id: stored,
                           allowed_origins=[origin])
    assert from_pdf.status is Status.VALID
    assert from_qr.status is Status.VALID
    assert connections == []
