"""Verification links printed as QR codes, and their strict parsing.

A link has the form ``<origin>/v1/c/<uuid>?h=<binding>``. The binding is the
first 16 bytes of the credential digest in base64url without padding (22
characters), so a verifier can tell that the QR code and the embedded
credential belong together. A scanned link is untrusted input: the parser
accepts only an exact origin from an allow-list and the one path and query
shape above, and raises ``InputError`` with code ``qr_invalid`` otherwise.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from hocba.errors import InputError

__all__ = [
    "BINDING_BYTES",
    "MAX_QR_URL_BYTES",
    "QrLink",
    "binding_matches",
    "build_qr_url",
    "parse_qr_url",
]

logger = logging.getLogger(__name__)

MAX_QR_URL_BYTES = 512
BINDING_BYTES = 16
_BINDING_CHARS = 22
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PATH = re.compile(r"/v1/c/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
_QUERY = re.compile(r"h=([A-Za-z0-9_-]{22})")


@dataclass(frozen=True)
class QrLink:
    """A parsed verification link.

    ``origin`` is one of the allowed origins, ``credential_uuid`` the lowercase
    UUID of the credential (without ``urn:uuid:``) and ``binding`` the 16 bytes
    decoded from the ``h`` parameter.
    """

    origin: str
    credential_uuid: str
    binding: bytes

    @property
    def credential_id(self) -> str:
        """The credential id as written in the credential (``urn:uuid:…``)."""
        return f"urn:uuid:{self.credential_uuid}"


def _qr_error(message: str, message_vi: str) -> InputError:
    return InputError(message, code="qr_invalid", message_vi=message_vi)


def _normalize_origin(origin: str) -> str:
    """Check an origin (scheme, host, optional port, nothing else) and return it lowercased."""
    parts = urlsplit(origin.strip().rstrip("/"))
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or parts.path or parts.query or parts.fragment:
        raise InputError(
            f"invalid verifier origin {origin!r}: expected https://host[:port] with no path",
            message_vi=(
                f"Địa chỉ trang xác thực «{origin}» không hợp lệ: "
                "cần dạng https://tên-miền[:cổng], không có đường dẫn."
            ),
        )
    host = (parts.hostname or "").lower()
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if "@" in parts.netloc or not _HOST.fullmatch(host) or not port_ok:
        raise InputError(
            f"invalid verifier origin {origin!r}: bad host",
            message_vi=f"Tên miền của trang xác thực «{origin}» không hợp lệ.",
        )
    if scheme == "http" and host not in _LOCAL_HOSTS:
        raise InputError(
            f"invalid verifier origin {origin!r}: http is allowed only for 127.0.0.1 and localhost",
            message_vi=(
                f"Trang xác thực «{origin}» phải dùng https "
                "(http chỉ dùng cho máy cục bộ 127.0.0.1 hoặc localhost)."
            ),
        )
    return f"{scheme}://{parts.netloc.lower()}"


def _credential_uuid(credential_id: str) -> str:
    text = credential_id.removeprefix("urn:uuid:")
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise InputError(
            f"credential id {credential_id!r} is not urn:uuid:<uuid>",
            message_vi=f"Mã văn bản «{credential_id}» không có dạng urn:uuid:<UUID>.",
        ) from None


def build_qr_url(base_url: str, credential_id: str, credential_digest: bytes) -> str:
    """Build ``<base>/v1/c/<uuid>?h=<binding>`` for a credential.

    ``credential_id`` is ``urn:uuid:<uuid>`` (a bare UUID is accepted too) and
    ``credential_digest`` the 32-byte SHA-256 credential digest.
    """
    if len(credential_digest) != 32:
        raise InputError(
            f"credential digest must be 32 bytes, got {len(credential_digest)}",
            message_vi="Mã băm của văn bản phải dài 32 byte (SHA-256).",
        )
    origin = _normalize_origin(base_url)
    binding = base64.urlsafe_b64encode(credential_digest[:BINDING_BYTES]).rstrip(b"=").decode()
    url = f"{origin}/v1/c/{_credential_uuid(credential_id)}?h={binding}"
    if len(url) > MAX_QR_URL_BYTES:
        raise InputError(
            f"QR URL is {len(url)} bytes, longer than {MAX_QR_URL_BYTES}",
            message_vi=f"Liên kết QR dài {len(url)} byte, vượt quá {MAX_QR_URL_BYTES} byte.",
        )
    return url


def _decode_text(text: str | bytes) -> str:
    raw = text if isinstance(text, bytes) else text.encode("utf-8", errors="surrogatepass")
    if len(raw) > MAX_QR_URL_BYTES:
        raise _qr_error(
            f"QR content is {len(raw)} bytes, longer than {MAX_QR_URL_BYTES}",
            f"Nội dung mã QR dài {len(raw)} byte, vượt quá giới hạn {MAX_QR_URL_BYTES} byte.",
        )
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _qr_error(
            "QR content is not valid UTF-8",
            "Nội dung mã QR không phải văn bản UTF-8 hợp lệ.",
        ) from None
    if not decoded:
        raise _qr_error("QR content is empty", "Mã QR không chứa nội dung.")
    if not _PRINTABLE_ASCII.fullmatch(decoded):
        raise _qr_error(
            "QR link contains characters outside printable ASCII",
            "Liên kết trong mã QR chứa ký tự không được phép "
            "(dấu cách, ký tự điều khiển hoặc chữ ngoài bảng ASCII, có thể là chữ giả mạo).",
        )
    return decoded


def _check_scheme(url: str) -> str:
    scheme, sep, _ = url.partition(":")
    scheme = scheme.lower()
    if not sep:
        raise _qr_error(
            "QR content is not a link (no scheme)",
            "Nội dung mã QR không phải liên kết xác thực (thiếu «https://»).",
        )
    if scheme not in ("https", "http"):
        raise _qr_error(
            f"QR link scheme {scheme[:20]!r} is not https",
            f"Liên kết trong mã QR dùng giao thức «{scheme[:20]}»; chỉ chấp nhận https.",
        )
    return scheme


def _check_host(authority: str, scheme: str) -> None:
    """Reject userinfo, punycode, malformed hosts or ports, and http for a remote host."""
    if "@" in authority:
        raise _qr_error(
            "QR link contains userinfo before the host",
            "Liên kết trong mã QR chứa tên đăng nhập trước tên miền (dấu @), không được phép.",
        )

    host, _, port = authority.partition(":")
    if any(label.startswith("xn--") for label in host.split(".")):
        raise _qr_error(
            f"QR link host {host[:80]!r} is an internationalized (punycode) name",
            f"Tên miền «{host[:80]}» là tên miền quốc tế hóa (xn--), "
            "có thể giả mạo trang xác thực nên không được chấp nhận.",
        )
    if not _HOST.fullmatch(host) or not (port == "" or port.isdigit()):
        raise _qr_error(
            "QR link host is not a valid domain name",
            "Tên miền trong liên kết của mã QR không hợp lệ.",
        )

    if scheme == "http" and host not in _LOCAL_HOSTS:
        raise _qr_error(
            "QR link uses http for a host other than 127.0.0.1 or localhost",
            "Liên kết trong mã QR dùng http. Chỉ chấp nhận https "
            "(http chỉ dùng cho máy cục bộ 127.0.0.1 hoặc localhost).",
        )


def _check_origin(url: str, scheme: str, allowed: frozenset[str]) -> tuple[str, str]:
    """Return the link's origin and the rest of the URL (path and query) after it."""
    if not url[len(scheme) :].startswith("://"):
        raise _qr_error(
            "QR link has no //host after the scheme",
            "Liên kết trong mã QR thiếu tên miền sau «https://».",
        )
    authority, slash, rest = url[len(scheme) + 3 :].partition("/")
    authority = authority.lower()

    _check_host(authority, scheme)

    origin = f"{scheme}://{authority}"
    if origin not in allowed:
        raise _qr_error(
            f"QR link origin {origin[:100]!r} is not an allowed verifier",
            f"Liên kết trong mã QR trỏ tới «{origin[:100]}», "
            "không phải trang xác thực được phép. Không mở liên kết này.",
        )
    return origin, slash + rest


def _check_path_and_query(rest: str) -> tuple[str, bytes]:
    path, question, query = rest.partition("?")
    match = _PATH.fullmatch(path)
    if match is None:
        raise _qr_error(
            "QR link path is not /v1/c/<uuid>",
            "Đường dẫn trong mã QR phải có dạng /v1/c/<mã UUID viết thường>.",
        )
    query_match = _QUERY.fullmatch(query) if question else None
    if query_match is None:
        raise _qr_error(
            "QR link query must be exactly one h parameter of 22 base64url characters",
            "Phần truy vấn của liên kết phải là đúng một tham số h "
            f"gồm {_BINDING_CHARS} ký tự base64url, không có tham số khác.",
        )
    encoded = query_match.group(1)
    try:
        binding = base64.urlsafe_b64decode(encoded + "==")
    except (binascii.Error, ValueError):
        binding = b""
    if base64.urlsafe_b64encode(binding).rstrip(b"=").decode() != encoded:
        raise _qr_error(
            "QR link h parameter is not canonical base64url",
            "Tham số h trong liên kết không phải base64url hợp lệ.",
        )
    return match.group(1), binding


def parse_qr_url(text: str | bytes, allowed_origins: Iterable[str]) -> QrLink:
    """Parse a scanned verification link, accepting only the exact allowed shape.

    ``allowed_origins`` are ``https://host[:port]`` strings (``http`` only for
    127.0.0.1 and localhost). The link must use one of them exactly: no other
    port, no userinfo, no internationalized host, path ``/v1/c/<uuid>`` and
    the single query parameter ``h``. Raises ``InputError`` (``qr_invalid``).
    """
    allowed = frozenset(_normalize_origin(origin) for origin in allowed_origins)
    url = _decode_text(text)
    scheme = _check_scheme(url)
    origin, rest = _check_origin(url, scheme, allowed)
    credential_uuid, binding = _check_path_and_query(rest)
    logger.debug("parsed QR link for origin %s", origin)
    return QrLink(origin=origin, credential_uuid=credential_uuid, binding=binding)


def binding_matches(link: QrLink, digest: bytes) -> bool:
    """Tell whether the link's binding is the first 16 bytes of ``digest``."""
    if len(digest) < BINDING_BYTES:
        return False
    return hmac.compare_digest(link.binding, digest[:BINDING_BYTES])
