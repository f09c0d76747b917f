"""Exactly-once anchoring under faults, each `hocba` step a separate process on a real anvil.

The issuing process is killed with SIGKILL at each step of the outbox (through the
test-only HOCBA_CRASH_AT hook), the node is stopped in the middle of a batch, and
four processes issue from one school account at once. Afterwards every batch has
exactly one BatchAnchored event, is anchored in the database, and its PDFs verify.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from eth_utils import keccak

from hocba.localnode import read_local_node, start_anvil, stop_local_node, write_local_node
from tests.conftest import free_port
from tests.test_node_flow import HOCBA, hocba

pytestmark = [pytest.mark.node, pytest.mark.slow]

SCHOOL = "79785403"
# A second school for the concurrency test: a class is issued once per school.
OTHER_SCHOOL = "79785404"
ANCHORED_TOPIC = "0x" + keccak(text="BatchAnchored(bytes32,address)").hex()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("faults-home")
    hocba(home, "chain", "up", "--port", str(free_port()))
    hocba(home, "admin", "appoint-accreditor", "--unit", "27012", "--name", "UBND xã Tân Thông Hội")
    hocba(home, "admin", "accredit-school", "--code", SCHOOL, "--name",
          "Trường THCS Tân Thông Hội", "--unit", "27012", "--accreditor", "27012",
          "--principal", "Lê Văn Bình")
    hocba(home, "admin", "accredit-school", "--code", OTHER_SCHOOL, "--name",
          "Trường THCS Tân Thông Hội 2", "--unit", "27012", "--accreditor", "27012",
          "--principal", "Lê Thị Hoa")
    hocba(home, "sample", str(home / "csv"))
    try:
        yield home
    finally:
        node = read_local_node(home / "chain")
        if node is not None:
            stop_local_node(node)


def issue_env(home: Path, crash_at: str | None = None) -> dict[str, str]:
    env = {**os.environ, "HOCBA_HOME": str(home), "HOCBA_KEY_PASSPHRASE": "node flow test"}
    if crash_at:
        env["HOCBA_CRASH_AT"] = crash_at
    return env


def issue_args(home: Path, class_glob: str, out: Path, school: str = SCHOOL) -> list[str]:
    csv_file = sorted((home / "csv").glob(f"*{class_glob}*.csv"))[0]
    return [*HOCBA, "school", "issue", str(csv_file), "--school", school, "--out", str(out)]


def rpc(home: Path, method: str, *params: object) -> object:
    node = read_local_node(home / "chain")
    assert node is not None
    reply = requests.post(node.rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": method,
                                              "params": list(params)}, timeout=10).json()
    return reply.get("result")


def restart_node(home: Path, *, block_time: float | None = None) -> None:
    """Stop the node with SIGTERM (state saved) and start it again on the same port."""
    node = read_local_node(home / "chain")
    assert node is not None
    stop_local_node(node)
    port = int(node.rpc_url.rsplit(":", 1)[1])
    started = start_anvil(home / "chain", port=port, block_time=block_time)
    started.registry = node.registry
    write_local_node(home / "chain", started)


def batches(home: Path) -> list[tuple[int, str, str, int | None]]:
    with sqlite3.connect(home / "hocba.db") as db:
        return db.execute("select id, status, merkle_root, nonce from batch order by id").fetchall()


def anchor_events(home: Path, root: str) -> int:
    logs = rpc(home, "eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest",
                                     "topics": [ANCHORED_TOPIC, root]})
    assert isinstance(logs, list)
    return len(logs)


def crash_then_resume(home: Path, crash_at: str, class_glob: str) -> tuple[int, Path]:
    out = home / f"out-{crash_at}"
    before = len(batches(home))
    killed = subprocess.run(issue_args(home, class_glob, out), env=issue_env(home, crash_at),
                            capture_output=True, text=True, timeout=120, check=False)
    assert killed.returncode == -9, killed.stderr
    assert len(batches(home)) == before + 1
    resumed = hocba(home, "anchor", "--resume", "--out", str(out), "--timeout", "30")
    assert "anchored" in resumed.stdout
    return batches(home)[-1][0], out


def assert_exactly_once(home: Path, batch_id: int, out: Path) -> None:
    row = next(row for row in batches(home) if row[0] == batch_id)
    assert row[1] == "anchored"
    assert anchor_events(home, row[2]) == 1
    pdfs = sorted(out.rglob("*.pdf"))
    assert pdfs, "resume wrote no PDF"
    verdict = json.loads(hocba(home, "verify", "--json", str(pdfs[0])).stdout)
    assert verdict["status"] == "valid"


def test_kill_after_sign(home: Path) -> None:
    batch_id, out = crash_then_resume(home, "after_sign", "6A1")
    assert_exactly_once(home, batch_id, out)


def test_kill_after_broadcast(home: Path) -> None:
    batch_id, out = crash_then_resume(home, "after_broadcast", "7A1")
    assert_exactly_once(home, batch_id, out)


def test_kill_before_receipt(home: Path) -> None:
    restart_node(home, block_time=1)
    try:
        batch_id, out = crash_then_resume(home, "before_receipt", "8A1")
    finally:
        restart_node(home)
    assert_exactly_once(home, batch_id, out)


def test_node_stopped_mid_batch(home: Path) -> None:
    out = home / "out-node-stop"
    rpc(home, "evm_setAutomine", False)
    process = subprocess.Popen(issue_args(home, "9A1", out), env=issue_env(home),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (batches(home)
                                                   and batches(home)[-1][1] == "sent"):
            time.sleep(0.1)
        assert batches(home)[-1][1] == "sent"
        restart_node(home)
        assert process.wait(timeout=60) != 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    batch_id = batches(home)[-1][0]
    hocba(home, "anchor", "--resume", "--out", str(out))
    assert_exactly_once(home, batch_id, out)


def test_concurrent_batches_one_account(home: Path) -> None:
    before = {row[0] for row in batches(home)}
    processes = [
        subprocess.Popen(issue_args(home, glob, home / f"out-concurrent-{n}", OTHER_SCHOOL),
                         env=issue_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for n, glob in enumerate(("6A1", "7A1", "8A1", "9A1"))
    ]
    errors = [process.communicate(timeout=180)[1].decode() for process in processes]
    for process, stderr in zip(processes, errors, strict=True):
        assert process.returncode == 0, stderr
    new = [row for row in batches(home) if row[0] not in before]
    nonces = sorted(row[3] for row in new)
    assert len(new) == 4
    assert {row[1] for row in new} == {"anchored"}
    assert nonces == list(range(nonces[0], nonces[0] + 4))
    for row in new:
        assert anchor_events(home, row[2]) == 1
