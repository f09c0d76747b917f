"""Shared wallet fixtures: a small anchored class, a verifier context and a cheap-KDF wallet."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import qrcode
from PIL import Image, ImageFilter
from qrcode.constants import ERROR_CORRECT_M

from hocba.chain import connect_embedded
from hocba.qrlink import build_qr_url
from hocba.registry import RevocationReason
from issuer.curriculum import load_curriculum
from issuer.issuance import AnchoredBatch, anchor_batch, prepare_batch
from issuer.revocation import revoke_credential
from scripts.sample_data import generate_school
from tests.network import Network, build_network
from verifier.engine import VerifierContext
from wallet.envelope import KdfParams
from wallet.store import Wallet

# Argon2id at its minimum cost keeps each save in milliseconds; production uses the default.
CHEAP_KDF = KdfParams(name="argon2id", iterations=1, lanes=1, memory_kib=64)
PASSPHRASE = "mật khẩu thử nghiệm"


@dataclass
class Issued:
    """An anchored class on the in-process chain and the context that verifies it."""

    network: Network
    batch: AnchoredBatch
    context: VerifierContext

    def credential(self, index: int = 0) -> dict[str, Any]:
        return self.batch.credentials[index].credential

    def revoke(self, index: int) -> None:
        revoke_credential(self.network.keys, self.network.registry, self.network.engine,
                          credential_id=self.batch.credentials[index].credential_id,
                          reason_code=RevocationReason.ISSUED_IN_ERROR, reason="test")

    def lookup(self, credential_id: str) -> bytes | None:
        for item in self.batch.credentials:
            if item.credential_id == credential_id:
                return json.dumps(item.credential, ensure_ascii=False).encode("utf-8")
        return None

    def qr_photo(self, index: int = 0) -> bytes:
        """A JPEG of the credential's QR code, slightly rotated and blurred like a photo."""
        item = self.batch.credentials[index]
        url = build_qr_url(self.network.settings.verify_base_url, item.credential_id,
                           item.digest)
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
        code.add_data(url)
        code.make(fit=True)
        picture: Image.Image = code.make_image().get_image().convert("L")
        picture = picture.rotate(6, expand=True, fillcolor=255)
        picture = picture.filter(ImageFilter.GaussianBlur(1))
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=70)
        return buffer.getvalue()


def issue_class(network: Network) -> Issued:
    first = generate_school(7, "2025-2026")[2]
    class_records = replace(first, students=first.students[:4])
    prepared = prepare_batch(class_records, network.school, curriculum=load_curriculum())
    batch = anchor_batch(prepared, network.school, registry=network.registry,
                         engine=network.engine)
    context = VerifierContext(network.settings, chains={network.chain.chain_id: network.chain})
    return Issued(network, batch, context)


@pytest.fixture
def issued(network: Network) -> Issued:
    """A fresh chain and class, for tests that revoke or register."""
    return issue_class(network)


@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    """One chain and class shared by the tests that only read the chain."""
    network = build_network(connect_embedded(), tmp_path_factory.mktemp("wallet-home"))
    return issue_class(network)


@pytest.fixture
def wallet(tmp_path: Path) -> Wallet:
    return Wallet.create(tmp_path / "wallet" / "wallet.json", PASSPHRASE, params=CHEAP_KDF)
