"""Strict JSON parsing and RFC 8785 (JCS) canonicalization.

Every hash in hocba is taken over the canonical form produced here. Parsing is
stricter than the standard library's ``json``. It rejects duplicate object keys,
numbers with a fraction or an exponent, NaN/Infinity, integers outside the IEEE 754
safe range, lone surrogates and invalid UTF-8 with ``CredentialError`` (code
``malformed``), because each of them lets two readers see different documents.
Decimal values such as scores are carried as strings (``"8.5"``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

import rfc8785

from hocba.errors import CredentialError
from hocba.fastjcs import fast_canonical, nesting_depth

__all__ = [
    "MAX_SAFE_INTEGER",
    "canonicalize",
    "parse_json",
    "sha256_canonical",
]

logger = logging.getLogger(__name__)

# Integers outside +-(2**53 - 1) cannot be represented exactly by an IEEE 754 double,
# so RFC 8785 (section 3.2.2.3) cannot serialize them without loss.
MAX_SAFE_INTEGER = 2**53 - 1

# Maximum digits in an integer literal that the parser converts; 2**53 - 1 has 16.
_MAX_INTEGER_DIGITS = 17

# json's C scanner recurses once per nesting level and can overflow the C stack
# (a crash, not a RecursionError) on inputs such as 100,000 "[", so depth is
# checked before parsing. Credentials nest about eight levels.
MAX_NESTING_DEPTH = 64
_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
# A JSON escape that may encode a surrogate (U+D800 to U+DFFF).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _malformed(message: str, message_vi: str) -> CredentialError:
    return CredentialError(message, code="malformed", message_vi=message_vi)


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _malformed(
                f"duplicate JSON object key {key!r}",
                f"Khóa JSON {key!r} xuất hiện hai lần trong cùng một đối tượng.",
            )
        result[key] = value
    return result


def _reject_float(literal: str) -> Any:
    raise _malformed(
        f"JSON number {literal!r} has a fraction or an exponent; only integers are allowed "
        "(write decimals such as scores as strings)",
        f"Số JSON {literal!r} có phần thập phân hoặc số mũ; chỉ chấp nhận số nguyên "
        "(điểm số phải ghi dưới dạng chuỗi).",
    )


def _reject_constant(literal: str) -> Any:
    raise _malformed(
        f"JSON constant {literal!r} is not allowed",
        f"Không chấp nhận hằng số JSON {literal!r}.",
    )


def _parse_integer(literal: str) -> int:
    # The length check runs before int() so a huge literal costs nothing to reject.
    digits = literal.lstrip("-")
    if len(digits) > _MAX_INTEGER_DIGITS or abs(int(literal)) > MAX_SAFE_INTEGER:
        raise _malformed(
            f"JSON integer {literal[:30]!r} is outside +-(2**53 - 1)",
            f"Số nguyên JSON {literal[:30]!r} vượt quá giới hạn ±(2^53 - 1).",
        )
    return int(literal)


def _check_string(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise _malformed(
            f"{where} contains a lone surrogate at offset {error.start}",
            f"{where} chứa ký tự thay thế (surrogate) đơn lẻ, không hợp lệ trong UTF-8.",
        ) from None


def _check_value(value: Any, path: str = "") -> None:
    """Reject anything that RFC 8785 cannot serialize exactly, naming where it is."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise _malformed(
                f"integer at {path or '/'} is outside +-(2**53 - 1)",
                f"Số nguyên tại {path or '/'} vượt quá giới hạn ±(2^53 - 1).",
            )
        return
    if isinstance(value, str):
        _check_string(value, f"string at {path or '/'}")
        return
    if isinstance(value, float):
        raise _malformed(
            f"float at {path or '/'} is not allowed; write decimals as strings",
            f"Giá trị số thực tại {path or '/'} không được phép; hãy ghi dưới dạng chuỗi.",
        )
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_value(item, f"{path}/{index}")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _malformed(
                    f"object key {key!r} at {path or '/'} is not a string",
                    f"Khóa {key!r} tại {path or '/'} không phải là chuỗi.",
                )
            _check_string(key, f"key at {path or '/'}")
            _check_value(item, f"{path}/{key}")
        return
    raise _malformed(
        f"value of type {type(value).__name__} at {path or '/'} is not JSON",
        f"Giá trị kiểu {type(value).__name__} tại {path or '/'} không phải JSON.",
    )


def _nesting_depth(text: str) -> int:
    """Return the deepest nesting of arrays and objects, ignoring brackets inside strings.

    The reference definition: ``parse_json`` uses the faster
    ``hocba.fastjcs.nesting_depth``, which tests/test_nesting_depth.py compares with it.
    """
    if text.count("[") + text.count("{") <= MAX_NESTING_DEPTH:
        return 0
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING_LITERAL.sub('""', text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse_json(data: bytes | str) -> Any:
    """Parse JSON text strictly; see the module docstring for what is rejected.

    Bytes must be UTF-8 without a byte order mark.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if raw.startswith(b"\xef\xbb\xbf"):
            raise _malformed(
                "JSON starts with a UTF-8 byte order mark; save it without BOM",
                "Tệp JSON bắt đầu bằng BOM UTF-8; hãy lưu lại không có BOM.",
            )
        try:
            text = raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as error:
            raise _malformed(
                f"JSON is not valid UTF-8 (byte offset {error.start})",
                f"Dữ liệu JSON không phải UTF-8 hợp lệ (vị trí byte {error.start}).",
            ) from None
    elif isinstance(data, str):
        text = data
    else:
        raise _malformed(
            f"JSON input must be bytes or str, not {type(data).__name__}",
            "Dữ liệu JSON phải là bytes hoặc chuỗi.",
        )

    if nesting_depth(text, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH:
        raise _malformed(
            f"JSON is nested too deeply (more than {MAX_NESTING_DEPTH} levels)",
            f"Dữ liệu JSON lồng nhau quá sâu (quá {MAX_NESTING_DEPTH} cấp).",
        )
    try:
        value = json.loads(
            text,
            object_pairs_hook=_reject_duplicate_keys,
            parse_float=_reject_float,
            parse_int=_parse_integer,
            parse_constant=_reject_constant,
        )
        # json.loads accepts escaped lone surrogates ("\ud800"), which have no UTF-8 form.
        # Text decoded strictly from UTF-8 holds none unless such an escape occurs, and
        # the hooks above already rejected floats, constants and unsafe integers.
        if isinstance(data, str) or _SURROGATE_ESCAPE.search(text):
            _check_value(value)
    except json.JSONDecodeError as error:
        raise _malformed(
            f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}",
            f"JSON không hợp lệ: lỗi tại dòng {error.lineno}, cột {error.colno}.",
        ) from None
    except RecursionError:
        raise _malformed(
            "JSON is nested too deeply",
            "Dữ liệu JSON lồng nhau quá sâu.",
        ) from None
    return value


def canonicalize(obj: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of ``obj`` via the ``rfc8785`` library.

    Floats raise ``CredentialError`` before the library is called. Its float output
    is correct, but hocba carries no floats, so a float here is a bug in the caller.
    Plain JSON values take the byte-identical C encoder path of ``hocba.fastjcs``.
    """
    fast = fast_canonical(obj)
    if fast is not None:
        return fast
    try:
        _check_value(obj)
    except RecursionError:
        raise _malformed("value is nested too deeply", "Dữ liệu lồng nhau quá sâu.") from None

    try:
        return rfc8785.dumps(obj)
    except rfc8785.CanonicalizationError as error:
        raise _malformed(
            f"value cannot be canonicalized: {error}",
            "Không thể chuẩn hóa dữ liệu theo RFC 8785.",
        ) from None


def sha256_canonical(obj: Any) -> bytes:
    """Return the SHA-256 digest (32 bytes) of the canonical form of ``obj``."""
    return hashlib.sha256(canonicalize(obj)).digest()
