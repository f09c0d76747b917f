"""`hocba school issue-all`: a whole school from class files to signed PDFs, resumable.

signers.toml lists the PDF signers in signing order (homeroom teacher, principal,
organisation); ``issuer.signer_file`` describes its format. Passphrases and PINs come
from environment variables, never from the command line.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hocba.errors import HocbaError, ImportRowsError, InputError
from hocba.instance import Instance
from hocba.settings import load_settings

__all__ = ["issue_all_command", "read_signers"]

logger = logging.getLogger(__name__)

console = Console(soft_wrap=True, emoji=False)
error_console = Console(stderr=True, soft_wrap=True, emoji=False)

STAGE_LABELS = {
    "import": "Nhập bảng điểm / import",
    "sign": "Ký học bạ / sign",
    "anchor": "Ghi nhận lên chuỗi / anchor",
    "pdf": "Xuất PDF có chữ ký / signed PDFs",
}


class _RichStages:
    """One rich progress bar per stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def start(self, stage: str, total: int) -> None:
        self.tasks[stage] = self.progress.add_task(STAGE_LABELS[stage], total=total)

    def advance(self, stage: str, amount: int = 1) -> None:
        self.progress.advance(self.tasks[stage], amount)


def read_signers(path: Path) -> tuple[list[Any], str | None]:
    """Read signers.toml with ``issuer.signer_file.read_signers``, loading pyHanko only now."""
    from issuer.signer_file import read_signers as read_signer_specs

    return read_signer_specs(path)


def _class_files(sources: list[Path]) -> list[Path]:
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files.extend(sorted(path for path in source.iterdir()
                                if path.suffix.lower() in (".csv", ".xlsx")))
        else:
            files.append(source)
    if not files:
        raise InputError("no class file (.csv or .xlsx) found", code="no_class_files",
                         message_vi="Không tìm thấy tệp bảng điểm lớp (.csv hoặc .xlsx) nào.")
    return files


def issue_all_command(
    sources: Annotated[list[Path], typer.Argument(
        help="thư mục hoặc tệp CSV các lớp / class CSV files or folders", exists=True,
        metavar="DIR_OR_FILES...")],
    school: Annotated[str, typer.Option("--school", help="mã trường / school code")],
    sign: Annotated[Path | None, typer.Option(
        "--sign", help="signers.toml: người ký PDF / PDF signers", exists=True,
        dir_okay=False)] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="số tiến trình / worker processes (default: CPU count)")]
    = None,
    out: Annotated[Path, typer.Option("--out", help="thư mục PDF / PDF folder")] = Path("out"),
    timeout: Annotated[float, typer.Option("--timeout", help="seconds to wait for each "
                                                             "receipt")] = 120.0,
    chain: Annotated[str | None, typer.Option("--chain", help="embedded, local, or a JSON-RPC "
                                                              "URL")] = None,
    home: Annotated[Path | None, typer.Option("--home", help="data folder")] = None,
) -> None:
    """Cấp học bạ cả trường, chạy lại được khi bị ngắt / issue every class, resumable."""
    try:
        _issue_all(sources, school, sign, workers or os.cpu_count() or 1, out, timeout,
                   chain, home)
    except ImportRowsError as exc:
        error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
        for problem in exc.problems[:20]:
            error_console.print(f"  dòng / row {problem.row}, {problem.column}: "
                                f"{problem.message_vi}")
        raise typer.Exit(2) from exc
    except HocbaError as exc:
        error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
        error_console.print(f"[dim]Error ({exc.code}): {exc}[/dim]")
        raise typer.Exit(2) from exc


def _issue_all(sources: list[Path], school: str, sign: Path | None, workers: int, out: Path,
               timeout: float, chain: str | None, home: Path | None) -> None:
    from issuer.accreditation import load_school_signer
    from issuer.bulk import issue_all
    from issuer.curriculum import load_curriculum
    from issuer.importer import read_class_file

    specs, location = read_signers(sign) if sign is not None else ([], None)
    files = _class_files(sources)
    instance = Instance(load_settings(home), chain_choice=chain)
    signer = load_school_signer(instance.keys, instance.engine, school)
    curriculum = load_curriculum()

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as progress:
        stages = _RichStages(progress)
        stages.start("import", len(files))
        classes = []
        for path in files:
            classes.append(read_class_file(path, curriculum))
            stages.advance("import")
        result = issue_all(classes, signer, registry=instance.registry, engine=instance.engine,
                           out_dir=out, verify_base_url=instance.settings.verify_base_url,
                           specs=specs, location=location, workers=workers, progress=stages,
                           timeout=timeout)

    students = sum(len(item.students) for item in classes)
    console.print(f"Nhập / imported: {len(classes)} lớp / classes, {students} học sinh / "
                  "students")
    console.print(f"Ký / signed: {result.credentials_signed} học bạ / credentials; ghi nhận / "
                  f"anchored: {result.batches_anchored} lô / batches; bỏ qua / skipped "
                  f"{result.classes_skipped} lớp đã cấp / classes already issued")
    console.print(f"PDF: đã ghi / written {result.pdfs_written}, đã có / already there "
                  f"{result.pdfs_skipped} → {out}")
