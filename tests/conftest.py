"""Shared fixtures: chains (in-process and a real anvil process), instances, a trusted network."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hocba.chain import Chain, connect_embedded, connect_rpc
from hocba.localnode import LocalNode, start_anvil, stop_local_node
from hocba.registry import RegistryClient
from hocba.settings import RegistryRef, Settings, load_settings
from issuer.accreditation import (
    DEPARTMENT_KEY,
    SchoolRegistration,
    appoint_accreditor,
    register_school,
)
from issuer.issuance import SchoolSigner
from issuer.keystore import KeyStore
from hocba.db import open_database

COMMUNE = "27010"


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


@dataclass
class Network:
    """A deployed registry with the Department, one commune and one accredited school."""

    chain: Chain
    registry: RegistryClient
    keys: KeyStore
    settings: Settings
    engine: object
    school: SchoolSigner

    def register(self, code: str, name: str) -> SchoolSigner:
        registration = SchoolRegistration(code, COMMUNE, name, "Nguyễn Văn Hiệu Trưởng")
        return register_school(self.keys, self.registry, self.engine, registration,
                               accreditor_unit_code=COMMUNE)


def build_network(chain: Chain, home: Path) -> Network:
    settings = load_settings(home)
    engine = open_database(settings.database_url)
    keys = KeyStore(engine, "test passphrase")
    department = keys.account(DEPARTMENT_KEY, create=True)
    chain.fund(department.address)
    registry = RegistryClient.deploy(chain, department)
    settings = settings.with_trusted(RegistryRef(chain.chain_id, registry.address))
    appoint_accreditor(keys, registry, admin_unit_code=COMMUNE, name="UBND xã Phú Hòa Đông")
    network = Network(chain, registry, keys, settings, engine, None)  # type: ignore[arg-type]
    network.school = network.register("79785401", "Trường THCS Phú Hòa Đông")
    return network


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
