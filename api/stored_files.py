"""Finding the PDF the issuer stored for a credential, for the school and wallet pages."""

from __future__ import annotations

import logging
from pathlib import Path

from issuer.retention import PURGED_PATH

__all__ = ["stored_pdf"]

logger = logging.getLogger(__name__)


def stored_pdf(pdf_path: str | None) -> Path | None:
    """Return the stored PDF file of a credential, or None when there is none.

    ``pdf_path`` comes from the credential row, which only the issuer writes: the
    pages, the API and the CLI, whose PDFs may lie outside the data folder (the CLI
    writes to ``--out``). Only an existing regular file named ``*.pdf`` is served.
    """
    if not pdf_path or pdf_path == PURGED_PATH:
        return None
    path = Path(pdf_path).resolve()
    if path.suffix.lower() != ".pdf" or not path.is_file():
        logger.info("stored PDF missing or not a PDF file")
        return None
    return path
