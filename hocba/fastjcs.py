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

``copy_plain_object``, ``canonical_members`` and ``join_members`` let a signer copy
and check a document in one walk and canonicalize each top-level member once, for
both the document and the document with its proof (tests/test_fastfields.py).
``nesting_depth`` is a faster form of the bracket-depth check of ``hocba.jcs``
(tests/test_nesting_depth.py).
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, cast

__all__ = ["canonical_members", "copy_plain_object", "fast_canonical", "fast_field_triple",
           "is_plain_json", "join_members", "nesting_depth"]

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


class _NotPlain(Exception):
    """Raised inside copy_plain_object when a value is not plain JSON."""


def _copy_plain(value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is int:
        if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
            return value
        raise _NotPlain
    if kind is dict:
        for key in value:
            if not _plain_key(key):
                raise _NotPlain
        # Most values are strings, so they skip the function call.
        return {key: item if type(item) is str else _copy_plain(item)
                for key, item in value.items()}
    if kind is list:
        return [item if type(item) is str else _copy_plain(item) for item in value]
    raise _NotPlain


def copy_plain_object(value: Any) -> dict[str, Any] | None:
    """Return a deep copy of a dict that passes ``is_plain_json``, or None for anything else.

    The copy is checked while it is made, so its canonical form needs no second walk.
    """
    if type(value) is not dict:
        return None
    try:
        return cast(dict[str, Any], _copy_plain(value))
    except (_NotPlain, RecursionError):
        return None


def canonical_members(plain: dict[str, Any]) -> dict[str, bytes] | None:
    """Return the RFC 8785 bytes of each member value of a plain JSON object, or None.

    ``plain`` must pass ``is_plain_json`` (for example a result of ``copy_plain_object``);
    None means a string contained a lone surrogate.
    """
    try:
        return {key: _encoder.encode(item).encode("utf-8") for key, item in plain.items()}
    except (UnicodeEncodeError, RecursionError):
        return None


def join_members(members: dict[str, bytes]) -> bytes | None:
    """Return the RFC 8785 bytes of the object whose members' canonical bytes are ``members``.

    The keys must satisfy the key rule of ``is_plain_json``, so that Python's sort
    order is the UTF-16 order RFC 8785 requires; None means a key contained a lone surrogate.
    """
    try:
        parts = [_encode_string(key).encode("utf-8") + b":" + members[key]
                 for key in sorted(members)]
    except UnicodeEncodeError:
        return None
    return b"{" + b",".join(parts) + b"}"


_STRING_LITERAL = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str, shallow: int = 64) -> int:
    """Return the deepest nesting of arrays and objects in ``text``, ignoring string contents.

    Like ``hocba.jcs._nesting_depth`` it returns 0 when the text contains at most
    ``shallow`` opening brackets. Text without a backslash and with an even number
    of quotes is split at its quotes, so every other piece is a string's content.
    Other text has its string literals removed by a regular expression first.
    """
    if text.count("[") + text.count("{") <= shallow:
        return 0
    if "\\" in text or text.count('"') % 2:
        outside = _STRING_LITERAL.sub("", text)
    else:
        outside = "".join(text.split('"')[0::2])
    brackets = _NOT_BRACKET.sub("", outside)
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets), initial=0))
