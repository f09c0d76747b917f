"""The encrypted wallet file: passphrase, tampering, import of every input kind, status refresh."""

from __future__ import annotations

import base64
import json
import stat
from datetime import date
from pathlib import Path

import pytest

from hocba.status import Status
from issuer.issuance import credential_json_bytes, write_pdfs
from tests.wallet.conftest import CHEAP_KDF, PASSPHRASE, Issued
from wallet.envelope import KdfParams, WalletError
from wallet.store import Wallet


def test_reopen_keeps_holder_key(wallet: Wallet) -> None:
    reopened = Wallet.open(wallet.path, PASSPHRASE)
    assert reopened.holder_did == wallet.holder_did


def test_wrong_passphrase_rejected(wallet: Wallet) -> None:
    with pytest.raises(WalletError) as caught:
        Wallet.open(wallet.path, "sai mật khẩu")
    assert caught.value.code == "wrong_passphrase"
    assert "Sai mật khẩu" in caught.value.message_vi


def test_file_has_no_plaintext(shared: Issued, wallet: Wallet) -> None:
    wallet.import_bytes(credential_json_bytes(shared.credential()), shared.context)
    text = wallet.path.read_text(encoding="utf-8")
    name = shared.credential()["credentialSubject"]["identifier"][0]["identityHash"]
    assert name not in text
    assert "urn:uuid" not in text
    assert "holderKey" not in text


def test_file_mode_private(wallet: Wallet) -> None:
    assert stat.S_IMODE(wallet.path.stat().st_mode) == 0o600


def test_default_kdf_argon2id() -> None:
    assert KdfParams().name == "argon2id"


def test_changed_ciphertext_corrupted(wallet: Wallet) -> None:
    envelope = json.loads(wallet.path.read_bytes())
    raw = bytearray(base64.b64decode(envelope["ciphertext"]))
    raw[5] ^= 0x01
    envelope["ciphertext"] = base64.b64encode(bytes(raw)).decode("ascii")
    wallet.path.write_text(json.dumps(envelope))
    with pytest.raises(WalletError) as caught:
        Wallet.open(wallet.path, PASSPHRASE)
    assert caught.value.code == "wallet_corrupted"


def test_changed_header_corrupted(wallet: Wallet) -> None:
    envelope = json.loads(wallet.path.read_bytes())
    envelope["cipher"]["extra"] = 1
    wallet.path.write_text(json.dumps(envelope))
    with pytest.raises(WalletError) as caught:
        Wallet.open(wallet.path, PASSPHRASE)
    assert caught.value.code == "wallet_corrupted"


def test_huge_kdf_memory_rejected(wallet: Wallet) -> None:
    envelope = json.loads(wallet.path.read_bytes())
    envelope["kdf"]["memoryKiB"] = 64 * 1024 * 1024
    wallet.path.write_text(json.dumps(envelope))
    with pytest.raises(WalletError) as caught:
        Wallet.open(wallet.path, PASSPHRASE)
    assert caught.value.code == "wallet_corrupted"


def test_create_refuses_overwrite(wallet: Wallet) -> None:
    with pytest.raises(WalletError) as caught:
        Wallet.create(wallet.path, PASSPHRASE, params=CHEAP_KDF)
    assert caught.value.code == "wallet_exists"


def test_scrypt_wallet_opens(tmp_path: Path) -> None:
    params = KdfParams(name="scrypt", scrypt_log_n=10)
    created = Wallet.create(tmp_path / "w.json", PASSPHRASE, params=params)
    assert Wallet.open(created.path, PASSPHRASE).holder_did == created.holder_did


def test_import_json_valid(shared: Issued, wallet: Wallet) -> None:
    record = wallet.import_bytes(credential_json_bytes(shared.credential()), shared.context)
    assert record.status is Status.VALID
    assert record.source_kind == "json"
    assert record.verdict["block"] is not None
    reopened = Wallet.open(wallet.path, PASSPHRASE)
    assert reopened.get(record.credential_id).credential == shared.credential()


def test_import_pdf_valid(shared: Issued, wallet: Wallet, tmp_path: Path) -> None:
    paths = write_pdfs(shared.batch, tmp_path / "pdf",
                       verify_base_url=shared.network.settings.verify_base_url,
                       issued_on=date(2026, 5, 30))
    record = wallet.import_file(paths[1], shared.context)
    assert record.source_kind == "pdf"
    assert record.status is Status.VALID
    assert record.credential == shared.credential(1)


def test_import_qr_photo_valid(shared: Issued, wallet: Wallet) -> None:
    record = wallet.import_bytes(shared.qr_photo(2), shared.context, lookup=shared.lookup,
                                 allowed_origins=[shared.network.settings.verify_base_url])
    assert record.source_kind == "image"
    assert record.status is Status.VALID
    assert record.credential_id == shared.batch.credentials[2].credential_id


def test_import_tampered_rejected(shared: Issued, wallet: Wallet) -> None:
    from scripts.demo_documents import raise_one_score

    forged = raise_one_score(shared.credential())
    with pytest.raises(WalletError) as caught:
        wallet.import_bytes(credential_json_bytes(forged), shared.context)
    assert caught.value.code == "import_rejected"
    assert Wallet.open(wallet.path, PASSPHRASE).records == {}


def test_list_groups_by_school_year(shared: Issued, wallet: Wallet) -> None:
    for index in range(2):
        wallet.import_bytes(credential_json_bytes(shared.credential(index)), shared.context)
    groups = wallet.list()
    assert list(groups) == ["2025-2026"]
    assert len(groups["2025-2026"]) == 2


def test_refresh_shows_revoked(issued: Issued, wallet: Wallet) -> None:
    for index in range(2):
        wallet.import_bytes(credential_json_bytes(issued.credential(index)), issued.context)
    issued.revoke(1)
    changes = wallet.refresh_status(issued.context)
    assert [change.credential_id for change in changes] == [
        issued.batch.credentials[1].credential_id]
    assert changes[0].after is Status.REVOKED
    assert changes[0].withdrawn
    reopened = Wallet.open(wallet.path, PASSPHRASE)
    assert reopened.get(changes[0].credential_id).status is Status.REVOKED


def test_export_is_encrypted_copy(shared: Issued, wallet: Wallet, tmp_path: Path) -> None:
    wallet.import_bytes(credential_json_bytes(shared.credential()), shared.context)
    backup = wallet.export(tmp_path / "backup.json")
    restored = Wallet.open(backup, PASSPHRASE)
    assert list(restored.records) == list(wallet.records)
    assert "credentialSubject" not in backup.read_text(encoding="utf-8")
