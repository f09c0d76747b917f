"""Shared steps of the record-type tests: anchor a prepared batch, write PDFs, verify them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pypdfium2

from hocba.status import Status
from issuer.issuance import PreparedBatch, SchoolSigner, anchor_batch, write_pdfs
from tests.network import Network
from verifier.engine import VerifierContext
from verifier.inputs import verify_bytes

__all__ = ["PNG_DIR", "anchor_and_render", "page_png", "page_text", "status_of_file"]

PNG_DIR = Path(__file__).resolve().parents[2] / "out" / "record-types"


def anchor_and_render(network: Network, signer: SchoolSigner, prepared: PreparedBatch,
                      out_dir: Path) -> list[Path]:
    """Anchor ``prepared`` on the network's chain and write one PDF per credential."""
    batch = anchor_batch(prepared, signer, registry=network.registry, engine=network.engine)
    return write_pdfs(batch, out_dir, verify_base_url="http://127.0.0.1:8000",
                      issued_on=date(2026, 5, 30))


def status_of_file(network: Network, path: Path) -> Status:
    context = VerifierContext(network.settings, chains={network.chain.chain_id: network.chain})
    return verify_bytes(path.read_bytes(), context, source=str(path)).status


def page_text(path: Path) -> str:
    document = pypdfium2.PdfDocument(path.read_bytes())
    try:
        page = document[0]
        return page.get_textpage().get_text_range()
    finally:
        document.close()


def page_png(path: Path, name: str) -> Path:
    """Render page 1 of ``path`` to ``out/record-types/<name>.png`` for a person to look at."""
    PNG_DIR.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(path.read_bytes())
    try:
        image = document[0].render(scale=1.5).to_pil()
    finally:
        document.close()
    target = PNG_DIR / f"{name}.png"
    image.save(target)
    return target
