"""`hocba admin` commands for the accreditation steps the pages also offer.

rename-school, rotate-key, revoke-key, reassign-school, remove-accreditor and
school-history. Each chain step prints its transaction hash and block. A registry
revert prints one Vietnamese line with the English beside it and exits with code 2.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from hocba.chain import TxResult
from hocba.errors import HocbaError
from hocba.instance import Instance
from hocba.settings import load_settings

__all__ = ["register_accreditation_commands"]

logger = logging.getLogger(__name__)

ChainOption = Annotated[str | None, typer.Option(
    "--chain", help="embedded, local, or a JSON-RPC URL (default: settings, then the local node)")]
HomeOption = Annotated[Path | None, typer.Option(
    "--home", help="data folder (default: $HOCBA_HOME or ./.hocba)")]
CodeOption = Annotated[str, typer.Option("--code", help="mã trường / school code")]
AccreditorOption = Annotated[str, typer.Option(
    "--accreditor", help="mã đơn vị công nhận / accreditor unit code")]
ReasonOption = Annotated[str, typer.Option(
    "--reason", help="lý do, lưu trong nhật ký / reason, kept in the audit log")]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from issuer.accreditation_reverts import error_messages

        try:
            return command(*args, **kwargs)
        except HocbaError as exc:
            vietnamese, english = error_messages(exc)
            typer.echo(f"Lỗi: {vietnamese}", err=True)
            typer.echo(f"Error ({exc.code}): {english}", err=True)
            raise typer.Exit(2) from exc

    return wrapper


def _print_transactions(label: str, *results: TxResult) -> None:
    typer.echo(label)
    for result in results:
        typer.echo(f"  giao dịch / transaction {result.transaction_hash}, khối / block "
                   f"{result.block_number}")


@_reports_errors
def rename_school_command(code: CodeOption, accreditor: AccreditorOption,
                          name: Annotated[str, typer.Option(help="tên mới / new name")],
                          reason: ReasonOption = "", chain: ChainOption = None,
                          home: HomeOption = None) -> None:
    """Đổi tên trường (tên cũ vẫn lưu) / rename a school, keeping its old names."""
    from issuer.accreditation import rename_school

    instance = Instance(load_settings(home), chain_choice=chain)
    result = rename_school(instance.keys, instance.registry, instance.engine, school_code=code,
                           accreditor_unit_code=accreditor, new_name=_nfc(name),
                           actor="cli", reason=_nfc(reason))
    _print_transactions(f"Đã đổi tên / renamed: {_nfc(name)}", result)


@_reports_errors
def rotate_key_command(code: CodeOption, accreditor: AccreditorOption,
                       public_key: Annotated[str | None, typer.Option(
                           "--public-key", help="khóa Ed25519 mới (64 hex) / new Ed25519 public "
                                                "key as 64 hex digits; default: generate one")]
                       = None,
                       cutoff_block: Annotated[int | None, typer.Option(
                           help="khối khóa cũ hết hiệu lực / block from which the old key is "
                                "void (default: the block adding the new key)")] = None,
                       reason: ReasonOption = "", chain: ChainOption = None,
                       home: HomeOption = None) -> None:
    """Thay khóa ký của trường / rotate a school's signing key."""
    from issuer.accreditation_keys import parse_public_key, rotate_school_key

    instance = Instance(load_settings(home), chain_choice=chain)
    action = rotate_school_key(
        instance.keys, instance.registry, instance.engine, school_code=code,
        accreditor_unit_code=accreditor,
        public_key=parse_public_key(public_key) if public_key else None,
        cutoff_block=cutoff_block, actor="cli", reason=_nfc(reason))
    _print_transactions("Đã thay khóa / key rotated", *action.transactions)


@_reports_errors
def revoke_key_command(code: CodeOption, accreditor: AccreditorOption,
                       public_key: Annotated[str, typer.Option(
                           "--public-key", help="khóa cần thu hồi (64 hex) / key to revoke")],
                       cutoff_block: Annotated[int, typer.Option(
                           help="khối bắt đầu mất hiệu lực / cut-off block (may lie in the "
                                "past)")],
                       reason: ReasonOption, chain: ChainOption = None,
                       home: HomeOption = None) -> None:
    """Thu hồi một khóa ký của trường / revoke one of a school's signing keys."""
    from issuer.accreditation_keys import parse_public_key, revoke_school_key

    instance = Instance(load_settings(home), chain_choice=chain)
    result = revoke_school_key(instance.keys, instance.registry, instance.engine,
                               school_code=code, accreditor_unit_code=accreditor,
                               public_key=parse_public_key(public_key),
                               cutoff_block=cutoff_block, actor="cli", reason=_nfc(reason))
    _print_transactions("Đã thu hồi khóa / key revoked", result)


@_reports_errors
def reassign_school_command(code: CodeOption,
                            unit: Annotated[str, typer.Option(
                                help="mã đơn vị công nhận mới / new accreditor unit code")],
                            reason: ReasonOption, chain: ChainOption = None,
                            home: HomeOption = None) -> None:
    """Sở chuyển trường sang đơn vị quản lý khác / the Department moves a school's supervision."""
    from issuer.accreditation import reassign_school

    instance = Instance(load_settings(home), chain_choice=chain)
    result = reassign_school(instance.keys, instance.registry, instance.engine, school_code=code,
                             new_accreditor_unit_code=unit, actor="cli", reason=_nfc(reason))
    _print_transactions(f"Đã chuyển sang / moved to {unit}", result)


@_reports_errors
def remove_accreditor_command(unit: Annotated[str, typer.Option(
                                  help="mã đơn vị hành chính / admin unit code")],
                              reason: ReasonOption, chain: ChainOption = None,
                              home: HomeOption = None) -> None:
    """Sở gỡ một đơn vị công nhận / the Department removes an accreditor."""
    from issuer.accreditation import remove_accreditor

    instance = Instance(load_settings(home), chain_choice=chain)
    result = remove_accreditor(instance.keys, instance.registry, instance.engine,
                               admin_unit_code=unit, actor="cli", reason=_nfc(reason))
    _print_transactions(f"Đã gỡ đơn vị / removed {unit}", result)


@_reports_errors
def school_history_command(code: CodeOption, chain: ChainOption = None,
                           home: HomeOption = None) -> None:
    """Lịch sử tên, đơn vị quản lý, khóa của trường / a school's history from the registry."""
    from issuer.accreditation import find_school
    from issuer.accreditation_history import read_school_history

    instance = Instance(load_settings(home), chain_choice=chain)
    record = find_school(instance.engine, code)
    if record is None:
        typer.echo(f"Không có trường mã {code} / no school with code {code}", err=True)
        raise typer.Exit(2)
    history = read_school_history(instance.registry, record.account)
    typer.echo(f"{history.school.name} ({code}, {record.account})")
    for entry in history.names:
        typer.echo(f"  tên / name: {entry.name}, khối / blocks {entry.from_block} → "
                   f"{entry.to_block or ''}")
    for supervision in history.supervisors:
        typer.echo(f"  quản lý / supervisor: {supervision.accreditor_name} "
                   f"({supervision.unit_code}), khối / blocks {supervision.from_block} → "
                   f"{supervision.to_block or ''}")
    for key in history.keys:
        typer.echo(f"  khóa / key {key.public_key[:16]}…: khối / blocks {key.added_block} → "
                   f"{key.cutoff_block or ''}")
    for withdrawal in history.withdrawals:
        typer.echo(f"  rút công nhận / withdrawn from block {withdrawal.cutoff_block} (giao dịch "
                   f"/ transaction {withdrawal.transaction_hash})")


def register_accreditation_commands(admin_app: typer.Typer) -> None:
    """Add the accreditation commands to the ``hocba admin`` group."""
    admin_app.command("rename-school")(rename_school_command)
    admin_app.command("rotate-key")(rotate_key_command)
    admin_app.command("revoke-key")(revoke_key_command)
    admin_app.command("reassign-school")(reassign_school_command)
    admin_app.command("remove-accreditor")(remove_accreditor_command)
    admin_app.command("school-history")(school_history_command)
