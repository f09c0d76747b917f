"""A local development node (anvil or a Hardhat node): start, stop and describe it.

The node listens on 127.0.0.1 only, has a fixed chain id and a zero base fee, so
accounts without funds can send zero-fee transactions. anvil saves its state to
``<home>/chain/anvil-state.json`` every second and when it stops, so `hocba chain up`
after `hocba chain down` finds the same registry. The Hardhat node (Hardhat 3 from
``hardhat_local/``) keeps its chain in memory only: stopping it loses every block.
The node's description (kind, URL, process id, registry) is kept in
``<home>/chain/local.json`` for every later command.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from hocba.errors import ChainError

__all__ = [
    "LOCAL_CHAIN_ID",
    "NODE_KINDS",
    "LocalNode",
    "anvil_binary",
    "hardhat_command",
    "read_local_node",
    "start_anvil",
    "start_hardhat",
    "stop_local_node",
    "write_local_node",
]

logger = logging.getLogger(__name__)

LOCAL_CHAIN_ID = 31337
DEFAULT_PORT = 8545
NODE_KINDS = ("anvil", "hardhat")
_REPO_ROOT = Path(__file__).resolve().parents[1]
_HARDHAT_PROJECT = _REPO_ROOT / "hardhat_local"

# Nodes started by this process, kept so that stopping one can reap it.
_started: dict[int, subprocess.Popen[bytes]] = {}


@dataclass
class LocalNode:
    """The node started by `hocba chain up`, as written to ``local.json``."""

    rpc_url: str
    chain_id: int
    pid: int
    state_file: str
    registry: str | None = None
    log_file: str = ""
    # "anvil" or "hardhat"; files written before the Hardhat node existed have no kind.
    kind: str = "anvil"

    def is_running(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        return _rpc_ready(self.rpc_url)


def anvil_binary() -> str:
    """Find the anvil binary from the project's npm packages (or ``HOCBA_ANVIL``)."""
    candidates = [
        os.environ.get("HOCBA_ANVIL", ""),
        str(_REPO_ROOT / "node_modules" / ".bin" / "anvil"),
        shutil.which("anvil") or "",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise ChainError(
        "anvil not found: run `npm ci` in the repository (it installs @foundry-rs/anvil)",
        code="node_missing",
        message_vi="Không tìm thấy anvil: chạy `npm ci` trong thư mục dự án để cài đặt.",
    )


def hardhat_command() -> tuple[list[str], dict[str, str]]:
    """Return the command that runs Hardhat from ``hardhat_local/`` and its environment.

    Hardhat 3.18 needs Node.js 22, which the project's ``node`` npm package provides in
    ``hardhat_local/node_modules/.bin``, so that folder goes first on PATH.
    """
    bin_dir = _HARDHAT_PROJECT / "node_modules" / ".bin"
    node, hardhat = bin_dir / "node", bin_dir / "hardhat"
    if not (node.exists() and hardhat.exists()):
        raise ChainError(
            f"Hardhat not found in {bin_dir}: run hardhat_local/install.sh",
            code="node_missing",
            message_vi="Không tìm thấy Hardhat: chạy hardhat_local/install.sh để cài đặt.",
        )
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "HARDHAT_DISABLE_TELEMETRY": "true",
    }
    return [str(node), str(hardhat)], env


def start_anvil(chain_dir: Path, *, port: int = DEFAULT_PORT, block_time: float | None = None,
                chain_id: int = LOCAL_CHAIN_ID, startup_timeout: float = 15.0) -> LocalNode:
    """Start anvil in its own process group and wait until it responds."""
    chain_dir.mkdir(parents=True, exist_ok=True)
    state_file = chain_dir / "anvil-state.json"
    log_file = chain_dir / "anvil.log"
    args = [
        anvil_binary(), "--host", "127.0.0.1", "--port", str(port),
        "--chain-id", str(chain_id), "--gas-price", "0", "--base-fee", "0",
        "--state", str(state_file), "--state-interval", "1",
    ]
    if block_time is not None:
        args += ["--block-time", str(block_time)]
    rpc_url = f"http://127.0.0.1:{port}"
    pid = _launch("anvil", args, rpc_url, log_file, startup_timeout=startup_timeout)
    return LocalNode(rpc_url, chain_id, pid, str(state_file), log_file=str(log_file))


def start_hardhat(chain_dir: Path, *, port: int = DEFAULT_PORT,
                  startup_timeout: float = 30.0) -> LocalNode:
    """Start a Hardhat node (chain id 31337, zero base fee) and wait until it responds.

    The chain lives in the node's memory only, so ``state_file`` is empty and every
    block, the registry included, is lost when the node stops. The zero base fee is set
    on the ``node`` network in ``hardhat_local/hardhat.config.js``.
    """
    chain_dir.mkdir(parents=True, exist_ok=True)
    log_file = chain_dir / "hardhat.log"
    command, env = hardhat_command()
    args = [*command, "node", "--hostname", "127.0.0.1", "--port", str(port)]
    rpc_url = f"http://127.0.0.1:{port}"
    pid = _launch("hardhat", args, rpc_url, log_file, startup_timeout=startup_timeout,
                  cwd=_HARDHAT_PROJECT, env=env)
    return LocalNode(rpc_url, LOCAL_CHAIN_ID, pid, "", log_file=str(log_file), kind="hardhat")


def _launch(kind: str, args: list[str], rpc_url: str, log_file: Path, *,
            startup_timeout: float, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> int:
    """Start a node in its own process group, wait until it serves ``rpc_url``, return its pid."""
    if _rpc_ready(rpc_url):
        port = rpc_url.rsplit(":", 1)[1]
        raise ChainError(
            f"port {port} on 127.0.0.1 is already serving JSON-RPC; stop that node or pick "
            "another port with --port",
            code="port_in_use",
            message_vi=f"Cổng {port} đang được một nút khác dùng; dừng nút đó hoặc chọn cổng khác.",
        )
    with log_file.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=cwd, env=env,
        )
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ChainError(
                f"{kind} exited with code {process.returncode}; see {log_file}",
                code="node_failed",
                message_vi=f"Nút {kind} dừng với mã {process.returncode}; xem {log_file}.",
            )
        if _rpc_ready(rpc_url):
            _started[process.pid] = process
            logger.info("%s started pid=%d url=%s", kind, process.pid, rpc_url)
            return process.pid
        time.sleep(0.1)
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    raise ChainError(
        f"{kind} did not respond on {rpc_url} within {startup_timeout} s; see {log_file}",
        code="node_failed",
        message_vi=f"Nút {kind} không phản hồi tại {rpc_url} sau {startup_timeout} giây; "
                   f"xem {log_file}.",
    )


def stop_local_node(node: LocalNode, *, timeout: float = 10.0) -> bool:
    """Stop the node with SIGTERM (anvil saves its state); return False if it was not running."""
    try:
        os.kill(node.pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(node.pid, 0)
        except ProcessLookupError:
            break
        _reap(node.pid)
        time.sleep(0.05)
    else:
        os.kill(node.pid, signal.SIGKILL)
    process = _started.pop(node.pid, None)
    if process is not None:
        process.wait(timeout)
    logger.info("%s stopped pid=%d", node.kind, node.pid)
    return True


def read_local_node(chain_dir: Path) -> LocalNode | None:
    path = chain_dir / "local.json"
    if not path.exists():
        return None
    return LocalNode(**json.loads(path.read_text(encoding="utf-8")))


def write_local_node(chain_dir: Path, node: LocalNode) -> None:
    chain_dir.mkdir(parents=True, exist_ok=True)
    (chain_dir / "local.json").write_text(json.dumps(asdict(node), indent=2), encoding="utf-8")


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _rpc_ready(url: str) -> bool:
    try:
        response = requests.post(
            url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
            timeout=1,
        )
    except requests.RequestException:
        return False
    return response.ok
