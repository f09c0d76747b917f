"""Decode QR codes from uploaded images (photos, scans, screenshots).

An uploaded image is untrusted. Its byte size and its pixel dimensions (read
from the header, before any pixel is decoded) are checked against limits,
and only common raster formats are opened.
"""

from __future__ import annotations

import io
import logging
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

from hocba.errors import InputError

__all__ = [
    "ALLOWED_IMAGE_FORMATS",
    "DEFAULT_MAX_IMAGE_BYTES",
    "DEFAULT_MAX_IMAGE_PIXELS",
    "decode_qr_image",
    "decode_qr_picture",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024
ALLOWED_IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")


def _vi_number(value: int) -> str:
    """Format an integer the Vietnamese way, with dots between thousands."""
    return f"{value:,}".replace(",", ".")


def _too_large(message: str, message_vi: str) -> InputError:
    return InputError(message, code="image_too_large", message_vi=message_vi)


def _invalid_image() -> InputError:
    return InputError(
        "the file is not a readable PNG, JPEG, WebP, GIF or BMP image",
        code="image_invalid",
        message_vi="Tệp không phải ảnh PNG, JPEG, WebP, GIF hoặc BMP đọc được.",
    )


def _open_checked(image_bytes: bytes, max_pixels: int) -> Image.Image:
    """Open the image lazily and check its dimensions before its pixels are decoded."""
    try:
        # Pillow's own bomb check runs inside open() and only warns below twice its
        # global limit. The filter turns that warning into an error we can catch.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(image_bytes), formats=ALLOWED_IMAGE_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(
            "image dimensions exceed the decoder's pixel limit",
            "Ảnh có kích thước điểm ảnh quá lớn.",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _invalid_image() from None

    width, height = picture.size
    if width <= 0 or height <= 0:
        raise _invalid_image()
    if width * height > max_pixels:
        raise _too_large(
            f"image is {width}x{height} pixels, more than {max_pixels}",
            f"Ảnh có kích thước {width} x {height} điểm ảnh, vượt quá giới hạn "
            f"{_vi_number(max_pixels)} điểm ảnh. Hãy chụp hoặc quét lại với độ phân giải thấp hơn.",
        )
    return picture


def decode_qr_picture(picture: Image.Image) -> list[str]:
    """Decode every QR code in an already opened, size-checked Pillow image."""
    grey = picture if picture.mode == "L" else picture.convert("L")
    found = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found if barcode.valid]


def decode_qr_image(
    image_bytes: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
    max_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
) -> list[str]:
    """Decode the QR codes in an image file and return their texts.

    Raises ``InputError`` with code ``image_too_large`` (bytes or pixels over
    the limits), ``image_invalid`` (not a readable image) or ``qr_not_found``.
    """
    if len(image_bytes) > max_bytes:
        raise _too_large(
            f"image is {len(image_bytes)} bytes, more than {max_bytes}",
            f"Tệp ảnh dài {_vi_number(len(image_bytes))} byte, "
            f"vượt quá giới hạn {_vi_number(max_bytes)} byte.",
        )

    picture = _open_checked(image_bytes, max_pixels)
    try:
        picture.load()
    except (OSError, SyntaxError, ValueError):
        raise _invalid_image() from None

    texts = decode_qr_picture(picture)
    if not texts:
        raise InputError(
            "no QR code found in the image",
            code="qr_not_found",
            message_vi=(
                "Không tìm thấy mã QR trong ảnh. Hãy chụp lại rõ nét, "
                "đủ sáng và để mã QR nằm trọn trong khung hình."
            ),
        )
    logger.debug("decoded %d QR code(s) from a %dx%d image", len(texts), *picture.size)
    return texts
