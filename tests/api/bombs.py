"""Small hand-built PDFs and images that expand far beyond their size when decoded.

Each builder returns bytes a few kilobytes to a few megabytes long, and none
keeps a bomb's expanded form in memory while building it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

__all__ = ["flate_zeros", "pdf_with_attachment", "pdf_with_page_content", "pdf_with_xref_stream",
           "png_header_only"]

_CHUNK = 1 << 20


def flate_zeros(size: int, *, byte: bytes = b"\0", layers: int = 1, prefix: bytes = b"") -> bytes:
    """Compress ``prefix`` and ``size`` repeats of ``byte`` with zlib, ``layers`` times over.

    ``size`` is rounded up to whole MiB. After a full flush the compressor forgets
    its window, so every further MiB of the same byte compresses to the same
    bytes: the stream is built by repeating them, then closed with the right
    Adler-32, which takes milliseconds instead of seconds per GiB.
    """
    blocks = max(1, -(-size // _CHUNK))
    block = byte * _CHUNK
    compressor = zlib.compressobj(9)
    first = compressor.compress(prefix + block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    closing = compressor.flush()[:-4]
    checksum = _adler32_of_repeats(byte[0], blocks * _CHUNK, zlib.adler32(prefix))
    data = first + repeated * (blocks - 1) + closing + checksum.to_bytes(4, "big")
    for _ in range(layers - 1):
        data = zlib.compress(data, 9)
    return data


def _adler32_of_repeats(value: int, count: int, start: int = 1) -> int:
    """Continue the Adler-32 (RFC 1950) ``start`` over ``count`` bytes equal to ``value``."""
    modulus = 65521
    low, high = start & 0xFFFF, start >> 16
    new_low = (low + count * value) % modulus
    new_high = (high + count * low + value * count * (count + 1) // 2) % modulus
    return (new_high << 16) | new_low


def _stream(dictionary: str, data: bytes) -> bytes:
    return (f"<< {dictionary} /Length {len(data)} >>\nstream\n").encode() + data + \
        b"\nendstream"


def _assemble(objects: Sequence[bytes]) -> bytes:
    """Join numbered objects (1..n, object 1 the catalog) with a classic xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            ).encode()
    return bytes(out)


def _page_objects(content: bytes, content_filter: str) -> list[bytes]:
    """Objects 2 (pages), 3 (page) and 4 (its content stream)."""
    filters = f"/Filter {content_filter}" if content_filter else ""
    return [
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(filters, content),
    ]


def pdf_with_attachment(data: bytes, filters: str, *, content: bytes = b"",
                        content_filter: str = "") -> bytes:
    """A one-page PDF whose only embedded file, ``credential.json``, is ``data``.

    ``filters`` is the PDF filter written for the attachment (e.g. ``/FlateDecode``
    or ``[/FlateDecode /FlateDecode]``); ``data`` must already be encoded with it.
    """
    attachment_filter = f"/Filter {filters}" if filters else ""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << "
        b"/Names [(credential.json) 5 0 R] >> >> >>",
        *_page_objects(content, content_filter),
        b"<< /Type /Filespec /F (credential.json) /UF (credential.json) /EF << /F 6 0 R >> >>",
        _stream(f"/Type /EmbeddedFile /Subtype /application#2Fjson {attachment_filter}", data),
    ]
    return _assemble(objects)


def pdf_with_page_content(content: bytes, content_filter: str, *,
                          attachment: bytes | None = None) -> bytes:
    """A one-page PDF whose page content stream is ``content`` (already encoded).

    With ``attachment``, the PDF also embeds it uncompressed as ``credential.json``.
    """
    if attachment is not None:
        return pdf_with_attachment(attachment, "", content=content, content_filter=content_filter)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", *_page_objects(content, content_filter)]
    return _assemble(objects)


def pdf_with_xref_stream(padding: int) -> bytes:
    """A PDF 1.5 file whose cross-reference stream inflates by ``padding`` zero bytes.

    The stream's entries are followed by ``padding`` zeros, which decode as free entries
    past ``/Size``: a reader that inflates the stream without a cap holds them all.
    """
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ], start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_offset = len(out)
    rows = struct.pack(">BIH", 0, 0, 65535)
    for offset in (*offsets, xref_offset):
        rows += struct.pack(">BIH", 1, offset, 0)
    encoded = flate_zeros(padding, prefix=rows)
    out += b"3 0 obj\n" + _stream(
        "/Type /XRef /Size 4 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode", encoded
    ) + b"\nendobj\n"
    out += f"startxref\n{xref_offset}\n%%EOF\n".encode()
    return bytes(out)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` grey pixels but carries one tiny data chunk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
