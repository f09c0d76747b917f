"""`hocba anchor --resume`: finish the batches an interrupted process left unanchored."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hocba.errors import HocbaError
from hocba.instance import Instance
from hocba.settings import load_settings

__all__ = ["anchor_command"]

logger = logging.getLogger(__name__)

console = Console(soft_wrap=True, emoji=False)
error_console = Console(stderr=True, soft_wrap=True, emoji=False)

_STATUS_VI = {
    "anchored": "đã ghi nhận / anchored",
    "sent": "đã gửi, chưa có biên nhận / sent, no receipt yet",
    "signed": "đã ký, chưa gửi được / signed, not sent yet",
    "pending": "đang chờ / pending",
    "failed": "bị từ chối / failed",
    "in_progress": "tiến trình khác đang xử lý / another process is anchoring it",
}


def anchor_command(
    resume: Annotated[bool, typer.Option("--resume", help="hoàn tất các lô còn dở / finish "
                                                          "unfinished batches")] = False,
    out: Annotated[Path, typer.Option("--out", help="thư mục PDF cho lô vừa hoàn tất / PDF "
                                                    "folder for finished batches")] = Path("out"),
    timeout: Annotated[float, typer.Option("--timeout", help="seconds to wait for each "
                                                             "receipt")] = 60.0,
    chain: Annotated[str | None, typer.Option("--chain", help="embedded, local, or a JSON-RPC "
                                                              "URL")] = None,
    home: Annotated[Path | None, typer.Option("--home", help="data folder")] = None,
) -> None:
    """Ghi nhận lô lên chuỗi khối / reconcile anchoring with the chain.

    With --resume, every batch left pending, signed or sent by a stopped process is
    resolved from the chain, and the PDFs that were not written are written to --out.
    Exit code 1 when a batch is still unfinished or failed.
    """
    from issuer.reconcile import resume_pending, write_missing_pdfs

    if not resume:
        error_console.print("Dùng `hocba anchor --resume` / use `hocba anchor --resume`.")
        raise typer.Exit(2)
    try:
        instance = Instance(load_settings(home), chain_choice=chain)
        results = resume_pending(instance, timeout=timeout)
        paths = write_missing_pdfs(instance.engine, out,
                                   verify_base_url=instance.settings.verify_base_url)
    except HocbaError as exc:
        error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
        error_console.print(f"[dim]Error ({exc.code}): {exc}[/dim]")
        raise typer.Exit(2) from exc

    table = Table("Lô / Batch", "Lớp / Class", "Trạng thái / Status", "Khối / Block",
                  "Giao dịch / Transaction")
    for result in results:
        table.add_row(str(result.batch_id), result.label,
                      _STATUS_VI.get(result.status, result.status),
                      str(result.block_number or ""), result.tx_hash or "")
    console.print(table if results else "Không có lô nào còn dở / no unfinished batch.")
    if paths:
        console.print(f"Đã ghi {len(paths)} PDF / wrote {len(paths)} PDFs → {out}")
    if any(result.status != "anchored" for result in results):
        raise typer.Exit(1)
