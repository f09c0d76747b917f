"""A fast RFC 8785 path through the standard library's C JSON encoder, for plain JSON values.

For the values it accepts, ``json.dumps`` with sorted keys, no whitespace and
``ensure_ascii=False`` writes the same bytes as the ``rfc8785`` library:

- strings: both escape only ``"``, ``\\``, and U+0000 to U+001F (``\\b \\t \\n \\f \\r``
  short, the rest as lowercase ``\\u00xx``), and write everything else as UTF-8;
- integers within +-(2**53 - 1): both write the decimal digits, as ECMAScript does;
- object keys: RFC 8785 sorts by UTF-16 code units and Python by code points. The
  two orders differ only between a character from U+E000 to U+FFFF and one above
  U+FFFF, so objects with such a key are left to the library.

Anything else (floats, big integers, lone surrogates, other types, tuples, Mapping
subclasses) returns None and the caller uses the library. The equality is checked
by hypothesis property tests in tests/test_fastjcs.py.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["fast_canonical", "fast_field_triple", "is_plain_json"]

_MAX_SAFE_INTEGER = 2**53 - 1
_FIRST_REORDERED = "\ue000"
_encode_string = json.encoder.encode_basestring  # the C version when _json is available
_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                            allow_nan=False, check_circular=False)


def _plain_key(key: object) -> bool:
    if type(key) is not str:
        return False
    return key.isascii() or not key or max(key) < _FIRST_REORDERED


def is_plain_json(value: Any) -> bool:
    """Tell whether ``value`` contains only dict, list, str, exactly int or bool, and None,
    with integers within +-(2**53 - 1) and keys whose sort orders agree."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int:
            if -_MAX_SAFE_INTEGER <= item <= _MAX_SAFE_INTEGER:
                continue
            return False
        if kind is list:
            pending.extend(item)
            continue
        if kind is dict:
            for key in item:
                if not _plain_key(key):
                    return False
            pending.extend(item.values())
            continue
        return False
    return True


def fast_canonical(value: Any) -> bytes | None:
    """Return the RFC 8785 bytes of ``value``, or None when it is not plain JSON."""
    if not is_plain_json(value):
        return None
    try:
        return _encoder.encode(value).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return None


def fast_field_triple(salt: str, pointer: str, value: Any) -> bytes | None:
    """Return the RFC 8785 bytes of ``[salt, pointer, value]`` for a scalar ``value``, or None."""
    kind = type(value)
    if kind is str:
        scalar = _encode_string(value)
    elif value is None:
        scalar = "null"
    elif kind is bool:
        scalar = "true" if value else "false"
    elif kind is int and -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
        scalar = str(value)
    else:
        return None
    if type(salt) is not str or type(pointer) is not str:
        return None
    text = f"[{_encode_string(salt)},{_encode_string(pointer)},{scalar}]"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None
