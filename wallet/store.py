"""The student's encrypted wallet: one file holding the holder key and the records.

Everything except the KDF and cipher header is encrypted (see ``wallet.envelope``).
Writes go to a temporary file in the same folder that then replaces the wallet
file, so a crash leaves either the old or the new wallet. Backups are copies of
the encrypted file: the wallet never writes its records unencrypted to disk.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hocba.dataintegrity import private_key_from_multibase, verification_method_for
from hocba.multibase import multibase_encode
from hocba.status import Status, VerificationResult
from verifier.engine import VerifierContext, verify_credential
from wallet.envelope import KdfParams, WalletError, decrypt, encrypt
from wallet.importing import CredentialLookup, read_credential

__all__ = ["DEFAULT_WALLET_PATH", "StatusChange", "Wallet", "WalletError", "WalletRecord"]

logger = logging.getLogger(__name__)

DEFAULT_WALLET_PATH = Path.home() / ".hocba-wallet" / "wallet.json"
_ED25519_PRIVATE_PREFIX = b"\x80\x26"
_REJECTED_ON_IMPORT = (Status.MALFORMED, Status.TAMPERED)


@dataclass
class WalletRecord:
    """One credential in the wallet with the verdict of its latest verification."""

    credential: dict[str, Any]
    source_kind: str
    imported_at: str
    verdict: dict[str, Any]

    @property
    def credential_id(self) -> str:
        return str(self.credential["id"])

    @property
    def school_year(self) -> str:
        subject = self.credential.get("credentialSubject") or {}
        return str(subject.get("schoolYear") or "?")

    @property
    def status(self) -> Status:
        return Status(self.verdict["status"])

    def to_json(self) -> dict[str, Any]:
        return {"credential": self.credential, "sourceKind": self.source_kind,
                "importedAt": self.imported_at, "verdict": self.verdict}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WalletRecord:
        return cls(data["credential"], data["sourceKind"], data["importedAt"], data["verdict"])


@dataclass(frozen=True)
class StatusChange:
    """A record whose verdict changed when the wallet re-verified it."""

    credential_id: str
    before: Status
    after: Status

    @property
    def withdrawn(self) -> bool:
        """Whether the record is now revoked or suspended."""
        return self.after in (Status.REVOKED, Status.SUSPENDED)


def _verdict(result: VerificationResult, now: datetime) -> dict[str, Any]:
    return {
        "status": result.status.value,
        "checkedAt": now.astimezone(UTC).isoformat(timespec="seconds"),
        "block": result.block,
        "failedChecks": [check.code for check in result.checks if not check.passed],
    }


@dataclass
class Wallet:
    """An opened wallet. The passphrase is kept in memory to re-encrypt on every save."""

    path: Path
    _passphrase: str = field(repr=False)
    _params: KdfParams
    _holder_key: Ed25519PrivateKey = field(repr=False)
    created: str
    records: dict[str, WalletRecord] = field(default_factory=dict)

    @classmethod
    def create(cls, path: Path, passphrase: str, *, params: KdfParams | None = None) -> Wallet:
        """Create a wallet with a new Ed25519 holder key; refuse to overwrite a file."""
        if not passphrase:
            raise WalletError("the passphrase is empty", code="passphrase_empty",
                              message_vi="Mật khẩu ví không được để trống.")
        if path.exists():
            raise WalletError(f"{path} already exists", code="wallet_exists",
                              message_vi=f"Đã có ví tại {path}; không ghi đè.")
        wallet = cls(path, passphrase, params or KdfParams(), Ed25519PrivateKey.generate(),
                     datetime.now(UTC).isoformat(timespec="seconds"))
        wallet.save()
        logger.info("created wallet %s", path)
        return wallet

    @classmethod
    def open(cls, path: Path, passphrase: str) -> Wallet:
        """Open and decrypt a wallet file."""
        try:
            envelope = json.loads(path.read_bytes())
        except FileNotFoundError as exc:
            raise WalletError(f"no wallet at {path}", code="wallet_not_found",
                              message_vi=f"Không có ví tại {path}; hãy tạo bằng "
                                         "`hocba wallet init`.") from exc
        except (OSError, ValueError) as exc:
            raise WalletError(f"cannot read the wallet file {path}: {exc}",
                              code="wallet_corrupted",
                              message_vi="Tệp ví bị hỏng hoặc không đọc được.") from exc
        plaintext, params = decrypt(envelope, passphrase)
        payload = json.loads(plaintext)
        holder_key = private_key_from_multibase(payload["holderKey"])
        records = {item["credential"]["id"]: WalletRecord.from_json(item)
                   for item in payload["records"]}
        return cls(path, passphrase, params, holder_key, payload["created"], records)

    @property
    def holder_key(self) -> Ed25519PrivateKey:
        return self._holder_key

    @property
    def holder_did(self) -> str:
        """The holder's did:key verification method (``did:key:z6Mk…#z6Mk…``)."""
        return verification_method_for(self._holder_key.public_key().public_bytes_raw())

    def save(self) -> None:
        """Encrypt the wallet and replace the file atomically (mode 0600)."""
        seed = self._holder_key.private_bytes_raw()
        payload = {
            "created": self.created,
            "holderKey": multibase_encode(_ED25519_PRIVATE_PREFIX + seed),
            "records": [record.to_json() for record in self.records.values()],
        }
        plaintext = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        envelope = encrypt(plaintext, self._passphrase, self._params)
        _write_atomically(self.path, json.dumps(envelope, indent=1).encode("ascii"))

    def import_bytes(self, data: bytes, context: VerifierContext, *, source: str = "",
                     lookup: CredentialLookup | None = None,
                     allowed_origins: Iterable[str] = ()) -> WalletRecord:
        """Import a PDF, a credential JSON or a QR image after verifying it; save the wallet.

        Malformed and tampered documents are rejected. Any other verdict (revoked,
        unavailable, …) is stored with the record, so the student sees it in ``list``.
        """
        kind, credential, result = read_credential(data, context, source=source, lookup=lookup,
                                                   allowed_origins=allowed_origins)
        if result.status in _REJECTED_ON_IMPORT or credential is None:
            raise WalletError(f"{source or 'the document'} was not imported: "
                              f"{result.status.value}", code="import_rejected",
                              message_vi=f"Không nhập {source or 'văn bản'} vào ví: "
                                         f"{result.status.label_vi}.")
        record = WalletRecord(credential, kind, datetime.now(UTC).isoformat(timespec="seconds"),
                              _verdict(result, context.now()))
        replaced = record.credential_id in self.records
        self.records[record.credential_id] = record
        self.save()
        logger.info("imported %s record (%s, replaced=%s)", kind, result.status.value, replaced)
        return record

    def import_file(self, path: Path, context: VerifierContext, **options: Any) -> WalletRecord:
        """Import the file at ``path`` (see ``import_bytes``)."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise WalletError(f"cannot read {path}: {exc.strerror}", code="input_unreadable",
                              message_vi=f"Không đọc được tệp {path}.") from exc
        return self.import_bytes(data, context, source=path.name, **options)

    def get(self, credential_id: str) -> WalletRecord:
        """Return the record with this id, or one whose id ends with the given text."""
        if credential_id in self.records:
            return self.records[credential_id]
        matches = [key for key in self.records if key.endswith(credential_id)]
        if len(matches) != 1:
            raise WalletError(f"no single record matches {credential_id!r}",
                              code="record_not_found",
                              message_vi=f"Không tìm thấy đúng một văn bản khớp với "
                                         f"{credential_id!r} trong ví.")
        return self.records[matches[0]]

    def list(self) -> dict[str, list[WalletRecord]]:
        """Group the records by school year, newest year first."""
        groups: dict[str, list[WalletRecord]] = {}
        for record in self.records.values():
            groups.setdefault(record.school_year, []).append(record)
        return {year: groups[year] for year in sorted(groups, reverse=True)}

    def refresh_status(self, context: VerifierContext,
                       verify: Callable[..., VerificationResult] = verify_credential
                       ) -> list[StatusChange]:
        """Re-verify every record against the chain; return the records whose status changed."""
        changes = []
        for record in self.records.values():
            before = record.status
            result = verify(record.credential, context, source=record.credential_id)
            record.verdict = _verdict(result, context.now())
            if result.status is not before:
                changes.append(StatusChange(record.credential_id, before, result.status))
        self.save()
        logger.info("re-verified %d records, %d changed", len(self.records), len(changes))
        return changes

    def export(self, destination: Path) -> Path:
        """Copy the encrypted wallet file to ``destination`` (a backup, still encrypted)."""
        if destination.exists() and destination.is_dir():
            destination = destination / self.path.name
        if destination.resolve() == self.path.resolve():
            raise WalletError("the backup must not overwrite the wallet itself",
                              code="backup_same_file",
                              message_vi="Bản sao lưu không được ghi đè lên chính tệp ví.")
        self.save()
        _write_atomically(destination, self.path.read_bytes())
        logger.info("exported an encrypted backup")
        return destination


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(prefix=".wallet-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
