"""The fast bracket-depth check returns what the strict parser's own check returns."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hocba.fastjcs import nesting_depth
from hocba.jcs import _nesting_depth

FIXTURE = Path(__file__).parent / "fixtures" / "transcript_credential.json"

# Short texts over the characters that matter, so brackets, quotes and escapes mix.
JSONISH = st.text(st.sampled_from('[]{}"\\ax,:'), max_size=200)


@settings(max_examples=600, deadline=None)
@given(JSONISH)
def test_random_text_matches(text: str) -> None:
    # 65 empty arrays first, so both checks get past their shortcut for shallow texts.
    padded = "[]" * 65 + text
    assert nesting_depth(padded) == _nesting_depth(padded)


@settings(max_examples=200, deadline=None)
@given(JSONISH)
def test_shallow_shortcut_matches(text: str) -> None:
    assert nesting_depth(text) == _nesting_depth(text)


def test_credential_depth():
    text = json.dumps(json.loads(FIXTURE.read_text(encoding="utf-8")), indent=2)
    assert nesting_depth(text) == _nesting_depth(text)


def test_deep_array_depth():
    assert nesting_depth("[" * 100_000) == 100_000


def test_brackets_in_strings_ignored():
    text = '["' + "[" * 100 + '"]' + ",{}" * 70
    assert nesting_depth(text) == 1


def test_escaped_quote_handled():
    text = '["\\"' + "[" * 100 + '"]' + ",{}" * 70
    assert nesting_depth(text) == 1
