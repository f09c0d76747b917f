"""Building and strictly parsing the verification links printed as QR codes."""

from __future__ import annotations

import base64
import hashlib

import pytest

from hocba.errors import InputError
from hocba.qrlink import MAX_QR_URL_BYTES, binding_matches, build_qr_url, parse_qr_url

ORIGIN = "https://verify.hocba.vn"
UUID = "3f6c2a52-8d1e-4b7a-9c2f-0e5d7b1a4c90"
DIGEST = hashlib.sha256(b"credential").digest()
BINDING = base64.urlsafe_b64encode(DIGEST[:16]).rstrip(b"=").decode()
GOOD = f"{ORIGIN}/v1/c/{UUID}?h={BINDING}"


def _code(text: str | bytes, allowed: list[str] | None = None) -> str:
    with pytest.raises(InputError) as caught:
        parse_qr_url(text, allowed or [ORIGIN])
    assert caught.value.message_vi != str(caught.value)
    return caught.value.code


def test_build_format() -> None:
    assert build_qr_url(ORIGIN, f"urn:uuid:{UUID}", DIGEST) == GOOD


def test_build_trailing_slash() -> None:
    assert build_qr_url(ORIGIN + "/", f"urn:uuid:{UUID}", DIGEST) == GOOD


def test_build_length() -> None:
    assert len(GOOD) == 90


def test_binding_length() -> None:
    assert len(BINDING) == 22


def test_parse_round_trip() -> None:
    link = parse_qr_url(GOOD, [ORIGIN])
    assert link.origin == ORIGIN
    assert link.credential_uuid == UUID
    assert link.credential_id == f"urn:uuid:{UUID}"
    assert link.binding == DIGEST[:16]


def test_parse_bytes_input() -> None:
    assert parse_qr_url(GOOD.encode(), [ORIGIN]).credential_uuid == UUID


def test_binding_matches() -> None:
    assert binding_matches(parse_qr_url(GOOD, [ORIGIN]), DIGEST)


def test_binding_mismatch() -> None:
    other = hashlib.sha256(b"another credential").digest()
    assert not binding_matches(parse_qr_url(GOOD, [ORIGIN]), other)


def test_binding_short_digest() -> None:
    assert not binding_matches(parse_qr_url(GOOD, [ORIGIN]), DIGEST[:8])


@pytest.mark.parametrize(
    "origin", ["http://127.0.0.1:8000", "http://localhost:8080", "https://verify.hocba.vn:8443"]
)
def test_allowed_local_and_port(origin: str) -> None:
    url = build_qr_url(origin, UUID, DIGEST)
    assert parse_qr_url(url, [origin]).origin == origin


def test_host_case_insensitive() -> None:
    upper = GOOD.replace("verify.hocba.vn", "VERIFY.hocba.VN")
    assert parse_qr_url(upper, [ORIGIN]).origin == ORIGIN


def test_build_rejects_http_remote() -> None:
    with pytest.raises(InputError):
        build_qr_url("http://verify.hocba.vn", UUID, DIGEST)


def test_build_rejects_base_path() -> None:
    with pytest.raises(InputError):
        build_qr_url("https://verify.hocba.vn/app", UUID, DIGEST)


def test_build_rejects_short_digest() -> None:
    with pytest.raises(InputError):
        build_qr_url(ORIGIN, UUID, DIGEST[:16])


def test_build_rejects_bad_id() -> None:
    with pytest.raises(InputError):
        build_qr_url(ORIGIN, "urn:uuid:not-a-uuid", DIGEST)


REJECTED = {
    "javascript": f"javascript:alert(1)//{ORIGIN}/v1/c/{UUID}?h={BINDING}",
    "data": "data:text/html,<script>alert(1)</script>",
    "no_scheme": f"verify.hocba.vn/v1/c/{UUID}?h={BINDING}",
    "ftp": f"ftp://verify.hocba.vn/v1/c/{UUID}?h={BINDING}",
    "http_remote": GOOD.replace("https://", "http://"),
    "other_origin": GOOD.replace("verify.hocba.vn", "verify.example.org"),
    "suffix_domain": GOOD.replace("verify.hocba.vn", "verify.hocba.vn.evil.example"),
    "prefix_domain": GOOD.replace("verify.hocba.vn", "evil-verify.hocba.vn"),
    "punycode": GOOD.replace("verify.hocba.vn", "xn--verif-6ve.hocba.vn"),
    "cyrillic_e": GOOD.replace("verify", "v\u0435rify"),
    "fullwidth_dot": GOOD.replace("hocba.vn", "hocba\uff0evn"),
    "userinfo": GOOD.replace("https://", "https://verify.hocba.vn@"),
    "userinfo_evil": GOOD.replace("verify.hocba.vn", "verify.hocba.vn@evil.example"),
    "explicit_port": GOOD.replace("hocba.vn/", "hocba.vn:443/"),
    "other_port": GOOD.replace("hocba.vn/", "hocba.vn:8443/"),
    "extra_param": GOOD + "&x=1",
    "duplicate_h": GOOD + f"&h={BINDING}",
    "param_first": f"{ORIGIN}/v1/c/{UUID}?a=1&h={BINDING}",
    "fragment": GOOD + "#top",
    "no_query": f"{ORIGIN}/v1/c/{UUID}",
    "extra_path": f"{ORIGIN}/v1/c/{UUID}/x?h={BINDING}",
    "trailing_slash": f"{ORIGIN}/v1/c/{UUID}/?h={BINDING}",
    "dot_segment": f"{ORIGIN}/v1/x/../c/{UUID}?h={BINDING}",
    "encoded_path": f"{ORIGIN}/v1/c/{UUID.replace('-', '%2D')}?h={BINDING}",
    "backslash": f"https:\\\\verify.hocba.vn/v1/c/{UUID}?h={BINDING}",
    "bad_uuid": f"{ORIGIN}/v1/c/not-a-uuid?h={BINDING}",
    "short_uuid": f"{ORIGIN}/v1/c/{UUID[:-1]}?h={BINDING}",
    "upper_uuid": f"{ORIGIN}/v1/c/{UUID.upper()}?h={BINDING}",
    "h_21": f"{ORIGIN}/v1/c/{UUID}?h={BINDING[:-1]}",
    "h_23": f"{ORIGIN}/v1/c/{UUID}?h={BINDING}A",
    "h_padded": f"{ORIGIN}/v1/c/{UUID}?h={BINDING}==",
    "h_plus": f"{ORIGIN}/v1/c/{UUID}?h={BINDING[:-2]}+{BINDING[-1]}",
    "h_non_canonical": f"{ORIGIN}/v1/c/{UUID}?h={BINDING[:-1]}B",
    "leading_space": " " + GOOD,
    "newline": GOOD.replace("/v1/", "/v1\n/"),
    "script_in_host": GOOD.replace("verify.hocba.vn", "<script>"),
    "empty": "",
}


@pytest.mark.parametrize("text", REJECTED.values(), ids=REJECTED.keys())
def test_rejected(text: str) -> None:
    assert _code(text) == "qr_invalid"


def test_invalid_utf8_rejected() -> None:
    assert _code(GOOD.encode() + b"\xff\xfe") == "qr_invalid"


def test_lone_surrogate_rejected() -> None:
    assert _code(GOOD + "\udc80") == "qr_invalid"


def _long_origin(url_length: int) -> str:
    """An https origin whose link is exactly ``url_length`` bytes long."""
    host_length = url_length - len(f"https:///v1/c/{UUID}?h={BINDING}")
    labels, remaining = [], host_length
    while remaining > 63:
        labels.append("a" * 62)
        remaining -= 63
    labels.append("b" * remaining)
    return "https://" + ".".join(labels)


def test_size_limit_off_by_one() -> None:
    origin = _long_origin(MAX_QR_URL_BYTES)
    url = f"{origin}/v1/c/{UUID}?h={BINDING}"
    assert len(url.encode()) == MAX_QR_URL_BYTES
    assert parse_qr_url(url, [origin]).origin == origin
    longer = _long_origin(MAX_QR_URL_BYTES + 1)
    assert _code(f"{longer}/v1/c/{UUID}?h={BINDING}", [longer]) == "qr_invalid"


def test_oversized_rejected() -> None:
    assert _code(GOOD + "&" + "x" * 600) == "qr_invalid"


def test_allow_list_rejects_bad_origin() -> None:
    with pytest.raises(InputError):
        parse_qr_url(GOOD, ["http://verify.hocba.vn"])
