"""The Hardhat node: zero fees, old local.json files and `hocba chain up --node hardhat`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hocba.chain import connect_rpc
from hocba.localnode import LocalNode, read_local_node
from hocba.merkle import MerkleTree
from tests.conftest import HARDHAT_MODULES, free_port
from tests.network import build_network

HOCBA = [sys.executable, "-m", "hocba.cli"]
EDR_NATIVE = HARDHAT_MODULES / "@nomicfoundation" / "edr-linux-x64-gnu"
needs_hardhat = pytest.mark.skipif(
    not (HARDHAT_MODULES / ".bin" / "hardhat").exists() or not EDR_NATIVE.exists(),
    reason="hardhat_local/node_modules is missing: run hardhat_local/install.sh",
)


def hocba(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOCBA_HOME": str(home), "HOCBA_KEY_PASSPHRASE": "hardhat node test"}
    result = subprocess.run([*HOCBA, *args], env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    if result.returncode != 0:
        raise AssertionError(f"hocba {' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def test_old_local_json_is_anvil(tmp_path: Path) -> None:
    old = {"rpc_url": "http://127.0.0.1:8545", "chain_id": 31337, "pid": 1,
           "state_file": "anvil-state.json", "registry": None, "log_file": ""}
    (tmp_path / "local.json").write_text(json.dumps(old), encoding="utf-8")
    node = read_local_node(tmp_path)
    assert node is not None
    assert node.kind == "anvil"


@needs_hardhat
@pytest.mark.node
def test_zero_fee_on_hardhat(hardhat_node: LocalNode, tmp_path: Path) -> None:
    chain = connect_rpc(hardhat_node.rpc_url, expected_chain_id=31337)
    network = build_network(chain, tmp_path / "home")
    tree = MerkleTree.build([b"free on hardhat".ljust(32, b"\x00")])
    tx = network.registry.anchor(network.school.account, tree.root)
    sent = chain.w3.eth.get_transaction(tx.transaction_hash)
    assert sent["maxFeePerGas"] == 0
    assert chain.w3.eth.get_balance(network.school.account.address) == 0


@needs_hardhat
@pytest.mark.node
@pytest.mark.slow
def test_demo_on_hardhat_node(tmp_path: Path) -> None:
    home = tmp_path / "home"
    up = hocba(home, "chain", "up", "--node", "hardhat", "--port", str(free_port()))
    node = read_local_node(home / "chain")
    assert node is not None
    try:
        assert node.kind == "hardhat"
        assert "keeps no state" in up.stdout
        result = hocba(home, "demo", "--chain", "local", "--json", "--out", str(home / "out"))
        summary: dict[str, Any] = json.loads(result.stdout)
        statuses = {item["case"]: item["status"] for item in summary["verified"]}
        assert statuses == {"untouched": "valid", "score_changed": "tampered",
                            "revoked": "revoked", "withdrawn_school": "issuer_not_accredited"}
        assert summary["chain"]["chainId"] == 31337
    finally:
        down = hocba(home, "chain", "down")
    assert f"pid {node.pid}" in down.stdout
    assert not node.is_running()
