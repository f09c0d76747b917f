"""Strict parsing and RFC 8785 canonicalization (hocba.jcs)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hocba.errors import CredentialError
from hocba.jcs import MAX_SAFE_INTEGER, canonicalize, parse_json, sha256_canonical

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


def _code(excinfo: pytest.ExceptionInfo[CredentialError]) -> str:
    return excinfo.value.code


@given(json_values)
def test_canon_parse_round_trip(value):
    canonical = canonicalize(value)
    assert canonicalize(parse_json(canonical)) == canonical


@given(json_values)
def test_parse_of_canon_equals_value(value):
    assert parse_json(canonicalize(value)) == value


@given(st.text(max_size=8), json_scalars, json_scalars)
def test_duplicate_keys_rejected(key, first, second):
    text = "{" + json.dumps(key) + ":" + json.dumps(first) + "," + json.dumps(key) + ":"
    text += json.dumps(second) + "}"
    with pytest.raises(CredentialError) as excinfo:
        parse_json(text)
    assert _code(excinfo) == "malformed"


def test_nested_duplicate_key_rejected():
    with pytest.raises(CredentialError, match="duplicate JSON object key 'a'"):
        parse_json(b'{"x": [{"a": 1, "a": 1}]}')


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_literal_rejected(number):
    with pytest.raises(CredentialError) as excinfo:
        parse_json(json.dumps({"score": number}))  # repr of a float always has "." or "e"
    assert _code(excinfo) == "malformed"


@pytest.mark.parametrize("literal", ["8.5", "10.0", "1e3", "1E-2", "-0.0", "2.0e0"])
def test_decimal_literal_rejected(literal):
    with pytest.raises(CredentialError, match="fraction or an exponent"):
        parse_json(f'{{"score": {literal}}}')


@given(st.floats())
def test_float_value_not_canonicalized(number):
    with pytest.raises(CredentialError) as excinfo:
        canonicalize({"score": number})
    assert _code(excinfo) == "malformed"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_rejected(literal):
    with pytest.raises(CredentialError, match="constant"):
        parse_json(f"[{literal}]")


@pytest.mark.parametrize("literal", [str(MAX_SAFE_INTEGER + 1), "-9007199254740992", "1" * 5000])
def test_unsafe_integer_rejected(literal):
    with pytest.raises(CredentialError, match="outside"):
        parse_json(f"[{literal}]")


def test_max_safe_integer_accepted():
    assert parse_json(f"[{MAX_SAFE_INTEGER}]") == [MAX_SAFE_INTEGER]


@pytest.mark.parametrize(
    "data",
    [b'{"name": "Nguy\xe1\xbb"}', b'["\xc0\xaf"]', b'["\xed\xa0\x80"]', b'["\xff"]'],
)
def test_invalid_utf8_rejected(data):
    with pytest.raises(CredentialError, match="not valid UTF-8"):
        parse_json(data)


def test_bom_rejected():
    with pytest.raises(CredentialError, match="byte order mark"):
        parse_json(b'\xef\xbb\xbf{"a": 1}')


def test_escaped_lone_surrogate_rejected():
    with pytest.raises(CredentialError, match="surrogate"):
        parse_json('{"name": "\\ud800"}')


def test_escaped_surrogate_pair_accepted():
    assert parse_json('["\\ud83d\\ude00"]') == ["\U0001f600"]


@pytest.mark.parametrize("data", ["", "{", "[1,]", "{'a': 1}", "[1] [2]"])
def test_syntax_error_rejected(data):
    with pytest.raises(CredentialError, match="invalid JSON"):
        parse_json(data)


def test_deep_nesting_rejected():
    with pytest.raises(CredentialError, match="nested too deeply"):
        parse_json("[" * 100_000 + "]" * 100_000)


def test_non_string_key_not_canonicalized():
    with pytest.raises(CredentialError, match="not a string"):
        canonicalize({1: "a"})


def test_key_order_uses_utf16_units():
    # U+1F600 is the surrogate pair D83D DE00 in UTF-16, so it sorts before U+FB01
    # although its code point is larger (RFC 8785 section 3.2.3).
    canonical = canonicalize({"\ufb01": 2, "\U0001f600": 1})
    assert canonical == '{"\U0001f600":1,"\ufb01":2}'.encode()


def test_rfc8785_escapes():
    assert canonicalize(['\u0001\n"\\/\u007f']) == b'["\\u0001\\n\\"\\\\/\x7f"]'


def test_nfc_and_nfd_digests_differ():
    # Intake normalizes every text to NFC before signing, so issued credentials are NFC.
    # The hash covers the bytes as issued: an NFD copy is a different document.
    nfc = unicodedata.normalize("NFC", "Nguyễn")
    nfd = unicodedata.normalize("NFD", "Nguyễn")
    assert nfc != nfd
    assert sha256_canonical({"name": nfc}) != sha256_canonical({"name": nfd})


def test_nfd_survives_parse_unchanged():
    nfd = unicodedata.normalize("NFD", "Nguyễn")
    parsed = parse_json(json.dumps({"name": nfd}, ensure_ascii=False).encode())
    assert parsed["name"] == nfd


def test_lookalike_d_digests_differ():
    vietnamese = "\u0110\u1ed7 V\u0103n A"  # Đỗ Văn A, U+0110 LATIN CAPITAL LETTER D WITH STROKE
    icelandic = "\u00d0\u1ed7 V\u0103n A"  # Ðỗ Văn A, U+00D0 LATIN CAPITAL LETTER ETH
    assert sha256_canonical({"name": vietnamese}) != sha256_canonical({"name": icelandic})


def test_lookalike_d_not_merged_by_nfc():
    assert unicodedata.normalize("NFC", "\u00d0") == "\u00d0"


def test_depth_limit_boundary():
    from hocba.jcs import MAX_NESTING_DEPTH

    assert parse_json("[" * MAX_NESTING_DEPTH + "]" * MAX_NESTING_DEPTH) is not None
    with pytest.raises(CredentialError, match="nested too deeply"):
        parse_json("[" * (MAX_NESTING_DEPTH + 1) + "]" * (MAX_NESTING_DEPTH + 1))


def test_brackets_inside_strings_not_counted():
    text = '["' + "[" * 500 + '"]'
    assert parse_json(text) == ["[" * 500]
