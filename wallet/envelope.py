"""The wallet file's encryption: a passphrase-derived key and AES-256-GCM.

The file is one JSON object. Its header names the KDF with its parameters and
salt, the cipher and its nonce. The header is authenticated as AES-GCM associated
data, so a changed parameter fails decryption. The KDF produces 64 bytes: the
first 32 are the AES key and the last 32 key a short HMAC check value stored in
the header. The check value tells a wrong passphrase apart from a damaged file.
It gives an attacker nothing new, because anyone with the file can already test
a guessed passphrase by trying to decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from hocba.errors import HocbaError
from hocba.jcs import canonicalize

try:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
except ImportError:  # pragma: no cover - cryptography < 44 has no Argon2id
    Argon2id = None

__all__ = ["FORMAT", "KdfParams", "WalletError", "decrypt", "encrypt"]

logger = logging.getLogger(__name__)

FORMAT = "hocba-wallet"
VERSION = 1
_CHECK_LABEL = b"hocba wallet passphrase check"
_SALT_BYTES = 16
_NONCE_BYTES = 12

# Upper bounds accepted when a file is opened, so that a crafted header cannot make
# the KDF allocate gigabytes or run for minutes.
_MAX_ARGON2_MEMORY_KIB = 1024 * 1024
_MAX_ARGON2_ITERATIONS = 16
_MAX_LANES = 16
_MAX_SCRYPT_LOG_N = 20


class WalletError(HocbaError):
    """A wallet that cannot be created, opened, read or written."""

    code = "wallet"


@dataclass(frozen=True)
class KdfParams:
    """Passphrase KDF settings. The default is Argon2id with RFC 9106's second recommended
    option (t=3, p=4, m=64 MiB); scrypt (N=2**17, r=8, p=1) is used only when the installed
    ``cryptography`` has no Argon2id."""

    name: str = "argon2id" if Argon2id is not None else "scrypt"
    iterations: int = 3
    lanes: int = 4
    memory_kib: int = 64 * 1024
    scrypt_log_n: int = 17

    def to_json(self, salt: bytes) -> dict[str, Any]:
        if self.name == "argon2id":
            return {"name": "argon2id", "salt": _b64(salt), "iterations": self.iterations,
                    "lanes": self.lanes, "memoryKiB": self.memory_kib}
        return {"name": "scrypt", "salt": _b64(salt), "logN": self.scrypt_log_n, "r": 8, "p": 1}

    @classmethod
    def from_json(cls, data: Any) -> tuple[KdfParams, bytes]:
        if not isinstance(data, Mapping):
            raise _corrupted("the kdf header is not an object")
        salt = _unb64(data.get("salt"), "kdf salt")
        if data.get("name") == "argon2id":
            params = cls("argon2id", _bounded(data, "iterations", 1, _MAX_ARGON2_ITERATIONS),
                         _bounded(data, "lanes", 1, _MAX_LANES),
                         _bounded(data, "memoryKiB", 8, _MAX_ARGON2_MEMORY_KIB))
            if params.memory_kib < 8 * params.lanes:
                raise _corrupted("argon2id memory must be at least 8 KiB per lane")
            return params, salt
        if data.get("name") == "scrypt" and data.get("r") == 8 and data.get("p") == 1:
            return cls("scrypt", scrypt_log_n=_bounded(data, "logN", 10, _MAX_SCRYPT_LOG_N)), salt
        raise _corrupted(f"unsupported kdf {str(data.get('name'))[:40]!r}")

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        secret = passphrase.encode("utf-8")
        if self.name == "argon2id":
            if Argon2id is None:
                raise WalletError("this wallet needs Argon2id, which the installed cryptography "
                                  "package lacks", code="kdf_unavailable",
                                  message_vi="Ví này dùng Argon2id nhưng thư viện cryptography "
                                             "đang cài không hỗ trợ; hãy cập nhật thư viện.")
            kdf = Argon2id(salt=salt, length=64, iterations=self.iterations, lanes=self.lanes,
                           memory_cost=self.memory_kib)
            return kdf.derive(secret)
        return Scrypt(salt=salt, length=64, n=2**self.scrypt_log_n, r=8, p=1).derive(secret)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any, name: str) -> bytes:
    if not isinstance(value, str):
        raise _corrupted(f"{name} is missing")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _corrupted(f"{name} is not base64") from exc


def _bounded(data: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _corrupted(f"kdf parameter {key} must be an integer from {low} to {high}")
    return value


def _corrupted(detail: str) -> WalletError:
    return WalletError(f"the wallet file is damaged or was altered: {detail}",
                       code="wallet_corrupted",
                       message_vi="Tệp ví bị hỏng hoặc đã bị sửa đổi; hãy khôi phục từ bản sao "
                                  "lưu.")


def _check_value(check_key: bytes) -> bytes:
    return hmac.new(check_key, _CHECK_LABEL, hashlib.sha256).digest()[:16]


def encrypt(plaintext: bytes, passphrase: str, params: KdfParams) -> dict[str, Any]:
    """Encrypt ``plaintext`` under a key derived from ``passphrase`` with a fresh salt."""
    salt = os.urandom(_SALT_BYTES)
    derived = params.derive(passphrase, salt)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "kdf": params.to_json(salt),
        "check": _b64(_check_value(derived[32:])),
        "cipher": {"name": "AES-256-GCM", "nonce": _b64(os.urandom(_NONCE_BYTES))},
    }
    nonce = base64.b64decode(header["cipher"]["nonce"])
    ciphertext = AESGCM(derived[:32]).encrypt(nonce, plaintext, canonicalize(header))
    return {**header, "ciphertext": _b64(ciphertext)}


def decrypt(envelope: Any, passphrase: str) -> tuple[bytes, KdfParams]:
    """Decrypt a wallet file object; return the plaintext and the KDF settings it used.

    Raises ``WalletError`` with code ``wrong_passphrase`` or ``wallet_corrupted``.
    """
    if not isinstance(envelope, Mapping) or envelope.get("format") != FORMAT:
        raise _corrupted("not a hocba wallet file")
    if envelope.get("version") != VERSION:
        raise _corrupted(f"unsupported version {str(envelope.get('version'))[:20]!r}")
    cipher = envelope.get("cipher")
    if not isinstance(cipher, Mapping) or cipher.get("name") != "AES-256-GCM":
        raise _corrupted("unsupported cipher")
    nonce = _unb64(cipher.get("nonce"), "nonce")
    if len(nonce) != _NONCE_BYTES:
        raise _corrupted("the nonce must be 12 bytes")
    params, salt = KdfParams.from_json(envelope.get("kdf"))
    check = _unb64(envelope.get("check"), "check value")
    ciphertext = _unb64(envelope.get("ciphertext"), "ciphertext")

    derived = params.derive(passphrase, salt)
    if not hmac.compare_digest(_check_value(derived[32:]), check):
        logger.info("wallet opened with a wrong passphrase")
        raise WalletError("wrong passphrase for this wallet", code="wrong_passphrase",
                          message_vi="Sai mật khẩu ví. Hãy nhập lại đúng mật khẩu đã đặt khi "
                                     "tạo ví.")
    header = {key: value for key, value in envelope.items() if key != "ciphertext"}
    try:
        plaintext = AESGCM(derived[:32]).decrypt(nonce, ciphertext, canonicalize(header))
    except InvalidTag as exc:
        raise _corrupted("authentication failed") from exc
    return plaintext, params
