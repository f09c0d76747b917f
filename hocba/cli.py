"""The `hocba` command: one sub-command group per role.

Every command turns hocba errors into a one-line reason (Vietnamese first, the
English beside it) and a non-zero exit code. The work itself lives in the packages.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hocba.cli_accounts import create_user_command
from hocba.cli_accreditation import register_accreditation_commands
from hocba.cli_anchor import anchor_command
from hocba.cli_bulk import issue_all_command
from hocba.cli_claims import claim_links_command
from hocba.cli_data import purge_command
from hocba.cli_import import TYPE_HELP, preview_command
from hocba.cli_learner import backfill_command, learner_app
from hocba.cli_wallet import wallet_app
from hocba.errors import HocbaError, ImportRowsError
from hocba.instance import Instance
from hocba.settings import load_settings

__all__ = ["app"]

app = typer.Typer(
    name="hocba",
    help="hocba: học bạ số có chữ ký và ghi nhận trên chuỗi khối / signed, anchored "
         "learning records.",
    no_args_is_help=True,
    add_completion=False,
)
chain_app = typer.Typer(help="Nút chuỗi khối cục bộ / the local chain node.", no_args_is_help=True)
admin_app = typer.Typer(help="Sở GD&ĐT và đơn vị công nhận / Department and accreditors.",
                        no_args_is_help=True)
school_app = typer.Typer(help="Nhà trường: cấp và thu hồi / schools: issue and revoke.",
                         no_args_is_help=True)
app.add_typer(chain_app, name="chain")
app.add_typer(admin_app, name="admin")
app.add_typer(school_app, name="school")
app.add_typer(wallet_app, name="wallet")
app.add_typer(learner_app, name="learner")
app.command("anchor")(anchor_command)
admin_app.command("create-user")(create_user_command)
register_accreditation_commands(admin_app)
school_app.command("preview")(preview_command)
school_app.command("issue-all")(issue_all_command)
school_app.command("purge")(purge_command)
school_app.command("backfill")(backfill_command)
school_app.command("claim-links")(claim_links_command)

# soft_wrap keeps each message on one line when the output is piped or grepped.
console = Console(soft_wrap=True, emoji=False)
error_console = Console(stderr=True, soft_wrap=True, emoji=False)

ChainOption = Annotated[
    str | None,
    typer.Option("--chain", help="embedded, local, or a JSON-RPC URL (default: settings, then "
                                 "the local node)"),
]
HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="data folder (default: $HOCBA_HOME or ./.hocba)"),
]
LangOption = Annotated[str, typer.Option("--lang", help="vi or en")]


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print a hocba error as one line in both languages and exit with code 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ImportRowsError as exc:
            _print_import_problems(exc)
            raise typer.Exit(2) from exc
        except HocbaError as exc:
            error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
            error_console.print(f"[dim]Error ({exc.code}): {exc}[/dim]")
            raise typer.Exit(2) from exc

    return wrapper


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log progress")] = False
         ) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


# Demo ---------------------------------------------------------------------


@app.command()
@reports_errors
def demo(
    chain: Annotated[str, typer.Option("--chain", help="embedded or local")] = "embedded",
    out: Annotated[Path, typer.Option("--out", help="output folder")] = Path("out/demo"),
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    home: HomeOption = None,
) -> None:
    """Chạy toàn bộ quy trình mẫu / run the whole issue-anchor-verify demo."""
    from scripts.demo import print_summary, run_demo

    summary = run_demo(chain=chain, out_dir=out, home=home,
                       progress=None if as_json else console)
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    else:
        print_summary(summary, console)
    if not summary["expectedOutcomesMet"]:
        raise typer.Exit(1)


# Verification -------------------------------------------------------------


@app.command()
@reports_errors
def verify(
    files: Annotated[list[Path], typer.Argument(
        help="PDF, credential JSON or QR image files", exists=True, dir_okay=False,
        metavar="FILE...")],
    lang: LangOption = "vi",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    chain: ChainOption = None,
    home: HomeOption = None,
) -> None:
    """Xác thực học bạ / verify learning records. Exit code 0 only when every file is valid."""
    from verifier.inputs import verify_path

    instance = Instance(load_settings(home), chain_choice=chain)
    context = instance.verifier_context()

    results = [
        verify_path(path, context, lookup=instance.lookup_credential,
                    allowed_origins=[instance.settings.verify_base_url])
        for path in files
    ]
    if as_json:
        payload = [result.to_json() for result in results]
        sys.stdout.write(json.dumps(payload if len(payload) > 1 else payload[0],
                                    ensure_ascii=False, indent=2) + "\n")
    else:
        for result in results:
            _print_result(result, lang)
        if len(results) > 1:
            valid = sum(result.valid for result in results)
            console.print(f"{valid}/{len(results)} hợp lệ" if lang == "vi"
                          else f"{valid}/{len(results)} valid")
    if not all(result.valid for result in results):
        raise typer.Exit(1)


def _print_result(result: Any, lang: str) -> None:
    colour = "green" if result.valid else "red"
    console.print(f"[bold]{result.source}[/bold]: [{colour}]{result.status.label(lang)}"
                  f"[/{colour}] ({result.status.value})")
    if result.issuer:
        label = "Đơn vị cấp (theo sổ đăng ký)" if lang == "vi" else "Issuer (from the registry)"
        console.print(f"  {label}: {result.issuer['name']} — {result.issuer['schoolCode']}")
    subject = result.subject or {}
    if result.valid and subject:
        label = "Học sinh" if lang == "vi" else "Student"
        birth = _display_date(subject.get("birthDate"))
        console.print(f"  {label}: {subject.get('name', '')} ({birth}), "
                      f"{subject.get('className', '')} {subject.get('schoolYear', '')}")
    for check in result.checks:
        mark = "[green]✓[/green]" if check.passed else "[red]✗[/red]"
        console.print(f"  {mark} {check.message(lang)}")
    if result.block is not None:
        console.print("  " + (f"Theo trạng thái chuỗi khối tại khối {result.block}." if lang == "vi"
                              else f"As of block {result.block}."))


@app.command()
@reports_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port to listen on")] = 8000,
    chain: ChainOption = None,
    home: HomeOption = None,
) -> None:
    """Chạy dịch vụ xác thực và các trang web / run the verification service and the pages.

    HOCBA_MAX_UPLOAD_BYTES caps a request body (default 20 MiB) and
    HOCBA_RATE_LIMIT_PER_MINUTE the requests per client (default 120, 0 for none).
    QR codes and claim slips link to the verify_base_url setting, not to --port.
    """
    from urllib.parse import urlsplit

    import uvicorn

    from api import create_app

    settings = load_settings(home)
    base = urlsplit(settings.verify_base_url)
    if base.hostname in ("127.0.0.1", "localhost") and base.port not in (None, port):
        console.print(f"[yellow]Lưu ý:[/yellow] mã QR và phiếu nhận học bạ trỏ tới "
                      f"{settings.verify_base_url}, không phải cổng {port}; đặt "
                      f"HOCBA_VERIFY_BASE_URL=http://{host}:{port} nếu cần / QR codes and claim "
                      f"slips link to {settings.verify_base_url}, not to port {port}: set "
                      f"HOCBA_VERIFY_BASE_URL=http://{host}:{port} if they should.")
    instance = Instance(settings, chain_choice=chain)
    uvicorn.run(create_app(instance), host=host, port=port)


# Chain --------------------------------------------------------------------


@chain_app.command("up")
@reports_errors
def chain_up(port: Annotated[int | None, typer.Option(
                 help="TCP port on 127.0.0.1 (default: the node's previous port, else 8545)")]
             = None,
             node_kind: Annotated[str | None, typer.Option(
                 "--node", help="anvil (state saved on `chain down`) or hardhat (no state "
                                "persistence: `chain down` loses every block); default: the "
                                "running node, else anvil")] = None,
             home: HomeOption = None) -> None:
    """Khởi động nút cục bộ, triển khai sổ đăng ký / start a local node, deploy the registry."""
    from scripts.localchain import bring_up

    node = bring_up(load_settings(home), port=port, kind=node_kind)
    console.print(f"Nút cục bộ / local node: {node.kind} {node.rpc_url} (chain id "
                  f"{node.chain_id}, pid {node.pid})")
    console.print(f"Sổ đăng ký / registry: {node.registry}")
    if node.kind == "hardhat":
        console.print("Nút Hardhat không lưu trạng thái: `hocba chain down` xoá mọi khối và sổ "
                      "đăng ký / the Hardhat node keeps no state: `hocba chain down` loses every "
                      "block and the registry.")


@chain_app.command("down")
@reports_errors
def chain_down(home: HomeOption = None) -> None:
    """Dừng nút cục bộ (trạng thái được lưu) / stop the local node, keeping its state."""
    from hocba.localnode import read_local_node, stop_local_node

    node = read_local_node(load_settings(home).chain_dir)
    if node is None or not stop_local_node(node):
        console.print("Không có nút cục bộ đang chạy / no local node running.")
        return
    console.print(f"Đã dừng nút cục bộ / stopped the local node (pid {node.pid}).")


@chain_app.command("status")
@reports_errors
def chain_status(home: HomeOption = None) -> None:
    """Trạng thái nút cục bộ / local node status. Exit code 1 when it is not running."""
    from hocba.chain import connect_rpc
    from hocba.localnode import read_local_node

    node = read_local_node(load_settings(home).chain_dir)
    if node is None or not node.is_running():
        console.print("Nút cục bộ không chạy / local node not running.")
        raise typer.Exit(1)
    chain = connect_rpc(node.rpc_url)
    block, _ = chain.pinned_block()
    console.print(f"Đang chạy / running: {node.rpc_url}, chain id {chain.chain_id}, "
                  f"khối / block {block}, pid {node.pid}")
    console.print(f"Sổ đăng ký / registry: {node.registry}")


# Department and accreditors -------------------------------------------------


@admin_app.command("appoint-accreditor")
@reports_errors
def appoint_accreditor_command(
    unit: Annotated[str, typer.Option(help="mã đơn vị hành chính / admin unit code (5 digits)")],
    name: Annotated[str, typer.Option(help="tên đơn vị / name, e.g. UBND xã Phú Hòa Đông")],
    chain: ChainOption = None, home: HomeOption = None,
) -> None:
    """Sở chỉ định đơn vị công nhận / the Department appoints an accreditor."""
    from issuer.accreditation import appoint_accreditor

    instance = Instance(load_settings(home), chain_choice=chain)
    address = appoint_accreditor(instance.keys, instance.registry, admin_unit_code=unit,
                                 name=_nfc(name))
    console.print(f"Đã chỉ định / appointed: {_nfc(name)} ({address})")


@admin_app.command("accredit-school")
@reports_errors
def accredit_school_command(
    code: Annotated[str, typer.Option(help="mã trường / school code")],
    name: Annotated[str, typer.Option(help="tên trường / school name")],
    unit: Annotated[str, typer.Option(help="mã xã của trường / the school's commune code")],
    accreditor: Annotated[str, typer.Option(help="mã đơn vị công nhận / accreditor unit code")],
    principal: Annotated[str, typer.Option(help="hiệu trưởng / principal")] = "",
    chain: ChainOption = None, home: HomeOption = None,
) -> None:
    """Công nhận trường và đăng ký khóa ký / accredit a school and register its signing key."""
    from issuer.accreditation import SchoolRegistration, register_school

    instance = Instance(load_settings(home), chain_choice=chain)
    registration = SchoolRegistration(code, unit, _nfc(name), _nfc(principal))
    signer = register_school(instance.keys, instance.registry, instance.engine, registration,
                             accreditor_unit_code=accreditor)
    console.print(f"Đã công nhận / accredited: {registration.name} ({signer.account.address})")


@admin_app.command("withdraw-school")
@reports_errors
def withdraw_school_command(
    code: Annotated[str, typer.Option(help="mã trường / school code")],
    accreditor: Annotated[str, typer.Option(help="mã đơn vị công nhận / accreditor unit code")],
    cutoff_block: Annotated[int, typer.Option(help="khối bắt đầu mất hiệu lực / cut-off block "
                                                   "(may lie in the past)")],
    reason: Annotated[str, typer.Option(help="lý do (lưu trong nhật ký, không lên chuỗi) / "
                                             "reason, kept off chain")],
    chain: ChainOption = None, home: HomeOption = None,
) -> None:
    """Rút công nhận trường từ một khối / withdraw a school's accreditation from a block on."""
    from issuer.accreditation import withdraw_school

    instance = Instance(load_settings(home), chain_choice=chain)
    result = withdraw_school(instance.keys, instance.registry, instance.engine, school_code=code,
                             accreditor_unit_code=accreditor, cutoff_block=cutoff_block,
                             reason=_nfc(reason))
    console.print(f"Đã rút công nhận / withdrawn in block {result.block_number}")


# Schools --------------------------------------------------------------------


@school_app.command("issue")
@reports_errors
def issue_command(
    csv_file: Annotated[Path, typer.Argument(help="bảng điểm một lớp (.xlsx hoặc .csv) / one "
                                                  "class (.xlsx or .csv)")],
    school: Annotated[str, typer.Option("--school", help="mã trường / school code")],
    out: Annotated[Path, typer.Option("--out", help="thư mục PDF / PDF folder")] = Path("out"),
    principal: Annotated[str, typer.Option(help="hiệu trưởng / principal")] = "",
    type_name: Annotated[str, typer.Option("--type", help=TYPE_HELP)] = "thcs",
    chain: ChainOption = None, home: HomeOption = None,
) -> None:
    """Nhập, ký, ghi nhận và xuất PDF văn bản một lớp / import, sign, anchor and render a class."""
    from datetime import UTC, datetime

    from issuer import record_types
    from issuer.accreditation import load_school_signer
    from issuer.issuance import anchor_batch, write_pdfs

    kind = record_types.record_type(type_name)
    instance = Instance(load_settings(home), chain_choice=chain)
    class_records = record_types.read_records_file(kind, csv_file)
    signer = load_school_signer(instance.keys, instance.engine, school,
                                principal=_nfc(principal))
    _reject_reissue(instance, signer.account.address,
                    record_types.batch_label(kind, class_records))
    prepared = record_types.prepare_records(kind, class_records, signer)
    batch = anchor_batch(prepared, signer, registry=instance.registry, engine=instance.engine)
    folder = out / record_types.folder_name(kind, class_records)
    paths = write_pdfs(batch, folder, verify_base_url=instance.settings.verify_base_url,
                       issued_on=datetime.now(UTC).date(), engine=instance.engine)
    console.print(f"Lô / batch {batch.batch_id}: {len(paths)} {kind.short_vi} lớp "
                  f"{class_records.class_name}, khối / block {batch.tx.block_number}, "
                  f"gas {batch.tx.gas_used} → {folder}")


@school_app.command("revoke")
@reports_errors
def revoke_command(
    credential_id: Annotated[str | None, typer.Argument(help="urn:uuid:… của học bạ")] = None,
    batch: Annotated[int | None, typer.Option("--batch", help="thu hồi cả lô / revoke a batch")]
    = None,
    reason: Annotated[str, typer.Option(help="lý do, lưu trong nhật ký / reason, kept off "
                                             "chain")] = "",
    reason_code: Annotated[str, typer.Option(help="superseded, error or fraud")] = "error",
    chain: ChainOption = None, home: HomeOption = None,
) -> None:
    """Thu hồi một học bạ hoặc cả lô / revoke one credential or a whole batch."""
    from hocba.errors import InputError
    from hocba.registry import RevocationReason
    from issuer.revocation import revoke_batch, revoke_credential

    codes = {"superseded": RevocationReason.SUPERSEDED,
             "error": RevocationReason.ISSUED_IN_ERROR, "fraud": RevocationReason.FRAUD}
    if reason_code not in codes or (credential_id is None) == (batch is None):
        raise InputError(
            "give one credential id or --batch, and --reason-code superseded, error or fraud",
            code="revoke_arguments",
            message_vi="Cần đúng một mã học bạ hoặc --batch, và --reason-code là superseded, "
                       "error hoặc fraud.",
        )
    instance = Instance(load_settings(home), chain_choice=chain)
    if batch is not None:
        result = revoke_batch(instance.keys, instance.registry, instance.engine, batch_id=batch,
                              reason_code=codes[reason_code], reason=_nfc(reason))
    else:
        result = revoke_credential(instance.keys, instance.registry, instance.engine,
                                   credential_id=str(credential_id),
                                   reason_code=codes[reason_code], reason=_nfc(reason))
    console.print(f"Đã thu hồi / revoked in block {result.block_number}")


@school_app.command("batches")
@reports_errors
def batches_command(home: HomeOption = None) -> None:
    """Liệt kê các lô đã cấp / list issued batches."""
    from sqlmodel import Session, select

    from hocba.db import Batch

    instance = Instance(load_settings(home))
    table = Table("Lô / Batch", "Lớp / Class", "Số HS / Size", "Trạng thái / Status",
                  "Khối / Block", "Gốc / Root")
    with Session(instance.engine) as db:
        for row in db.exec(select(Batch).order_by(Batch.id)):
            table.add_row(str(row.id), row.label, str(row.size), row.status,
                          str(row.block_number or ""), row.merkle_root[:18] + "…")
    console.print(table)


@app.command()
@reports_errors
def sample(
    out: Annotated[Path, typer.Argument(help="thư mục ghi CSV / output folder")],
    seed: Annotated[int, typer.Option(
        help="hạt sinh số ngẫu nhiên: cùng hạt cho cùng dữ liệu / random seed")] = 2026,
) -> None:
    """Tạo bảng điểm mẫu hư cấu / write fictional sample class spreadsheets."""
    from scripts.sample_data import (
        MAIN_SCHOOL,
        generate_school,
        write_school,
    )

    for path in write_school(MAIN_SCHOOL, generate_school(seed), out):
        console.print(f"Đã ghi / wrote {path}")


def _reject_reissue(instance: Instance, issuer_account: str, label: str) -> None:
    """Refuse to issue a class and year again while an earlier batch of it is in force."""
    from sqlmodel import Session, select

    from hocba.db import Batch
    from hocba.errors import InputError

    with Session(instance.engine) as db:
        earlier = db.exec(select(Batch).where(
            Batch.issuer_account == issuer_account, Batch.label == label,
            Batch.status.notin_(("revoked", "failed")))).first()  # type: ignore[attr-defined]
    if earlier is not None:
        raise InputError(
            f"class {label} was already issued in batch {earlier.id}; revoke that batch first "
            f"(hocba school revoke --batch {earlier.id} --reason-code superseded)",
            code="class_already_issued",
            message_vi=f"Lớp {label} đã được cấp học bạ ở lô {earlier.id}. Muốn cấp lại, hãy "
                       f"thu hồi lô đó trước: hocba school revoke --batch {earlier.id} "
                       "--reason-code superseded.",
        )


def _display_date(value: object) -> str:
    """Format an ISO date as dd/mm/yyyy; anything else is shown as it is."""
    text = str(value or "")
    parts = text.split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else text


def _nfc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text)


def _print_import_problems(exc: ImportRowsError) -> None:
    error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
    table = Table("Dòng / Row", "Cột / Column", "Giá trị / Value", "Lý do / Reason")
    for problem in exc.problems:
        table.add_row(str(problem.row), problem.column, str(problem.value)[:40],
                      problem.message_vi)
    error_console.print(table)


if __name__ == "__main__":
    app()
