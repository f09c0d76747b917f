"""Finding a credential's stored PDF for the school and wallet pages."""

from __future__ import annotations

from pathlib import Path

from api.stored_files import stored_pdf
from issuer.retention import PURGED_PATH


def test_pdf_outside_home_found(tmp_path: Path) -> None:
    pdf = tmp_path / "out" / "6A1" / "hocba.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.7\n")
    assert stored_pdf(str(pdf)) == pdf.resolve()


def test_no_path_none() -> None:
    assert stored_pdf(None) is None


def test_purged_none() -> None:
    assert stored_pdf(PURGED_PATH) is None


def test_missing_file_none(tmp_path: Path) -> None:
    assert stored_pdf(str(tmp_path / "gone.pdf")) is None


def test_not_pdf_none(tmp_path: Path) -> None:
    other = tmp_path / "key-passphrase"
    other.write_text("secret", encoding="utf-8")
    assert stored_pdf(str(other)) is None


def test_folder_none(tmp_path: Path) -> None:
    folder = tmp_path / "batch.pdf"
    folder.mkdir()
    assert stored_pdf(str(folder)) is None
