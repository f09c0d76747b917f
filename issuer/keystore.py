"""Private keys encrypted at rest in the database.

Each key is sealed with AES-256-GCM under a key derived from the passphrase with
scrypt (n=2**15, r=8, p=1) and a random 16-byte salt; the key's name and kind are
the associated data, so an envelope moved to another row does not open. Ethereum
account keys (secp256k1) and credential-signing keys (Ed25519) use the same
envelope. Nothing here logs key material.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import Engine
from sqlmodel import Session, select

from hocba.db import StoredKey
from hocba.errors import KeyStoreError

__all__ = ["KeyStore", "passphrase_for_home"]

logger = logging.getLogger(__name__)

_SCRYPT_N = 2**15
_SCRYPT_R = 8
_SCRYPT_P = 1


@dataclass
class KeyStore:
    """Named private keys of one hocba instance, sealed with one passphrase."""

    engine: Engine
    passphrase: str

    def account(self, name: str, *, create: bool = False) -> LocalAccount:
        """Return the Ethereum account stored as ``name`` (creating it if asked)."""
        secret = self._load(name, "eth")
        if secret is None:
            if not create:
                raise _missing(name)
            account = Account.create()
            self._store(name, "eth", account.address, bytes(account.key))
            return account
        return Account.from_key(secret)

    def signing_key(self, name: str, *, create: bool = False) -> Ed25519PrivateKey:
        """Return the Ed25519 credential-signing key stored as ``name``."""
        secret = self._load(name, "ed25519")
        if secret is None:
            if not create:
                raise _missing(name)
            key = Ed25519PrivateKey.generate()
            public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            self._store(name, "ed25519", public.hex(), key.private_bytes_raw())
            return key
        return Ed25519PrivateKey.from_private_bytes(secret)

    def has(self, name: str) -> bool:
        with Session(self.engine) as db:
            return db.exec(select(StoredKey).where(StoredKey.name == name)).first() is not None

    def _store(self, name: str, kind: str, public: str, secret: bytes) -> None:
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self._derive(salt)).encrypt(nonce, secret, f"{kind}:{name}".encode())
        envelope = {
            "kdf": "scrypt", "n": _SCRYPT_N, "r": _SCRYPT_R, "p": _SCRYPT_P,
            "salt": _b64(salt), "nonce": _b64(nonce), "ciphertext": _b64(sealed),
        }
        with Session(self.engine) as db:
            db.add(StoredKey(name=name, kind=kind, public=public, envelope=json.dumps(envelope)))
            db.commit()
        logger.info("stored new %s key %s", kind, name)

    def _load(self, name: str, kind: str) -> bytes | None:
        with Session(self.engine) as db:
            row = db.exec(select(StoredKey).where(StoredKey.name == name)).first()
        if row is None:
            return None
        if row.kind != kind:
            raise KeyStoreError(f"key {name} is a {row.kind} key, not {kind}", code="key_kind")
        envelope = json.loads(row.envelope)
        try:
            return AESGCM(self._derive(_unb64(envelope["salt"]), envelope)).decrypt(
                _unb64(envelope["nonce"]), _unb64(envelope["ciphertext"]),
                f"{kind}:{name}".encode(),
            )
        except InvalidTag as exc:
            raise KeyStoreError(
                f"cannot unlock key {name}: wrong passphrase or damaged envelope",
                code="wrong_passphrase",
                message_vi=f"Không mở được khóa {name}: sai cụm mật khẩu hoặc dữ liệu khóa hỏng.",
            ) from exc

    def _derive(self, salt: bytes, params: dict | None = None) -> bytes:
        params = params or {"n": _SCRYPT_N, "r": _SCRYPT_R, "p": _SCRYPT_P}
        kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
        return kdf.derive(self.passphrase.encode("utf-8"))


def passphrase_for_home(home: Path, configured: str | None) -> str:
    """Return the key passphrase: the configured one, else a generated local one.

    NOTE: the generated passphrase is written beside the database (mode 0600) so a
    single-machine demo or test instance works unattended; production sets
    ``HOCBA_KEY_PASSPHRASE`` from a secret store or keeps keys in an HSM.
    """
    if configured:
        return configured
    path = home / "key-passphrase"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    home.mkdir(parents=True, exist_ok=True)
    passphrase = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(passphrase)
    logger.warning("generated a local key passphrase in %s; set HOCBA_KEY_PASSPHRASE in "
                   "production", path)
    return passphrase


def _missing(name: str) -> KeyStoreError:
    return KeyStoreError(
        f"no key named {name} in the key store",
        code="key_not_found",
        message_vi=f"Không có khóa tên {name} trong kho khóa.",
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)
