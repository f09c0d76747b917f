"""Read a transcript PDF: the embedded credential, the QR link and the page text.

A PDF given to the verifier is untrusted. The file size is capped before
parsing and pypdf parses in strict mode. The embedded credential is inflated
here with a byte cap instead of through pypdf, so a small compressed stream
that expands to gigabytes is rejected once the output passes the cap. Before
page 1 is rendered, every stream it reaches is inflated with a shared byte cap,
and pdfium renders a copy of page 1 written by pypdf, so the renderer parses the
streams that were checked.
"""

from __future__ import annotations

import io
import logging
import unicodedata
import zlib
from typing import Any

import pypdfium2
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.filters import ASCII85Decode, ASCIIHexDecode
from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

from hocba.errors import InputError
from verifier.qr import decode_qr_picture

__all__ = [
    "ATTACHMENT_NAME",
    "DEFAULT_MAX_ATTACHMENT_BYTES",
    "DEFAULT_MAX_PDF_BYTES",
    "extract_credential",
    "extract_qr_url",
    "visible_text",
]

logger = logging.getLogger(__name__)

ATTACHMENT_NAME = "credential.json"
DEFAULT_MAX_PDF_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
_MAX_NAME_TREE_DEPTH = 8
_MAX_EMBEDDED_FILES = 64
_MAX_QR_IMAGE_PIXELS = 16_000_000
_RENDER_DPI = 200
_MAX_RENDER_PIXELS = 12_000_000
_INFLATE_CHUNK = 64 * 1024
# Decoded bytes of all streams page 1 reaches (content, fonts, forms, images) that the
# renderer may inflate. A generated transcript page needs about 1 MB.
MAX_RENDER_STREAM_BYTES = 32 * 1024 * 1024
_MAX_RESOURCE_DEPTH = 12
# Image codecs, whose output is bounded by the image's /Width and /Height.
_IMAGE_FILTERS = {"/DCTDecode", "/DCT", "/JPXDecode", "/CCITTFaxDecode", "/CCF", "/JBIG2Decode"}
# Everything pypdf or the PDF structure can raise on a malformed file.
_PARSE_ERRORS = (PyPdfError, KeyError, TypeError, ValueError, AttributeError, RecursionError)


def _invalid(message: str, message_vi: str) -> InputError:
    return InputError(message, code="pdf_invalid", message_vi=message_vi)


def _open_pdf(pdf_bytes: bytes, max_pdf_bytes: int) -> PdfReader:
    if len(pdf_bytes) > max_pdf_bytes:
        raise InputError(
            f"PDF is {len(pdf_bytes)} bytes, more than {max_pdf_bytes}",
            code="pdf_too_large",
            message_vi=(
                f"Tệp PDF dài {len(pdf_bytes)} byte, vượt quá giới hạn {max_pdf_bytes} byte."
            ),
        )
    if not pdf_bytes.startswith(b"%PDF-"):
        raise _invalid("the file does not start with %PDF-", "Tệp không phải tài liệu PDF.")
    try:
        reader = PdfReader(io.BytesIO(pdf_bytes), strict=True)
        encrypted = reader.is_encrypted
    except _PARSE_ERRORS as error:
        logger.debug("PDF rejected by the parser: %s", type(error).__name__)
        raise _invalid("the PDF cannot be parsed", "Tệp PDF bị hỏng hoặc sai cấu trúc.") from None
    if encrypted:
        raise _invalid("encrypted PDFs are not accepted", "Không nhận tệp PDF có mật khẩu.")
    return reader


def _name_tree_files(node: Any, depth: int, found: list[tuple[str, DictionaryObject]]) -> None:
    """Collect (name, file specification) pairs from an embedded-files name tree."""
    node = node.get_object()
    if depth > _MAX_NAME_TREE_DEPTH or not isinstance(node, DictionaryObject):
        raise _invalid("malformed embedded-files tree", "Danh sách tệp đính kèm trong PDF bị hỏng.")
    names = node.get("/Names")
    if names is not None:
        names = names.get_object()
        if not isinstance(names, ArrayObject) or len(names) % 2:
            raise _invalid("malformed embedded-files names", "Danh sách tệp đính kèm bị hỏng.")
        for index in range(0, len(names), 2):
            found.append((str(names[index].get_object()), names[index + 1].get_object()))
    for kid in (node.get("/Kids") or ArrayObject()).get_object():
        _name_tree_files(kid, depth + 1, found)
    if len(found) > _MAX_EMBEDDED_FILES:
        raise _many(len(found))


def _annotation_files(reader: PdfReader) -> list[tuple[str, DictionaryObject]]:
    """Collect files attached to pages through FileAttachment annotations."""
    found: list[tuple[str, DictionaryObject]] = []
    for page in reader.pages:
        for annotation in (page.get("/Annots") or ArrayObject()).get_object():
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                spec = annotation["/FS"].get_object()
                found.append((str(spec.get("/UF") or spec.get("/F") or ""), spec))
    return found


def _many(count: int) -> InputError:
    return InputError(
        f"PDF has {count} embedded files; exactly one ({ATTACHMENT_NAME}) is expected",
        code="pdf_many_credentials",
        message_vi=(
            f"Tệp PDF có {count} tệp đính kèm; học bạ số hợp lệ chỉ có đúng một tệp "
            f"{ATTACHMENT_NAME}. Hãy dùng bản PDF gốc do nhà trường cấp."
        ),
    )


def _no_credential(detail: str) -> InputError:
    return InputError(
        f"PDF contains no embedded {ATTACHMENT_NAME}: {detail}",
        code="pdf_no_credential",
        message_vi=(
            f"Tệp PDF không chứa dữ liệu học bạ số đính kèm ({ATTACHMENT_NAME}). "
            "Hãy dùng bản PDF gốc do nhà trường cấp, hoặc tải lên tệp JSON."
        ),
    )


def _attachment_too_large(limit: int) -> InputError:
    return InputError(
        f"embedded {ATTACHMENT_NAME} is larger than {limit} bytes",
        code="pdf_too_large",
        message_vi=f"Tệp {ATTACHMENT_NAME} đính kèm lớn hơn giới hạn {limit} byte.",
    )


def _inflate_capped(data: bytes, limit: int) -> bytes:
    """Inflate zlib data, stopping as soon as the output would exceed ``limit`` bytes."""
    inflater = zlib.decompressobj()
    output = bytearray()
    try:
        for start in range(0, len(data), _INFLATE_CHUNK):
            pending = data[start : start + _INFLATE_CHUNK]
            while pending and not inflater.eof:
                output += inflater.decompress(pending, limit + 1 - len(output))
                if len(output) > limit:
                    raise _attachment_too_large(limit)
                pending = inflater.unconsumed_tail
        output += inflater.flush(limit + 1 - len(output))
    except zlib.error:
        raise _invalid("corrupt compressed attachment", "Tệp đính kèm bị hỏng.") from None
    if len(output) > limit:
        raise _attachment_too_large(limit)
    if not inflater.eof:
        raise _invalid("truncated compressed attachment", "Tệp đính kèm bị cắt cụt.")
    return bytes(output)


def _stream_bytes(stream: StreamObject, limit: int) -> bytes:
    declared = stream.get("/Filter")
    declared = ArrayObject() if declared is None else declared.get_object()
    filters = list(declared) if isinstance(declared, ArrayObject) else [declared]
    # NOTE: pypdf 7.1 has no public accessor for a stream's encoded bytes. Its
    # get_data() inflates up to 75 MB (its default limit) before any cap here applies.
    raw = stream._data
    if not filters:
        if len(raw) > limit:
            raise _attachment_too_large(limit)
        return bytes(raw)
    if [str(name) for name in filters] != ["/FlateDecode"] or stream.get("/DecodeParms"):
        raise _invalid(
            f"unsupported attachment filters {[str(name) for name in filters]}",
            "Tệp đính kèm dùng kiểu nén không được hỗ trợ.",
        )
    return _inflate_capped(raw, limit)


def extract_credential(
    pdf_bytes: bytes,
    *,
    max_pdf_bytes: int = DEFAULT_MAX_PDF_BYTES,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
) -> bytes:
    """Return the bytes of the single embedded ``credential.json``, exactly as embedded.

    Raises ``InputError`` with code ``pdf_too_large``, ``pdf_invalid``,
    ``pdf_no_credential`` or ``pdf_many_credentials``.
    """
    reader = _open_pdf(pdf_bytes, max_pdf_bytes)
    try:
        files: list[tuple[str, DictionaryObject]] = []
        names = reader.trailer["/Root"].get_object().get("/Names")
        tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
        if tree is not None:
            _name_tree_files(tree, 0, files)
        files += _annotation_files(reader)
        if not files:
            raise _no_credential("no embedded file")
        if len(files) > 1:
            raise _many(len(files))

        name, spec = files[0]
        if name != ATTACHMENT_NAME:
            raise _no_credential(f"the only embedded file is not named {ATTACHMENT_NAME}")
        embedded = spec["/EF"].get_object()
        stream = (embedded.get("/F") or embedded.get("/UF")).get_object()
        if not isinstance(stream, StreamObject):
            raise _no_credential("the file specification has no stream")
        subtype = stream.get("/Subtype")
        if subtype is not None and str(subtype) != "/application/json":
            raise _no_credential(f"embedded file has MIME type {str(subtype)[:60]}")
        data = _stream_bytes(stream, max_attachment_bytes)
    except InputError:
        raise
    except _PARSE_ERRORS as error:
        logger.debug("embedded file lookup failed: %s", type(error).__name__)
        raise _invalid(
            "the PDF's embedded files cannot be read",
            "Không đọc được tệp đính kèm trong PDF (cấu trúc bị hỏng).",
        ) from None

    if not data.lstrip().startswith(b"{"):
        raise _no_credential("the embedded file is not a JSON object")
    logger.debug("extracted embedded credential (%d bytes)", len(data))
    return data


def _qr_from_image_objects(reader: PdfReader) -> str | None:
    page = reader.pages[0]
    resources = page.get("/Resources")
    objects = resources.get_object().get("/XObject") if resources is not None else None
    if objects is None:
        return None
    for key, reference in objects.get_object().items():
        image = reference.get_object()
        if image.get("/Subtype") != "/Image":
            continue
        width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
        if not 0 < width * height <= _MAX_QR_IMAGE_PIXELS:
            continue
        picture = page.images[str(key)].image
        texts = decode_qr_picture(picture) if picture is not None else []
        if texts:
            return texts[0]
    return None


def _page_too_large() -> InputError:
    return InputError(
        f"page 1 expands to more than {MAX_RENDER_STREAM_BYTES} bytes when decoded",
        code="pdf_too_large",
        message_vi=(
            f"Trang 1 của tệp PDF giải nén ra hơn {MAX_RENDER_STREAM_BYTES} byte: "
            "tệp có thể là một bom giải nén. Hãy dùng bản PDF gốc do nhà trường cấp."
        ),
    )


def _inflated_size(data: bytes, limit: int) -> int:
    """Count the bytes zlib ``data`` inflates to, raising once they pass ``limit``."""
    inflater = zlib.decompressobj()
    size = 0
    pending = data
    try:
        while pending and not inflater.eof:
            size += len(inflater.decompress(pending, _INFLATE_CHUNK))
            if size > limit:
                raise _page_too_large()
            pending = inflater.unconsumed_tail
        size += len(inflater.flush())
    except zlib.error:
        raise _invalid("corrupt compressed stream on page 1",
                       "Trang 1 của tệp PDF có luồng nén bị hỏng.") from None
    if size > limit:
        raise _page_too_large()
    return size


def _decoded_size(stream: StreamObject, limit: int) -> int:
    """Return the decoded size of ``stream`` (at most ``limit``), keeping only what it must.

    Flate layers before the last filter are inflated with the cap, and the last Flate
    layer is only counted. ASCII85 and ASCIIHex shrink their input. Image codecs must
    come last, on an image whose /Width x /Height is within the render pixel cap.
    """
    declared = stream.get("/Filter")
    declared = ArrayObject() if declared is None else declared.get_object()
    names = [str(name) for name in (declared if isinstance(declared, ArrayObject) else [declared])]
    data = bytes(stream._data)
    for position, name in enumerate(names):
        last = position == len(names) - 1
        if name in ("/FlateDecode", "/Fl"):
            if last:
                return _inflated_size(data, limit)
            data = _inflate_capped_page(data, limit)
        elif name in ("/ASCII85Decode", "/A85"):
            data = ASCII85Decode.decode(data)
        elif name in ("/ASCIIHexDecode", "/AHx"):
            data = ASCIIHexDecode.decode(data)
        elif name in _IMAGE_FILTERS and last:
            width, height = int(stream.get("/Width", 0)), int(stream.get("/Height", 0))
            if width * height > _MAX_RENDER_PIXELS:
                raise _page_too_large()
        else:
            raise _invalid(f"unsupported filters {names[:4]} on page 1",
                           "Trang 1 của tệp PDF dùng kiểu nén không được hỗ trợ.")
    if len(data) > limit:
        raise _page_too_large()
    return len(data)


def _inflate_capped_page(data: bytes, limit: int) -> bytes:
    try:
        return _inflate_capped(data, limit)
    except InputError as error:
        if error.code == "pdf_too_large":
            raise _page_too_large() from None
        raise


def _check_render_budget(reader: PdfReader) -> None:
    """Raise ``pdf_too_large`` when the streams page 1 reaches decode to too many bytes."""
    remaining = MAX_RENDER_STREAM_BYTES
    seen: set[tuple[int, int]] = set()
    pending: list[tuple[Any, int]] = [(reader.pages[0], 0)]
    while pending:
        node, depth = pending.pop()
        if depth > _MAX_RESOURCE_DEPTH:
            raise _invalid("page 1 resources are nested too deeply",
                           "Tài nguyên của trang 1 lồng nhau quá sâu.")
        reference = getattr(node, "indirect_reference", None)
        if reference is not None:
            key = (reference.idnum, reference.generation)
            if key in seen:
                continue
            seen.add(key)
        node = node.get_object()
        if isinstance(node, StreamObject):
            remaining -= _decoded_size(node, remaining)
        if isinstance(node, DictionaryObject):
            children = [value for name, value in node.items() if name != "/Parent"]
        elif isinstance(node, ArrayObject):
            children = list(node)
        else:
            continue
        pending.extend((child, depth + 1) for child in children)


def _page_one_copy(reader: PdfReader) -> bytes:
    """Write page 1 alone with pypdf, so pdfium parses the objects pypdf checked."""
    writer = PdfWriter()
    writer.add_page(reader.pages[0])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _qr_from_rendering(pdf_bytes: bytes) -> str | None:
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        page = document[0]
        width, height = page.get_size()
        scale = _RENDER_DPI / 72
        pixels = width * height * scale * scale
        if pixels > _MAX_RENDER_PIXELS:
            scale *= (_MAX_RENDER_PIXELS / pixels) ** 0.5
        picture = page.render(scale=scale, grayscale=True).to_pil()
        texts = decode_qr_picture(picture)
    finally:
        document.close()
    return texts[0] if texts else None


def extract_qr_url(pdf_bytes: bytes, *, max_pdf_bytes: int = DEFAULT_MAX_PDF_BYTES) -> str | None:
    """Decode the QR code on page 1 and return its text, or ``None`` when there is none.

    The image objects on the page are tried first. When none decodes (a QR code
    drawn as vectors, for example), page 1 is rendered at 200 dpi with pypdfium2.
    The text is not checked here, so pass it to ``hocba.qrlink.parse_qr_url``.
    """
    reader = _open_pdf(pdf_bytes, max_pdf_bytes)
    try:
        if len(reader.pages) == 0:
            return None
        found = _qr_from_image_objects(reader)
    except _PARSE_ERRORS as error:
        logger.debug("image objects unreadable, rendering instead: %s", type(error).__name__)
        found = None
    if found is not None:
        return found

    try:
        _check_render_budget(reader)
        page_one = _page_one_copy(reader)
    except InputError:
        raise
    except _PARSE_ERRORS as error:
        logger.debug("page 1 cannot be checked before rendering: %s", type(error).__name__)
        raise _invalid("page 1 cannot be read", "Không đọc được trang 1 của tệp PDF.") from None
    try:
        return _qr_from_rendering(page_one)
    except pypdfium2.PdfiumError:
        raise _invalid(
            "page 1 cannot be rendered", "Không hiển thị được trang 1 của tệp PDF."
        ) from None


def visible_text(pdf_bytes: bytes, *, max_pdf_bytes: int = DEFAULT_MAX_PDF_BYTES) -> str:
    """Return the text layer of page 1 in NFC (empty when the PDF has no pages)."""
    reader = _open_pdf(pdf_bytes, max_pdf_bytes)
    try:
        if len(reader.pages) == 0:
            return ""
        text = reader.pages[0].extract_text()
    except _PARSE_ERRORS:
        raise _invalid("page 1 text cannot be read", "Không đọc được chữ trên trang 1.") from None
    return unicodedata.normalize("NFC", text)
