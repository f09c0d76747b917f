"""Shared fixtures: chains (in-process and a real anvil process) and deployed registries."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from hocba.chain import Chain, connect_embedded, connect_rpc
from hocba.localnode import LocalNode, start_anvil, stop_local_node
from tests.network import Network, build_network


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


@pytest.fixture(params=["embedded", "anvil"])
def any_chain(request: pytest.FixtureRequest) -> Chain:
    """The same behaviour suite runs on the in-process EVM and on a real node process."""
    if request.param == "embedded":
        return connect_embedded()
    node: LocalNode = request.getfixturevalue("anvil_node")
    return connect_rpc(node.rpc_url, expected_chain_id=node.chain_id)


@pytest.fixture
def network(tmp_path: Path) -> Network:
    """A fresh registry on a fresh in-process chain."""
    return build_network(connect_embedded(), tmp_path / "home")


@pytest.fixture
def any_network(any_chain: Chain, tmp_path: Path) -> Network:
    """A fresh registry on the in-process chain or on the anvil node."""
    return build_network(any_chain, tmp_path / "home")
