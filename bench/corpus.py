"""The documents the verification benchmark checks: one anchored class on a fresh registry.

A registry is deployed on the given chain, the Department appoints one commune,
the commune accredits one fictional school, and the school issues and anchors one
class. The benchmark then verifies that class's credential JSON, one of its PDFs
and a PNG of one QR code. Everything is fictional sample data.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from hocba.chain import Chain
from hocba.db import open_database
from hocba.qrlink import build_qr_url
from hocba.registry import RegistryClient
from hocba.settings import RegistryRef, Settings, load_settings
from issuer.accreditation import (
    DEPARTMENT_KEY,
    SchoolRegistration,
    appoint_accreditor,
    register_school,
)
from issuer.curriculum import load_curriculum
from issuer.issuance import anchor_batch, credential_json_bytes, prepare_batch, write_pdfs
from issuer.keystore import KeyStore
from scripts.sample_data import generate_school

__all__ = ["BENCH_PASSPHRASE", "Corpus", "build_corpus", "qr_png"]

logger = logging.getLogger(__name__)

# The key store of a throw-away benchmark home; these keys protect nothing.
BENCH_PASSPHRASE = "hocba benchmark only"  # noqa: S105 - protects nothing
_COMMUNE = "27010"


@dataclass
class Corpus:
    """An anchored class and the three kinds of document a verifier receives."""

    home: Path
    settings: Settings
    chain: Chain
    registry: str
    credentials: list[bytes]
    pdf: bytes
    qr_png: bytes


def qr_png(text: str) -> bytes:
    """Draw ``text`` as a QR code (error correction M) and return the PNG bytes."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().get_image().convert("L").save(buffer, format="PNG")
    return buffer.getvalue()


def build_corpus(chain: Chain, home: Path, *, students: int = 8) -> Corpus:
    """Deploy a registry on ``chain``, issue one class of ``students`` and render one PDF."""
    settings = load_settings(home)
    engine = open_database(settings.database_url)
    keys = KeyStore(engine, BENCH_PASSPHRASE)
    department = keys.account(DEPARTMENT_KEY, create=True)
    chain.fund(department.address)
    registry = RegistryClient.deploy(chain, department)
    settings = settings.with_trusted(RegistryRef(chain.chain_id, registry.address))
    appoint_accreditor(keys, registry, admin_unit_code=_COMMUNE, name="UBND xã Phú Hòa Đông")
    school = register_school(keys, registry, engine,
                             SchoolRegistration("79785401", _COMMUNE, "Trường THCS Phú Hòa Đông",
                                                "Nguyễn Văn Hiệu Trưởng"),
                             accreditor_unit_code=_COMMUNE)

    first_class = generate_school(7, "2025-2026")[0]
    first_class = replace(first_class, students=first_class.students[:students])
    prepared = prepare_batch(first_class, school, curriculum=load_curriculum())
    batch = anchor_batch(prepared, school, registry=registry, engine=engine)

    base_url = settings.verify_base_url
    one = replace(batch, credentials=batch.credentials[:1])
    pdf_path = write_pdfs(one, home / "pdf", verify_base_url=base_url,
                          issued_on=date(2026, 5, 30))[0]
    item = batch.credentials[0]
    png = qr_png(build_qr_url(base_url, item.credential_id, item.digest))
    logger.info("benchmark corpus: %d credentials anchored in block %d", len(batch.credentials),
                batch.tx.block_number)
    return Corpus(
        home=home,
        settings=settings,
        chain=chain,
        registry=registry.address,
        credentials=[credential_json_bytes(entry.credential) for entry in batch.credentials],
        pdf=pdf_path.read_bytes(),
        qr_png=png,
    )
