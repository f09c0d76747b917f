"""Text encoding checks for imported spreadsheets.

A CSV must be UTF-8, with or without a byte order mark, and any other file is
rejected. ``guess_legacy_encoding`` names the likely encoding in that error:
Windows-1258 (the Vietnamese Windows code page, which writes tone marks as
combining characters) or CP1252 (Western European). Mojibake is UTF-8
text that was once read as CP1252 and saved again, so that "Nguyễn" became
"Nguyá»…n"; ``find_mojibake`` detects it in one cell.
"""

from __future__ import annotations

import logging
import unicodedata

__all__ = ["decode_utf8", "find_mojibake", "guess_legacy_encoding"]

logger = logging.getLogger(__name__)

# Windows-1258 bytes that are combining tone marks (grave, hook above, tilde,
# acute, dot below). Vietnamese text in that code page uses them in most words.
_CP1258_TONE_BYTES = frozenset(b"\xcc\xd2\xde\xec\xf2")
# Windows-1258 vowels that carry tone marks: a e i o u y, their capitals, and
# â ê ô ă ơ ư with their capitals.
_CP1258_VOWEL_BYTES = frozenset(b"aeiouyAEIOUY\xe2\xea\xf4\xe3\xf5\xfd\xc2\xca\xd4\xc3\xd5\xdd")


def decode_utf8(data: bytes) -> tuple[str, int | None]:
    """Decode ``data`` as UTF-8, dropping a byte order mark.

    Return the text and None, or an empty text and the byte offset of the first
    invalid byte.
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return "", exc.start


def guess_legacy_encoding(data: bytes) -> str:
    """Return ``Windows-1258`` or ``Windows-1252``, whichever more likely wrote ``data``.

    The guess only names the encoding in an error message. In Windows-1258 the
    tone-mark bytes follow vowels: the "ễ" of "Nguyễn" is the byte for ê, then a
    combining tilde. The same bytes in CP1252 are the letters ì, ò, Ì, Ò and Þ,
    which in Vietnamese words follow consonants (Hòa, Tìm). The encoding whose reading explains more
    pairs wins; a tie gives Windows-1252.
    """
    after_vowel = 0
    after_consonant = 0
    for index in range(1, len(data)):
        if data[index] not in _CP1258_TONE_BYTES:
            continue
        previous = data[index - 1]
        if previous in _CP1258_VOWEL_BYTES:
            after_vowel += 1
        elif chr(previous).isalpha():
            after_consonant += 1
    return "Windows-1258" if after_vowel > after_consonant else "Windows-1252"


def _cp1252_byte(char: str) -> int | None:
    code = ord(char)
    if code < 0x80 or 0xA0 <= code < 0x100:
        return code
    # C1 controls stand for the five bytes CP1252 leaves undefined (0x81, 0x8D,
    # 0x8F, 0x90, 0x9D), which some programs pass through unchanged.
    if 0x80 <= code < 0xA0:
        return code
    try:
        return char.encode("cp1252")[0]
    except UnicodeEncodeError:
        return None


def find_mojibake(text: str) -> str | None:
    """Return the repaired text when ``text`` is UTF-8 misread as CP1252, else None.

    Only text whose every character has a CP1252 byte, whose bytes form valid
    UTF-8 and whose repair contains a non-ASCII letter counts. Ordinary
    Vietnamese contains letters such as ă, đ, ơ or ư or tone marks outside CP1252
    and is therefore never flagged.
    """
    if text.isascii():
        return None
    raw = bytearray()
    for char in text:
        byte = _cp1252_byte(char)
        if byte is None:
            return None
        raw.append(byte)
    try:
        repaired = bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if repaired == text or repaired.isascii():
        return None
    return unicodedata.normalize("NFC", repaired)
