"""Fixtures for the registry contract tests on the in-process EVM (eth-tester).

The chain, the deployment and the base state described in ``registry_env`` are built once
per session. Every test runs from a snapshot of that state, which is restored afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web3.contract import Contract

from tests.contracts.registry_env import Chain, Roles, build_chain


@pytest.fixture(scope="session")
def base_chain() -> Chain:
    return build_chain()


@pytest.fixture
def chain(base_chain: Chain) -> Iterator[Chain]:
    """The base state; whatever a test changes is rolled back afterwards."""
    snapshot = base_chain.w3.testing.snapshot()
    yield base_chain
    base_chain.w3.testing.revert(snapshot)


@pytest.fixture
def registry(chain: Chain) -> Contract:
    return chain.registry


@pytest.fixture
def roles(chain: Chain) -> Roles:
    return chain.roles


@pytest.fixture
def admin(roles: Roles) -> str:
    return roles.admin


@pytest.fixture
def accreditor(roles: Roles) -> str:
    return roles.accreditor


@pytest.fixture
def issuer(roles: Roles) -> str:
    return roles.issuer
