"""The `hocba` command: one sub-command group per role.

Every command turns hocba errors into a one-line reason (Vietnamese first, the
English beside it) and a non-zero exit code; the work lives in the packages.
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

console = Console()
error_console = Console(stderr=True)

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
    files: Annotated[list[Path], typer.Argument(help="PDF, credential JSON or QR image files")],
    lang: LangOption = "vi",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    chain: ChainOption = None,
    home: HomeOption = None,
) -> None:
    """Xác thực học bạ / verify learning records. Exit code 0 only when every file is valid."""
    from verifier.engine import VerifierContext
    from verifier.inputs import verify_path

    instance = Instance(load_settings(home), chain_choice=chain)
    context = VerifierContext(instance.settings)
    try:
        chain_connection = instance.chain
        context = VerifierContext(instance.settings, chains={chain_connection.chain_id:
                                                             chain_connection})
    except HocbaError as exc:
        logging.getLogger(__name__).warning("chain not reachable: %s", exc)

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
    if not all(result.valid for result in results):
        raise typer.Exit(1)


def _print_result(result: Any, lang: str) -> None:
    colour = "green" if result.valid else "red"
    console.print(f"[bold]{result.source}[/bold]: [{colour}]{result.status.label(lang)}"
                  f"[/{colour}] ({result.status.value})")
    if result.issuer:
        label = "Đơn vị cấp (theo sổ đăng ký)" if lang == "vi" else "Issuer (from the registry)"
        console.print(f"  {label}: {result.issuer['name']} — {result.issuer['schoolCode']}")
    for check in result.checks:
        mark = "[green]✓[/green]" if check.passed else "[red]✗[/red]"
        console.print(f"  {mark} {check.message(lang)}")
    if result.block is not None:
        console.print("  " + (f"Theo trạng thái chuỗi khối tại khối {result.block}." if lang == "vi"
                              else f"As of block {result.block}."))


# Chain --------------------------------------------------------------------


@chain_app.command("up")
@reports_errors
def chain_up(port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1")] = 8545,
             home: HomeOption = None) -> None:
    """Khởi động nút anvil cục bộ và triển khai sổ đăng ký / start anvil and deploy the registry."""
    from scripts.localchain import bring_up

    node = bring_up(load_settings(home), port=port)
    console.print(f"Nút cục bộ / local node: {node.rpc_url} (chain id {node.chain_id}, "
                  f"pid {node.pid})")
    console.print(f"Sổ đăng ký / registry: {node.registry}")


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


def _print_import_problems(exc: ImportRowsError) -> None:
    error_console.print(f"[red]Lỗi:[/red] {exc.message_vi}")
    table = Table("Dòng / Row", "Cột / Column", "Giá trị / Value", "Lý do / Reason")
    for problem in exc.problems:
        table.add_row(str(problem.row), problem.column, str(problem.value)[:40],
                      problem.message_vi)
    error_console.print(table)


if __name__ == "__main__":
    app()
