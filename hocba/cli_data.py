"""`hocba school purge`: delete learners' personal data kept by this instance."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hocba.errors import HocbaError
from hocba.settings import load_settings

__all__ = ["purge_command"]

logger = logging.getLogger(__name__)

console = Console(soft_wrap=True, emoji=False)
error_console = Console(stderr=True, soft_wrap=True, emoji=False)


def purge_command(
    older_than_days: Annotated[int | None, typer.Option(
        "--older-than-days",
        help="xóa dữ liệu của văn bản cấp quá N ngày / purge credentials issued more than N "
             "days ago (default: the personal_data_retention_days setting)")] = None,
    credential: Annotated[list[str] | None, typer.Option(
        "--credential", help="mã văn bản cần xóa dữ liệu (lặp lại được) / credential id to "
                             "purge (repeatable)")] = None,
    actor: Annotated[str, typer.Option("--actor", help="người thực hiện / who purges")] = "cli",
    home: Annotated[Path | None, typer.Option("--home", help="data folder")] = None,
) -> None:
    """Xóa dữ liệu cá nhân của học sinh / purge learners' personal data (off chain).

    The credential JSON and PDF path become tombstones, the PDF file and the leaf
    salts are deleted. Batch roots on chain and the audit log stay, so the PDF the
    student keeps still verifies. The ciphertext of expired or withdrawn share
    links is deleted too.
    """
    from hocba.db import open_database
    from issuer.retention import purge_credentials
    from wallet.shares import purge_closed_shares

    try:
        settings = load_settings(home)
        days = older_than_days
        if days is None and not credential:
            days = settings.personal_data_retention_days
        engine = open_database(settings.database_url)
        result = purge_credentials(engine, actor=actor,
                                   credential_ids=credential or (), older_than_days=days)
        shares_cleared = purge_closed_shares(engine)
    except HocbaError as exc:
        error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
        error_console.print(f"[dim]Error ({exc.code}): {exc}[/dim]")
        raise typer.Exit(2) from exc
    console.print(f"Đã xóa dữ liệu cá nhân của {len(result.purged)} văn bản, "
                  f"{result.files_deleted} tệp PDF / purged {len(result.purged)} credentials, "
                  f"deleted {result.files_deleted} PDF files")
    console.print(f"Đã xóa bản mã của {shares_cleared} liên kết chia sẻ đã hết hạn hoặc bị thu "
                  f"hồi / deleted the ciphertext of {shares_cleared} expired or withdrawn "
                  f"share links")
    if result.skipped:
        console.print(f"Bỏ qua {len(result.skipped)} văn bản đã xóa trước đó / skipped "
                      f"{len(result.skipped)} already purged")
