"""`hocba wallet`: the student's encrypted wallet, selective disclosure and presentations.

The passphrase is read from HOCBA_WALLET_PASSPHRASE when set, otherwise asked for
without echo. Output is Vietnamese first, with the English beside it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hocba.errors import HocbaError
from hocba.jcs import parse_json

__all__ = ["wallet_app"]

wallet_app = typer.Typer(help="Ví học bạ của học sinh / the student's encrypted wallet.",
                         no_args_is_help=True)
console = Console(soft_wrap=True, emoji=False)
error_console = Console(stderr=True, soft_wrap=True, emoji=False)

PASSPHRASE_VARIABLE = "HOCBA_WALLET_PASSPHRASE"  # noqa: S105 (a variable name)
WalletOption = Annotated[
    Path | None,
    typer.Option("--wallet", help="wallet file (default: $HOCBA_WALLET or "
                                  "~/.hocba-wallet/wallet.json)"),
]
HomeOption = Annotated[Path | None, typer.Option("--home", help="hocba data folder")]
ChainOption = Annotated[str | None, typer.Option("--chain", help="embedded, local or an RPC URL")]
OutOption = Annotated[Path | None, typer.Option("--out", help="write JSON here (default: stdout)")]
_WITHDRAWN = {"revoked", "suspended"}


def _reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except HocbaError as exc:
            error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
            error_console.print(f"[dim]Error ({exc.code}): {exc}[/dim]")
            raise typer.Exit(2) from exc

    return wrapper


def _wallet_path(path: Path | None) -> Path:
    from wallet.store import DEFAULT_WALLET_PATH

    return path or Path(os.environ.get("HOCBA_WALLET") or DEFAULT_WALLET_PATH)


def _passphrase(*, confirm: bool = False) -> str:
    value = os.environ.get(PASSPHRASE_VARIABLE)
    if value:
        return value
    return str(typer.prompt("Mật khẩu ví / wallet passphrase", hide_input=True,
                            confirmation_prompt=confirm))


def _open(path: Path | None) -> Any:
    from wallet.store import Wallet

    return Wallet.open(_wallet_path(path), _passphrase())


def _context(home: Path | None, chain: str | None) -> Any:
    from hocba.instance import Instance
    from hocba.settings import load_settings

    return Instance(load_settings(home), chain_choice=chain)


def _write_json(document: Any, out: Path | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"Đã ghi / written: {out}")


@wallet_app.command("init")
@_reports_errors
def init(wallet: WalletOption = None) -> None:
    """Tạo ví mới có khóa người giữ / create a wallet with a new holder key."""
    from wallet.store import Wallet

    created = Wallet.create(_wallet_path(wallet), _passphrase(confirm=True))
    console.print(f"Đã tạo ví / wallet created: {created.path}")
    console.print(f"Định danh người giữ / holder: {created.holder_did.partition('#')[0]}")


@wallet_app.command("import")
@_reports_errors
def import_files(
    files: Annotated[list[Path], typer.Argument(help="PDF, credential JSON or QR photo")],
    wallet: WalletOption = None, home: HomeOption = None, chain: ChainOption = None,
) -> None:
    """Nhập và xác thực học bạ vào ví / import and verify records."""
    opened = _open(wallet)
    instance = _context(home, chain)
    context = instance.verifier_context()
    failures = 0
    for path in files:
        try:
            record = opened.import_file(path, context, lookup=instance.lookup_credential,
                                        allowed_origins=[instance.settings.verify_base_url])
        except HocbaError as exc:
            failures += 1
            error_console.print(f"[red]✗[/red] {path.name}: {exc.message_vi} ({exc.code})")
            continue
        # A record that is not valid is still kept, so the holder can see its status.
        mark = "[green]✓[/green]" if record.status.value == "valid" else "[yellow]![/yellow]"
        console.print(f"{mark} {path.name}: đã lưu / stored — {record.status.label_vi} "
                      f"({record.status.value}) — {record.credential_id}")
    if failures:
        raise typer.Exit(1)


@wallet_app.command("list")
@_reports_errors
def list_records(
    wallet: WalletOption = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="re-verify every record on the "
                                                            "chain first")] = False,
    home: HomeOption = None, chain: ChainOption = None,
) -> None:
    """Liệt kê học bạ theo năm học / list records by school year."""
    opened = _open(wallet)
    if refresh:
        for change in opened.refresh_status(_context(home, chain).verifier_context()):
            colour = "red" if change.withdrawn else "yellow"
            console.print(f"[{colour}]Trạng thái thay đổi / status changed:[/{colour}] "
                          f"{change.credential_id}: {change.before.value} → {change.after.value}")
    table = Table("Năm học / year", "Lớp / class", "Học sinh / student", "Trạng thái / status",
                  "Mã / id")
    for year, records in opened.list().items():
        for record in records:
            subject = record.credential.get("credentialSubject") or {}
            status = record.status.value
            marker = f"[red]{status}[/red]" if status in _WITHDRAWN else status
            table.add_row(year, str(subject.get("className", "")), _student_name(subject),
                          f"{record.status.label_vi} ({marker})", record.credential_id)
    console.print(table)


def _student_name(subject: dict[str, Any]) -> str:
    for entry in subject.get("identifier") or []:
        if isinstance(entry, dict) and entry.get("identityType") == "name":
            return str(entry.get("identityHash", ""))
    return ""


@wallet_app.command("show")
@_reports_errors
def show(
    record_id: Annotated[str, typer.Argument(help="record id or its last characters")],
    wallet: WalletOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the credential JSON")] = False,
) -> None:
    """Xem một học bạ trong ví / show one record."""
    record = _open(wallet).get(record_id)
    if as_json:
        _write_json(record.credential, None)
        return
    subject = record.credential.get("credentialSubject") or {}
    console.print(f"[bold]{record.credential_id}[/bold] — {_student_name(subject)}, "
                  f"lớp {subject.get('className', '?')}, năm học {record.school_year}")
    verdict = record.verdict
    console.print(f"Trạng thái / status: {record.status.label_vi} ({verdict['status']}), "
                  f"kiểm tra lúc / checked at {verdict['checkedAt']}, khối / block "
                  f"{verdict['block']}")
    for result in subject.get("result") or []:
        console.print(f"  {result.get('resultDescription')}: {result.get('value')}")


@wallet_app.command("disclose")
@_reports_errors
def disclose(
    record_id: Annotated[str, typer.Argument(help="record id or its last characters")],
    preset: Annotated[str | None, typer.Option("--preset", help="results-conduct or "
                                                                "hide-birth-date")] = None,
    reveal: Annotated[list[str] | None, typer.Option("--reveal", help="JSON Pointer in "
                                                     "credentialSubject to show (repeatable)")
                      ] = None,
    wallet: WalletOption = None, out: OutOption = None,
) -> None:
    """Chia sẻ một phần học bạ / share only some fields of a record."""
    from wallet.disclosure import PRESETS, make_disclosure

    record = _open(wallet).get(record_id)
    if preset is not None and preset not in PRESETS:
        raise typer.BadParameter(f"--preset phải là một trong / must be one of: "
                                 f"{', '.join(PRESETS)}")
    pointers = list(PRESETS[preset](record.credential)) if preset else []
    pointers += reveal or []
    if not pointers:
        raise typer.BadParameter("cần --preset hoặc --reveal / give --preset or --reveal")
    _write_json(make_disclosure(record.credential, pointers), out)


@wallet_app.command("present")
@_reports_errors
def present(
    items: Annotated[list[str], typer.Argument(help="record ids, or disclosure JSON files")],
    challenge: Annotated[str | None, typer.Option("--challenge", help="the verifier's nonce")
                         ] = None,
    domain: Annotated[str | None, typer.Option("--domain", help="the verifier's origin")] = None,
    wallet: WalletOption = None, out: OutOption = None,
) -> None:
    """Tạo bản trình bày ký bằng khóa người giữ / sign a presentation for one verifier."""
    from wallet.presentation import make_presentation

    opened = _open(wallet)
    documents = []
    for item in items:
        path = Path(item)
        documents.append(parse_json(path.read_bytes()) if path.is_file()
                         else opened.get(item).credential)
    if challenge is None:
        error_console.print("[yellow]Không có --challenge: bản trình bày có thể bị dùng lại / "
                            "without --challenge the presentation can be replayed.[/yellow]")
    _write_json(make_presentation(documents, opened.holder_key, challenge=challenge,
                                  domain=domain), out)


@wallet_app.command("export")
@_reports_errors
def export(
    destination: Annotated[Path, typer.Argument(help="backup file or folder")],
    wallet: WalletOption = None,
) -> None:
    """Sao lưu ví (vẫn được mã hóa) / back up the wallet, still encrypted."""
    written = _open(wallet).export(destination)
    console.print(f"Đã sao lưu ví đã mã hóa / encrypted backup written: {written}")


@wallet_app.command("verify-share")
@_reports_errors
def verify_share(
    file: Annotated[Path, typer.Argument(help="a disclosure or presentation JSON file",
                                         exists=True, dir_okay=False)],
    challenge: Annotated[str | None, typer.Option("--challenge", help="the nonce you issued")
                         ] = None,
    domain: Annotated[str | None, typer.Option("--domain", help="your origin")] = None,
    home: HomeOption = None, chain: ChainOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Xác thực bản chia sẻ hoặc bản trình bày / verify a disclosure or a presentation."""
    from verifier.disclosure import verify_disclosure
    from wallet.presentation import verify_presentation

    document = parse_json(file.read_bytes())
    context = _context(home, chain).verifier_context()
    if isinstance(document, dict) and "VerifiablePresentation" in (document.get("type") or []):
        result: Any = verify_presentation(document, context, challenge=challenge, domain=domain)
        label = result.label("vi")
    else:
        result = verify_disclosure(document, context, source=file.name)
        label = result.status.label_vi
    if as_json:
        _write_json(result.to_json(), None)
    else:
        console.print(f"[bold]{file.name}[/bold]: {label} ({result.status})")
        for check in result.checks:
            console.print(f"  {'✓' if check.passed else '✗'} {check.message_vi}")
        for item in getattr(result, "items", []):
            console.print(f"  • {item.source}: {item.status.label_vi} ({item.status.value})")
    if not result.valid:
        raise typer.Exit(1)
