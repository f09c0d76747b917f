"""The anchoring outbox on the in-process EVM and on a real anvil node, plus fees and binding."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
from eth_account import Account
from sqlmodel import Session, select

from hocba.binding import check_registry_code
from hocba.chain import FeePolicy, connect_rpc
from hocba.db import Batch, OutboxTransaction
from hocba.errors import ChainError
from hocba.localnode import LocalNode, anvil_binary
from hocba.registry import RegistryClient
from hocba.settings import load_settings
from issuer.curriculum import load_curriculum
from issuer.issuance import prepare_batch
from issuer.outbox import Outbox
from issuer.reconcile import resume_batches
from tests.conftest import free_port
from tests.network import Network
from tests.test_issue_verify import issue, small_class


def stored_batch(network: Network) -> tuple[int, bytes]:
    """Store a batch as `anchor_batch` does before any transaction, and return it."""
    from issuer.issuance import _store_pending

    prepared = prepare_batch(small_class(3), network.school, curriculum=load_curriculum())
    batch_id = _store_pending(prepared, network.school, network.registry, network.engine)
    return batch_id, prepared.tree.root


def batch_row(network: Network, batch_id: int) -> Batch:
    with Session(network.engine) as db:
        row = db.get(Batch, batch_id)
    assert row is not None
    return row


def test_transaction_stored_before_send(any_network: Network) -> None:
    batch = issue(any_network)
    with Session(any_network.engine) as db:
        rows = list(db.exec(select(OutboxTransaction)
                            .where(OutboxTransaction.batch_id == batch.batch_id)))
    assert len(rows) == 1
    assert rows[0].tx_hash == batch.tx.transaction_hash
    assert rows[0].status == "mined"


def test_duplicate_root_is_anchored(any_network: Network) -> None:
    batch_id, root = stored_batch(any_network)
    lost = any_network.registry.anchor(any_network.school.account, root)
    mined = Outbox(any_network.engine, any_network.registry).anchor(
        batch_id, any_network.school.account)
    assert mined.transaction_hash == lost.transaction_hash


def test_resume_signs_pending_batch(any_network: Network) -> None:
    batch_id, _ = stored_batch(any_network)
    results = resume_batches(any_network.engine, any_network.registry,
                             lambda _address: any_network.school.account)
    assert [result.status for result in results] == ["anchored"]
    assert batch_row(any_network, batch_id).status == "anchored"


def test_nonces_shared_across_outboxes(any_network: Network) -> None:
    first = Outbox(any_network.engine, any_network.registry)
    second = Outbox(any_network.engine, any_network.registry)
    nonces = []
    for outbox in (first, second, first):
        batch_id, root = stored_batch(any_network)
        claim = outbox.sign(batch_id, any_network.school.account, root)
        nonces.append(claim.signed.nonce)  # type: ignore[union-attr]
    assert nonces == [nonces[0], nonces[0] + 1, nonces[0] + 2]


def test_timeout_leaves_batch_sent(anvil_node: LocalNode, tmp_path: Path) -> None:
    from tests.network import build_network

    chain = connect_rpc(anvil_node.rpc_url, expected_chain_id=anvil_node.chain_id)
    network = build_network(chain, tmp_path / "home")
    batch_id, _ = stored_batch(network)
    chain.w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        with pytest.raises(ChainError) as caught:
            Outbox(network.engine, network.registry).anchor(
                batch_id, network.school.account, timeout=0.5)
    finally:
        chain.w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
    assert caught.value.code == "receipt_timeout"
    assert batch_row(network, batch_id).status == "sent"
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    resume_batches(network.engine, network.registry, lambda _address: None)
    assert batch_row(network, batch_id).status == "anchored"


def test_registry_code_matches(any_network: Network) -> None:
    check_registry_code(any_network.registry)


def test_other_address_registry_mismatch(any_network: Network) -> None:
    with pytest.raises(ChainError) as caught:
        check_registry_code(RegistryClient(any_network.chain, "0x" + "33" * 20))
    assert caught.value.code == "registry_mismatch"


def test_fee_settings_read(tmp_path: Path) -> None:
    (tmp_path / "hocba.toml").write_text(
        "[chain]\npriority_fee = 2\nmax_fee_per_gas_cap = 50\n", encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.priority_fee == 2
    assert settings.max_fee_per_gas_cap == 50


def test_fee_cap_lowers_max_fee() -> None:
    fees = FeePolicy(priority_fee=1, max_fee_cap=15).fees_for(base_fee=10)
    assert fees["maxFeePerGas"] == 15


@pytest.mark.node
def test_eip1559_network_pays_fees(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [anvil_binary(), "--host", "127.0.0.1", "--port", str(port), "--chain-id", "31337"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        chain = _wait_for(url, FeePolicy(priority_fee=10**9, max_fee_cap=10**11))
        admin = Account.create()
        chain.w3.provider.make_request(  # type: ignore[arg-type]
            "anvil_setBalance", [admin.address, hex(10**20)])
        registry = RegistryClient.deploy(chain, admin)
        sent = chain.w3.eth.get_transaction(
            chain.w3.eth.get_block("latest", full_transactions=True)["transactions"][0]["hash"])
        receipt = chain.w3.eth.get_transaction_receipt(sent["hash"])
        assert registry.is_deployed()
        assert sent["maxPriorityFeePerGas"] == 10**9
        assert receipt["effectiveGasPrice"] > 10**9
        assert chain.w3.eth.get_balance(admin.address) < 10**20
    finally:
        process.terminate()
        process.wait(10)


def _wait_for(url: str, fees: FeePolicy):  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId",
                                     "params": []}, timeout=1)
            return connect_rpc(url, expected_chain_id=31337, fees=fees)
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError(f"anvil did not start on {url}")


# The same outbox on SQLite and on PostgreSQL ----------------------------------------


@pytest.fixture
def db_network(database_url: str, tmp_path: Path) -> Network:
    """A fresh registry on the in-process chain, its database on SQLite or PostgreSQL."""
    from hocba.chain import connect_embedded
    from tests.network import build_network

    return build_network(connect_embedded(), tmp_path / "home", database_url=database_url)


def test_db_transaction_stored(db_network: Network) -> None:
    batch = issue(db_network)
    with Session(db_network.engine) as db:
        rows = list(db.exec(select(OutboxTransaction)
                            .where(OutboxTransaction.batch_id == batch.batch_id)))
    assert [row.status for row in rows] == ["mined"]


def test_db_resume_signs_pending(db_network: Network) -> None:
    batch_id, _ = stored_batch(db_network)
    resume_batches(db_network.engine, db_network.registry,
                   lambda _address: db_network.school.account)
    assert batch_row(db_network, batch_id).status == "anchored"


def test_db_nonces_shared(db_network: Network) -> None:
    first = Outbox(db_network.engine, db_network.registry)
    second = Outbox(db_network.engine, db_network.registry)
    nonces = []
    for outbox in (first, second, first):
        batch_id, root = stored_batch(db_network)
        claim = outbox.sign(batch_id, db_network.school.account, root)
        nonces.append(claim.signed.nonce)  # type: ignore[union-attr]
    assert nonces == [nonces[0], nonces[0] + 1, nonces[0] + 2]


@pytest.mark.node
def test_concurrent_nonces_distinct(anvil_node: LocalNode, database_url: str,
                                    tmp_path: Path) -> None:
    """Six threads, each with its own engine (connection) and node client, sign at once."""
    import threading

    from hocba.db import open_database
    from tests.network import build_network

    chain = connect_rpc(anvil_node.rpc_url, expected_chain_id=anvil_node.chain_id)
    network = build_network(chain, tmp_path / "home", database_url=database_url)
    batches = [stored_batch(network) for _ in range(6)]
    # Separate engines (so separate connections) and node clients, made before the race.
    outboxes = [Outbox(open_database(database_url), RegistryClient(
        connect_rpc(anvil_node.rpc_url, expected_chain_id=anvil_node.chain_id),
        network.registry.address)) for _ in batches]
    start = chain.nonce_count(network.school.account.address, "pending")
    barrier = threading.Barrier(len(batches))
    nonces: list[int] = []
    errors: list[BaseException] = []

    def sign(outbox: Outbox, batch_id: int, root: bytes) -> None:
        try:
            barrier.wait(timeout=30)
            claim = outbox.sign(batch_id, network.school.account, root)
            nonces.append(claim.signed.nonce)  # type: ignore[union-attr]
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(outbox, *batch))
               for outbox, batch in zip(outboxes, batches, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(nonces) == list(range(start, start + len(batches)))
