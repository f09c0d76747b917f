"""QR images given to the verifier: clean, photo-like, oversized and broken."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
import qrcode
from PIL import Image, ImageFilter
from qrcode.constants import ERROR_CORRECT_M

from hocba.errors import InputError
from verifier.qr import decode_qr_image


def _qr_picture(text: str, box_size: int = 8) -> Image.Image:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image().get_image().convert("L")


def _encode(picture: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` but carries almost no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(
        b"IEND", b""
    )


def _code(image_bytes: bytes, **limits: int) -> str:
    with pytest.raises(InputError) as caught:
        decode_qr_image(image_bytes, **limits)
    assert caught.value.message_vi != str(caught.value)
    return caught.value.code


def test_clean_png_decodes(qr_url: str) -> None:
    assert decode_qr_image(_encode(_qr_picture(qr_url), "PNG")) == [qr_url]


def test_photo_like_jpeg_decodes(qr_url: str) -> None:
    # A phone photo: the code off-centre on a grey desk, turned 5 degrees,
    # slightly out of focus and saved as a low-quality JPEG.
    code = _qr_picture(qr_url, box_size=6)
    photo = Image.new("L", (code.width + 260, code.height + 200), 170)
    photo.paste(code, (150, 80))
    photo = photo.rotate(5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=170)
    photo = photo.filter(ImageFilter.GaussianBlur(1.4))
    photo = photo.convert("RGB")
    assert decode_qr_image(_encode(photo, "JPEG", quality=35)) == [qr_url]


def test_two_codes_both_returned(qr_url: str) -> None:
    first, second = _qr_picture(qr_url), _qr_picture("https://verify.hocba.vn/other")
    sheet = Image.new("L", (first.width + second.width + 40, max(first.height, second.height)), 255)
    sheet.paste(first, (0, 0))
    sheet.paste(second, (first.width + 40, 0))
    assert sorted(decode_qr_image(_encode(sheet, "PNG"))) == sorted(
        [qr_url, "https://verify.hocba.vn/other"]
    )


@pytest.mark.parametrize("size", [(100_000, 100_000), (8_000, 6_000)])
def test_giant_dimensions_rejected_fast(size: tuple[int, int]) -> None:
    started = time.perf_counter()
    assert _code(_png_header_only(*size)) == "image_too_large"
    assert time.perf_counter() - started < 0.5


def test_pixel_limit_off_by_one(qr_url: str) -> None:
    picture = _qr_picture(qr_url)
    data = _encode(picture, "PNG")
    pixels = picture.width * picture.height
    assert decode_qr_image(data, max_pixels=pixels) == [qr_url]
    assert _code(data, max_pixels=pixels - 1) == "image_too_large"


def test_byte_limit_off_by_one(qr_url: str) -> None:
    data = _encode(_qr_picture(qr_url), "PNG")
    assert decode_qr_image(data, max_bytes=len(data)) == [qr_url]
    assert _code(data, max_bytes=len(data) - 1) == "image_too_large"


def test_not_an_image() -> None:
    assert _code(b"%PDF-1.7 this is not an image") == "image_invalid"


def test_truncated_png(qr_url: str) -> None:
    data = _encode(_qr_picture(qr_url), "PNG")
    assert _code(data[: len(data) // 2]) == "image_invalid"


def test_tiff_not_accepted(qr_url: str) -> None:
    assert _code(_encode(_qr_picture(qr_url), "TIFF")) == "image_invalid"


def test_blank_image_no_qr() -> None:
    assert _code(_encode(Image.new("L", (400, 300), 255), "PNG")) == "qr_not_found"
