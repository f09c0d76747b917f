"""The fast canonical path writes the rfc8785 library's bytes exactly, or steps aside."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from hocba.anchoring import field_digest
from hocba.errors import CredentialError
from hocba.fastjcs import fast_canonical, fast_field_triple, is_plain_json
from hocba.jcs import canonicalize, parse_json

# Every code point, lone surrogates and control characters included.
ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None)
ANY_TEXT = st.text(ANY_CHARACTER, max_size=12)
SAFE = 2**53 - 1
INTEGERS = st.one_of(st.integers(-SAFE, SAFE), st.integers(-(2**64), 2**64),
                     st.sampled_from([SAFE, -SAFE, SAFE + 1, -SAFE - 1, 0]))
SCALARS = st.one_of(st.none(), st.booleans(), INTEGERS, ANY_TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(ANY_TEXT, children, max_size=5)),
    max_leaves=25,
)
PLAIN_TEXT = st.text(st.characters(max_codepoint=0xD7FF), max_size=12)
PLAIN_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-SAFE, SAFE), PLAIN_TEXT),
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(PLAIN_TEXT, children, max_size=5)),
    max_leaves=25,
)


def _library(value: Any) -> bytes | None:
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError, ValueError):
        return None


@settings(max_examples=600, deadline=None)
@given(VALUES)
def test_fast_equals_library(value: Any) -> None:
    fast = fast_canonical(value)
    if fast is not None:
        assert fast == _library(value)


@settings(max_examples=400, deadline=None)
@given(PLAIN_VALUES)
def test_plain_values_take_fast_path(value: Any) -> None:
    assert fast_canonical(value) == rfc8785.dumps(value)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(st.sampled_from("a\ue000\uffff\U00010000\U0010ffff"), max_size=3),
                       st.integers(0, 9), max_size=6))
def test_utf16_key_order_respected(value: dict[str, int]) -> None:
    fast = fast_canonical(value)
    if fast is not None:
        assert fast == rfc8785.dumps(value)


def test_reordered_keys_use_library() -> None:
    value = {"\ue000": 1, "\U00010000": 2}
    assert fast_canonical(value) is None
    assert canonicalize(value) == rfc8785.dumps(value)


@settings(max_examples=600, deadline=None)
@given(ANY_TEXT, ANY_TEXT, SCALARS)
def test_field_triple_equals_library(salt: str, pointer: str, value: Any) -> None:
    fast = fast_field_triple(salt, pointer, value)
    if fast is not None:
        assert fast == _library([salt, pointer, value])


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=16, max_size=16), PLAIN_TEXT,
       st.one_of(st.none(), st.booleans(), st.integers(-SAFE, SAFE), PLAIN_TEXT))
def test_field_digest_unchanged(salt: bytes, pointer: str, value: Any) -> None:
    import hashlib

    encoded = base64.urlsafe_b64encode(salt).rstrip(b"=").decode("ascii")
    expected = hashlib.sha256(rfc8785.dumps([encoded, pointer, value])).digest()
    assert field_digest(salt, pointer, value) == expected


@pytest.mark.parametrize("value", [1.5, 2**53, [1, (2, 3)], {1: "a"}, "\ud800", object()])
def test_non_plain_rejected(value: Any) -> None:
    assert fast_canonical(value) is None


def test_bool_is_plain() -> None:
    assert is_plain_json([True, False, None])


def test_canonicalize_rejects_float() -> None:
    with pytest.raises(CredentialError):
        canonicalize({"score": 8.5})


def test_parse_rejects_escaped_surrogate() -> None:
    with pytest.raises(CredentialError):
        parse_json(b'{"name": "\\ud800"}')


def test_parse_rejects_str_surrogate() -> None:
    with pytest.raises(CredentialError):
        parse_json('{"name": "\ud800"}')


def test_parse_keeps_surrogate_pair() -> None:
    assert parse_json(b'{"name": "\\ud83d\\ude00"}') == {"name": "\U0001F600"}
