"""Shared inputs for the document tests: the fixture credential rendered once."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from hocba.qrlink import build_qr_url
from issuer.pdf import render_transcript_pdf

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "transcript_credential.json"
VERIFIER_ORIGIN = "https://verify.hocba.vn"
ISSUED_ON = date(2026, 5, 30)


@pytest.fixture(scope="session")
def credential_bytes() -> bytes:
    return FIXTURE.read_bytes()


@pytest.fixture(scope="session")
def credential(credential_bytes: bytes) -> dict:
    return json.loads(credential_bytes)


@pytest.fixture(scope="session")
def digest(credential_bytes: bytes) -> bytes:
    # Any 32-byte digest works for the document tests; the real credential
    # digest is computed by the issuance code.
    return hashlib.sha256(credential_bytes).digest()


@pytest.fixture(scope="session")
def qr_url(credential: dict, digest: bytes) -> str:
    return build_qr_url(VERIFIER_ORIGIN, credential["id"], digest)


@pytest.fixture(scope="session")
def transcript_pdf(credential: dict, credential_bytes: bytes, qr_url: str) -> bytes:
    return render_transcript_pdf(credential, credential_bytes, qr_url=qr_url, issued_on=ISSUED_ON)
