"""Shared fixtures: chains (in-process, anvil and Hardhat node processes) and registries."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from hocba.chain import Chain, connect_embedded, connect_rpc
from hocba.localnode import LocalNode, start_anvil, start_hardhat, stop_local_node
from tests.network import Network, build_network
from tests.pgcluster import database_url, postgres_cluster, postgres_url  # noqa: F401

HARDHAT_MODULES = Path(__file__).resolve().parents[1] / "hardhat_local" / "node_modules"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def anvil_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNode]:
    """A real anvil process on 127.0.0.1, shared by the tests that need a node."""
    node = start_anvil(tmp_path_factory.mktemp("anvil"), port=free_port())
    yield node
    stop_local_node(node)


@pytest.fixture(scope="session")
def hardhat_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNode]:
    """A real Hardhat node on 127.0.0.1 (no state persistence), shared like ``anvil_node``."""
    edr_native = HARDHAT_MODULES / "@nomicfoundation" / "edr-linux-x64-gnu"
    if not (HARDHAT_MODULES / ".bin" / "hardhat").exists() or not edr_native.exists():
        pytest.skip("hardhat_local/node_modules is missing: run hardhat_local/install.sh")
    node = start_hardhat(tmp_path_factory.mktemp("hardhat"), port=free_port())
    yield node
    stop_local_node(node)


@pytest.fixture(params=["embedded", "anvil", "hardhat"])
def any_chain(request: pytest.FixtureRequest) -> Chain:
    """The same behaviour suite runs on the in-process EVM and on two real node processes."""
    if request.param == "embedded":
        return connect_embedded()
    node: LocalNode = request.getfixturevalue(f"{request.param}_node")
    return connect_rpc(node.rpc_url, expected_chain_id=node.chain_id)


@pytest.fixture
def network(tmp_path: Path) -> Network:
    """A fresh registry on a fresh in-process chain."""
    return build_network(connect_embedded(), tmp_path / "home")


@pytest.fixture
def any_network(any_chain: Chain, tmp_path: Path) -> Network:
    """A fresh registry on the in-process chain or on one of the node processes."""
    return build_network(any_chain, tmp_path / "home")
