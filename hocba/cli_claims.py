"""`hocba school claim-links`: print claim slips for the learners of one batch."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlmodel import Session, select

from hocba.errors import HocbaError, InputError
from hocba.settings import load_settings

__all__ = ["claim_links_command"]

logger = logging.getLogger(__name__)

console = Console(soft_wrap=True, emoji=False)
error_console = Console(stderr=True, soft_wrap=True, emoji=False)


def _make_slips(home: Path | None, batch: int, out: Path, created_by: str) -> int:
    from hocba.db import Batch, IssuerRecord, open_database
    from wallet.claim_slips import render_claim_slips
    from wallet.claims import create_claim_links

    settings = load_settings(home)
    engine = open_database(settings.database_url)
    with Session(engine) as db:
        row = db.get(Batch, batch)
        school = None if row is None else db.exec(select(IssuerRecord).where(
            IssuerRecord.account == row.issuer_account)).first()
    if row is None or school is None:
        raise InputError(f"batch {batch} not found", code="batch_not_found",
                         message_vi=f"Không tìm thấy lô số {batch}.")
    links = create_claim_links(engine, school_code=school.school_code, created_by=created_by,
                               batch_id=batch)
    base = settings.verify_base_url.rstrip("/")
    pdf = render_claim_slips([(link, f"{base}/claim/{link.token}") for link in links],
                             school.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    return len(links)


def claim_links_command(
    batch: Annotated[int, typer.Option("--batch", help="số lô / batch id")],
    out: Annotated[Path, typer.Option("--out", help="tệp PDF phiếu / slips PDF file")],
    created_by: Annotated[str, typer.Option("--created-by",
                                            help="người tạo / who makes the links")] = "cli",
    home: Annotated[Path | None, typer.Option("--home", help="data folder")] = None,
) -> None:
    """In phiếu nhận học bạ / print claim slips (one QR link per learner) for a batch.

    Each link works once and expires after HOCBA_CLAIM_LINK_DAYS days (default 30). A new
    slip for a learner replaces the older ones when it is claimed.
    """
    try:
        count = _make_slips(home, batch, out, created_by)
    except HocbaError as exc:
        error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
        error_console.print(f"[dim]Error ({exc.code}): {exc}[/dim]")
        raise typer.Exit(2) from exc
    console.print(f"Đã tạo {count} phiếu nhận học bạ vào {out} / wrote {count} claim slips "
                  f"to {out}")
