"""Base58btc and its multibase form (prefix ``z``), as used by did:key and Data Integrity.

Written here because no maintained base58 package is installed with web3 8.0.0 or
cryptography 50 (checked with ``pip list`` in the project virtualenv).
"""

from __future__ import annotations

from hocba.errors import CredentialError

__all__ = [
    "BASE58BTC_ALPHABET",
    "b58decode",
    "b58encode",
    "multibase_decode",
    "multibase_encode",
]

BASE58BTC_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DIGIT_VALUES = {char: value for value, char in enumerate(BASE58BTC_ALPHABET)}

# Maximum text length for the decoder, far above a did:key (48 characters) or a signature (89).
_MAX_ENCODED_LENGTH = 1024


def b58encode(data: bytes) -> str:
    """Encode bytes as base58btc; each leading zero byte becomes one ``1``."""
    leading_zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")

    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58BTC_ALPHABET[remainder])

    return "1" * leading_zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Decode base58btc text; raise ``CredentialError`` (malformed) on any other character."""
    if len(text) > _MAX_ENCODED_LENGTH:
        raise CredentialError(
            f"base58btc text is {len(text)} characters long; the maximum is {_MAX_ENCODED_LENGTH}",
            code="malformed",
            message_vi="Chuỗi base58btc quá dài.",
        )

    number = 0
    for position, char in enumerate(text):
        value = _DIGIT_VALUES.get(char)
        if value is None:
            raise CredentialError(
                f"invalid base58btc character {char!r} at position {position}",
                code="malformed",
                message_vi=f"Ký tự {char!r} không hợp lệ trong chuỗi base58btc.",
            )
        number = number * 58 + value

    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * leading_zeros + body


def multibase_encode(data: bytes) -> str:
    """Return the multibase base58btc form ``z<base58btc>``."""
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode multibase base58btc text; only the ``z`` prefix is accepted."""
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise CredentialError(
            "expected a multibase base58btc string starting with 'z'",
            code="malformed",
            message_vi="Chuỗi multibase phải bắt đầu bằng 'z' (base58btc).",
        )
    return b58decode(text[1:])
