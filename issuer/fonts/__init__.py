"""Be Vietnam Pro fonts (SIL OFL 1.1) registered with reportlab.

The fonts bundled with reportlab lack most Vietnamese letters (ă, ơ, ư and
U+1EA0 to U+1EF9) and render them as boxes without raising an error, so every
text style in the transcript PDF uses these fonts instead.
"""

from __future__ import annotations

import logging
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

__all__ = [
    "FONT_BOLD",
    "FONT_ITALIC",
    "FONT_REGULAR",
    "FONT_SEMIBOLD",
    "register_fonts",
]

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent
FONT_REGULAR = "BeVietnamPro"
FONT_SEMIBOLD = "BeVietnamPro-SemiBold"
FONT_BOLD = "BeVietnamPro-Bold"
FONT_ITALIC = "BeVietnamPro-Italic"

_FILES = {
    FONT_REGULAR: "BeVietnamPro-Regular.ttf",
    FONT_SEMIBOLD: "BeVietnamPro-SemiBold.ttf",
    FONT_BOLD: "BeVietnamPro-Bold.ttf",
    FONT_ITALIC: "BeVietnamPro-Italic.ttf",
}


def register_fonts() -> None:
    """Register the four faces with reportlab once per process (later calls do nothing).

    The family mapping lets ``<b>`` and ``<i>`` in paragraphs pick the bold and
    italic faces.
    """
    registered = set(pdfmetrics.getRegisteredFontNames())
    if all(name in registered for name in _FILES):
        return

    for name, file_name in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file_name)))

    addMapping(FONT_REGULAR, 0, 0, FONT_REGULAR)
    addMapping(FONT_REGULAR, 1, 0, FONT_BOLD)
    addMapping(FONT_REGULAR, 0, 1, FONT_ITALIC)
    addMapping(FONT_REGULAR, 1, 1, FONT_BOLD)
    logger.debug("registered Be Vietnam Pro fonts from %s", FONT_DIR)
