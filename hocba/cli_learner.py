"""`hocba learner history` and `hocba school backfill`: a learner's records, past years.

``history`` lists every record this instance issued for one learner id, oldest
first. ``backfill`` issues a class of a past school year from an archived
spreadsheet under the school name the registry had for that year (see
issuer.backfill for the rules).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hocba.errors import HocbaError, ImportRowsError
from hocba.instance import Instance
from hocba.settings import load_settings

if TYPE_CHECKING:
    from issuer.learner import LearnerRecord

__all__ = ["backfill_command", "learner_app"]

logger = logging.getLogger(__name__)

console = Console(soft_wrap=True, emoji=False)
error_console = Console(stderr=True, soft_wrap=True, emoji=False)

learner_app = typer.Typer(help="Hồ sơ học tập của một học sinh / one learner's records.",
                          no_args_is_help=True)

_STATUS_VI = {
    "active": "còn hiệu lực",
    "pending": "chưa ghi nhận",
    "revoked": "đã thu hồi",
    "suspended": "tạm đình chỉ",
    "purged": "đã xoá dữ liệu",
}
_TERM_VI = {"hk1": "HK I", "hk2": "HK II", "cn": "Cả năm"}
_TYPE_VI = {
    "ext:YearTranscript": "Học bạ",
    "ext:CompletionConfirmation": "Xác nhận hoàn thành THCS",
    "Certificate": "Chứng nhận năng lực số",
}

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="data folder (default: $HOCBA_HOME or ./.hocba)"),
]


def _fail(exc: HocbaError) -> typer.Exit:
    error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
    if isinstance(exc, ImportRowsError):
        for problem in exc.problems:
            error_console.print(f"  dòng {problem.row}, cột {problem.column!r}: "
                                f"{problem.message_vi}", markup=False)
    error_console.print(f"[dim]Error ({exc.code}): {exc}[/dim]")
    return typer.Exit(2)


def _note(record: LearnerRecord) -> str:
    notes = []
    if record.transfer is not None:
        day = "/".join(reversed(record.transfer.date.split("-")))
        verb = "chuyển đi" if record.transfer.direction == "out" else "chuyển đến"
        notes.append(f"{verb} {day} ({record.transfer.other_school})")
    if record.backfilled:
        notes.append("nhập bổ sung")
    return "; ".join(notes)


@learner_app.command("history")
def history_command(
    student_id: Annotated[str, typer.Option("--student-id", help="mã học sinh 10 chữ số / "
                                                                 "10-digit learner id")],
    school: Annotated[str | None, typer.Option("--school", help="chỉ hồ sơ của một trường "
                                                                "(mã trường) / only one "
                                                                "school's records")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="in JSON / print JSON")] = False,
    home: HomeOption = None,
) -> None:
    """Liệt kê mọi hồ sơ đã cấp cho một học sinh / list a learner's records, oldest first."""
    from issuer.learner import learner_records

    instance = Instance(load_settings(home))
    try:
        records = learner_records(instance.engine, student_id, school_code=school)
    except HocbaError as exc:
        raise _fail(exc) from exc
    if as_json:
        print(json.dumps([asdict(record) for record in records], ensure_ascii=False,
                         indent=2, default=str))
        return
    if not records:
        console.print(f"Không có hồ sơ nào cho mã học sinh {student_id.strip()} / no records.")
        return
    for record in records:
        parts = [f"Năm học {record.school_year}", f"lớp {record.class_name}",
                 f"{record.school_name} ({record.school_code})",
                 _TYPE_VI.get(record.record_type, record.record_type),
                 ", ".join(_TERM_VI[term] for term in record.terms),
                 _STATUS_VI.get(record.status, record.status)]
        note = _note(record)
        if note:
            parts.append(note)
        console.print(" · ".join(parts), markup=False)
        console.print(f"    {record.credential_id}", markup=False)
    console.print(f"{len(records)} hồ sơ / records")


def backfill_command(
    sheet: Annotated[Path, typer.Argument(help="bảng điểm lưu trữ một lớp (.xlsx hoặc .csv) / "
                                               "one archived class (.xlsx or .csv)")],
    school: Annotated[str, typer.Option("--school", help="mã trường / school code")],
    out: Annotated[Path, typer.Option("--out", help="thư mục PDF / PDF folder")] = Path("out"),
    chain: Annotated[str | None, typer.Option("--chain", help="embedded, local, or a JSON-RPC "
                                                              "URL")] = None,
    home: HomeOption = None,
) -> None:
    """Nhập bổ sung học bạ năm học đã qua / issue a past school year from an archive."""
    from issuer.accreditation import load_school_signer
    from issuer.backfill import backfill_builder, plan_backfill
    from issuer.curriculum import load_curriculum
    from issuer.importer import read_class_file
    from issuer.issuance import anchor_batch, prepare_batch, write_pdfs

    instance = Instance(load_settings(home), chain_choice=chain)
    try:
        curriculum = load_curriculum()
        class_records = read_class_file(sheet, curriculum)
        signer = load_school_signer(instance.keys, instance.engine, school)
        plan = plan_backfill(instance.registry, signer.account.address,
                             class_records.school_year)
        prepared = prepare_batch(class_records, signer,
                                 builder=backfill_builder(plan, curriculum=curriculum))
        batch = anchor_batch(prepared, signer, registry=instance.registry,
                             engine=instance.engine)
        folder = out / f"{class_records.class_name}-{class_records.school_year}"
        paths = write_pdfs(batch, folder, verify_base_url=instance.settings.verify_base_url,
                           issued_on=plan.backfill_date, engine=instance.engine)
    except HocbaError as exc:
        raise _fail(exc) from exc
    console.print(f"Lô / batch {batch.batch_id}: {len(paths)} học bạ lớp "
                  f"{class_records.class_name} năm học {class_records.school_year}, tên trường "
                  f"“{plan.issuer_name}” → {folder}")
