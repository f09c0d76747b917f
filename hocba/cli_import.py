"""`hocba school preview FILE [--type TYPE]`: check a class spreadsheet before anything is issued.

``--type`` takes a record type code or alias of ``issuer.record_types`` (thcs,
primary, thpt, gdtx, completion, competence); the default is the
lower-secondary transcript.

Every student row is listed with its status, Vietnamese first. The exit code is
0 when the file can be issued as it is, 1 when any row or the file has a
problem, and 2 when the file cannot be read at all.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hocba.errors import HocbaError
from issuer.importer import ImportPreview, ImportProblem
from issuer.record_types import DEFAULT_TYPE, RECORD_TYPES, preview_records, record_type

__all__ = ["TYPE_HELP", "preview_command"]

TYPE_HELP = ("loại văn bản / record type: " +
             ", ".join(f"{item.alias} ({item.code})" for item in RECORD_TYPES.values()))

console = Console(soft_wrap=True, emoji=False)
error_console = Console(stderr=True, soft_wrap=True, emoji=False)


def _problem_json(problem: ImportProblem) -> dict[str, object]:
    return {
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "code": problem.code,
        "messageVi": problem.message_vi,
        "messageEn": problem.message_en,
    }


def preview_json(preview: ImportPreview, type_code: str = DEFAULT_TYPE) -> dict[str, object]:
    """Return the preview as a JSON object with camelCase keys."""
    records = preview.records
    return {
        "file": preview.source,
        "recordType": type_code,
        "canIssue": preview.can_issue,
        "className": records.class_name if records else None,
        "schoolYear": records.school_year if records else None,
        "rows": [
            {"row": row.row, "name": row.name, "ok": row.ok,
             "problems": [_problem_json(problem) for problem in row.problems]}
            for row in preview.rows
        ],
        "fileProblems": [_problem_json(problem) for problem in preview.problems],
    }


def _print_preview(preview: ImportPreview) -> None:
    table = Table("Dòng / Row", "Họ và tên / Name", "Trạng thái / Status", "Cột / Column",
                  "Lý do / Reason", title=preview.source)
    for problem in preview.problems:
        table.add_row(str(problem.row or "—"), "", "[red]Lỗi / error[/red]", problem.column,
                      problem.message_vi)
    for row in preview.rows:
        if row.ok:
            table.add_row(str(row.row), row.name, "[green]OK[/green]", "", "")
            continue
        for index, problem in enumerate(row.problems):
            table.add_row(str(row.row) if index == 0 else "", row.name if index == 0 else "",
                          "[red]Lỗi / error[/red]" if index == 0 else "", problem.column,
                          problem.message_vi)
    console.print(table)
    failed = sum(not row.ok for row in preview.rows)
    if preview.can_issue and preview.records is not None:
        console.print(f"[green]Có thể cấp học bạ[/green] cho {len(preview.rows)} học sinh lớp "
                      f"{preview.records.class_name} / ready to issue {len(preview.rows)} "
                      "records.")
        return
    console.print(f"[red]Chưa thể cấp:[/red] {failed}/{len(preview.rows)} dòng có lỗi và "
                  f"{len(preview.problems)} lỗi chung của tệp / not ready: {failed} row(s) "
                  f"and {len(preview.problems)} file problem(s) to fix.")


def preview_command(
    file: Annotated[Path, typer.Argument(help="bảng điểm một lớp (.xlsx hoặc .csv) / one class",
                                         exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    type_name: Annotated[str, typer.Option("--type", help=TYPE_HELP)] = DEFAULT_TYPE,
) -> None:
    """Xem trước bảng điểm, không cấp gì / check a class file without issuing. Exit 0 if OK."""
    try:
        kind = record_type(type_name)
        preview = preview_records(kind, file.read_bytes(), file.name)
    except HocbaError as exc:
        error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
        error_console.print(f"[dim]Error ({exc.code}): {exc}[/dim]")
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(preview_json(preview, kind.code), ensure_ascii=False,
                                    indent=2) + "\n")
    else:
        _print_preview(preview)
    if not preview.can_issue:
        raise typer.Exit(1)
