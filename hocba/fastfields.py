"""A faster computation of the per-field digests, byte-identical to ``hocba.anchoring``.

The reference definitions are ``flatten_fields``, ``field_salt``, ``field_digest`` and
``fields_root`` in ``hocba.anchoring``. This module computes the same bytes with
less Python work per field:

- the HMAC-SHA256 key state is computed once per field seed. The seed is 32 bytes,
  shorter than the 64-byte SHA-256 block, so RFC 2104 pads it with zeros and each
  salt is ``sha256(key ^ opad || sha256(key ^ ipad || pointer))``, taken from copies
  of the two hashes that already absorbed the padded key;
- the salts of one subject are base64url-encoded in one call. Each 16-byte salt is
  followed by two zero bytes, so every salt fills exactly 24 characters, and the
  first 22 of them are the unpadded base64url form of the salt alone;
- the escaped token of each object key and the UTF-8 and JSON string forms of each
  pointer are cached, because they repeat from one credential to the next;
- ``fieldsRoot`` is written directly: the sorted lowercase-hex digests contain no
  character that RFC 8785 escapes.

Anything outside plain JSON (other types, Mapping subclasses, integers outside
+-(2**53 - 1), lone surrogates, non-string keys, a seed of the wrong length)
returns None, and the caller uses the reference definitions, which raise their
usual errors. ``tests/test_fastfields.py`` compares both on random subjects.
"""

from __future__ import annotations

import binascii
import hashlib
import json
from typing import Any

__all__ = ["fast_field_digests", "fields_root_of_digests"]

_SEED_LENGTH = 32
_SALT_LENGTH = 16
_BLOCK_PADDING = bytes(64 - _SEED_LENGTH)
_IPAD = bytes.maketrans(bytes(range(256)), bytes(byte ^ 0x36 for byte in range(256)))
_OPAD = bytes.maketrans(bytes(range(256)), bytes(byte ^ 0x5C for byte in range(256)))
_URLSAFE = bytes.maketrans(b"+/", b"-_")
_MAX_SAFE_INTEGER = 2**53 - 1
_encode_string = json.encoder.encode_basestring  # the C version when _json is available
_sha256 = hashlib.sha256

# Pointer -> (UTF-8 pointer for the HMAC, JSON string of the pointer). Pointers of
# one credential shape repeat across a batch. The cache is cleared when it reaches
# _CACHE_LIMIT entries, so documents with arbitrary keys cannot grow it without bound.
_CACHE_LIMIT = 20_000
_pointer_cache: dict[str, tuple[bytes, str]] = {}
# Object key -> its RFC 6901 token ("~" -> "~0", "/" -> "~1"), under the same limit.
# Only str keys enter it, and no other hashable equals a str, so an int or bool key
# always misses and is rejected by _escape_key.
_token_cache: dict[str, str] = {}
_INDEX_TOKENS = tuple(str(index) for index in range(256))


class _NotPlain(Exception):
    """Raised inside the walk when the subject needs the reference definitions."""


def _walk(node: Any, prefix: str, pointers: list[str], values: list[str]) -> None:
    """Append each scalar's pointer and JSON text, in document order, like flatten_fields."""
    if type(node) is dict:
        items: Any = node.items()
    elif len(node) <= len(_INDEX_TOKENS):
        items = zip(_INDEX_TOKENS, node, strict=False)  # stops at the end of the list
    else:
        items = zip(map(str, range(len(node))), node, strict=True)
    for key, item in items:
        token = _token_cache.get(key)
        if token is None:
            token = _escape_key(key)
        pointer = prefix + "/" + token
        kind = type(item)
        if kind is str:
            pointers.append(pointer)
            values.append(_encode_string(item))
        elif kind is dict or kind is list:
            _walk(item, pointer, pointers, values)
        elif item is None:
            pointers.append(pointer)
            values.append("null")
        elif kind is bool:
            pointers.append(pointer)
            values.append("true" if item else "false")
        elif kind is int and -_MAX_SAFE_INTEGER <= item <= _MAX_SAFE_INTEGER:
            pointers.append(pointer)
            values.append(str(item))
        else:
            raise _NotPlain


def _escape_key(key: Any) -> str:
    """Return the RFC 6901 token of an object key and cache it."""
    if type(key) is not str:
        raise _NotPlain
    if len(_token_cache) >= _CACHE_LIMIT:
        _token_cache.clear()
    token = key.replace("~", "~0").replace("/", "~1")
    _token_cache[key] = token
    return token


def _pointer_forms(pointer: str) -> tuple[bytes, str]:
    forms = _pointer_cache.get(pointer)
    if forms is None:
        if len(_pointer_cache) >= _CACHE_LIMIT:
            _pointer_cache.clear()
        forms = (pointer.encode("utf-8"), _encode_string(pointer))
        _pointer_cache[pointer] = forms
    return forms


def fast_field_digests(subject: Any, field_seed: Any) -> tuple[list[str], list[bytes]] | None:
    """Return the pointers and field digests of ``subject`` in document order, or None.

    The digests equal ``field_digest(field_salt(field_seed, p), p, v)`` for every
    ``(p, v)`` of ``flatten_fields(subject)``.
    """
    if type(subject) is not dict:
        return None
    if type(field_seed) is not bytes or len(field_seed) != _SEED_LENGTH:
        return None
    pointers: list[str] = []
    values: list[str] = []
    try:
        _walk(subject, "", pointers, values)
        forms = [_pointer_forms(pointer) for pointer in pointers]
        tails = [f'",{json_pointer},{value}]'.encode()
                 for (_, json_pointer), value in zip(forms, values, strict=True)]
    except (_NotPlain, UnicodeEncodeError, RecursionError):
        return None
    if not pointers:
        return pointers, []

    salts = _field_salts(field_seed, [pointer_bytes for pointer_bytes, _ in forms])
    return pointers, _field_digests(salts, tails)


def _field_salts(field_seed: bytes, pointers: list[bytes]) -> list[bytes]:
    """Return ``HMAC-SHA256(field_seed, pointer)[:16]`` for each UTF-8 pointer."""
    block = field_seed + _BLOCK_PADDING
    inner_copy = _sha256(block.translate(_IPAD)).copy
    outer_copy = _sha256(block.translate(_OPAD)).copy
    salts = []
    for pointer in pointers:
        inner = inner_copy()
        inner.update(pointer)
        outer = outer_copy()
        outer.update(inner.digest())
        salts.append(outer.digest()[:_SALT_LENGTH])
    return salts


def _field_digests(salts: list[bytes], tails: list[bytes]) -> list[bytes]:
    """Return ``sha256(b'["' + base64url(salt) + tail)`` for each salt and its tail."""
    # Each salt plus two zero bytes is 18 bytes, which base64 writes as 24 characters.
    encoded = binascii.b2a_base64(b"\0\0".join(salts) + b"\0\0", newline=False)
    encoded = encoded.translate(_URLSAFE)
    return [_sha256(b'["' + encoded[start:start + 22] + tail).digest()
            for start, tail in zip(range(0, len(encoded), 24), tails, strict=True)]


def fields_root_of_digests(digests: list[bytes]) -> bytes:
    """Return ``sha256(JCS(sorted lowercase-hex digests))`` for a list of 32-byte digests.

    Sorting the bytes gives the order of their hex forms, because hex is written
    two characters per byte with ``0-9`` before ``a-f``.
    """
    if not digests:
        return _sha256(b"[]").digest()
    hexes = '","'.join([digest.hex() for digest in sorted(digests)])
    return _sha256(f'["{hexes}"]'.encode("ascii")).digest()
