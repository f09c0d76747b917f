"""The registry-state cache on a real in-process chain: reuse, expiry, revocation, head moves."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest

from hocba.chain import Chain, connect_embedded, new_account
from hocba.errors import InputError
from hocba.registry import RevocationReason
from hocba.status import Status, VerificationResult
from issuer.curriculum import load_curriculum
from issuer.issuance import AnchoredBatch, anchor_batch, prepare_batch
from issuer.revocation import revoke_credential
from scripts.sample_data import generate_school
from tests.network import Network, build_network
from verifier.engine import VerifierContext, verify_credential
from verifier.registry_cache import RegistryStateCache

TTL = 5.0


class FakeClock:
    """A monotonic clock that a test advances by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Issued:
    network: Network
    batch: AnchoredBatch
    reads: list[str]


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    network = build_network(connect_embedded(), tmp_path_factory.mktemp("cache") / "home")
    first = generate_school(7, "2025-2026")[1]
    records = replace(first, students=first.students[:6])
    prepared = prepare_batch(records, network.school, curriculum=load_curriculum())
    batch = anchor_batch(prepared, network.school, registry=network.registry,
                         engine=network.engine)
    reads: list[str] = []
    original: Callable[[Callable[[], Any]], Any] = network.chain.call

    def counted(read: Callable[[], Any]) -> Any:
        reads.append("read")
        return original(read)

    network.chain.call = counted  # type: ignore[method-assign]
    return Issued(network, batch, reads)


def _verify(issued: Issued, index: int, cache: RegistryStateCache | None) -> VerificationResult:
    network = issued.network
    context = VerifierContext(network.settings, chains={network.chain.chain_id: network.chain},
                              state_cache=cache)
    return verify_credential(json.dumps(issued.batch.credentials[index].credential), context)


def _mine(chain: Chain, blocks: int) -> None:
    for _ in range(blocks):
        chain.fund(new_account().address)


def _counted(issued: Issued, action: Callable[[], VerificationResult]
             ) -> tuple[VerificationResult, int]:
    before = len(issued.reads)
    result = action()
    return result, len(issued.reads) - before


def test_cache_reused_within_ttl(issued: Issued) -> None:
    clock = FakeClock()
    cache = RegistryStateCache(ttl_seconds=TTL, clock=clock)
    first, first_reads = _counted(issued, lambda: _verify(issued, 0, cache))
    clock.now += 0.5
    second, second_reads = _counted(issued, lambda: _verify(issued, 0, cache))
    assert first.status is Status.VALID
    assert first_reads >= 2
    assert second.status is Status.VALID
    assert second_reads == 0
    assert second.block == first.block
    assert cache.hits == 1


def test_cache_later_in_ttl_reads_head_only(issued: Issued) -> None:
    clock = FakeClock()
    cache = RegistryStateCache(ttl_seconds=TTL, clock=clock)
    first = _verify(issued, 0, cache)
    clock.now += TTL / 2
    second, reads = _counted(issued, lambda: _verify(issued, 0, cache))
    assert reads == 1
    assert second.block == first.block


def test_cache_refreshed_after_ttl(issued: Issued) -> None:
    clock = FakeClock()
    cache = RegistryStateCache(ttl_seconds=TTL, clock=clock)
    _verify(issued, 0, cache)
    clock.now += TTL
    result, reads = _counted(issued, lambda: _verify(issued, 0, cache))
    assert result.status is Status.VALID
    assert reads >= 2
    assert cache.misses == 2


def test_without_cache_every_verification_reads(issued: Issued) -> None:
    _verify(issued, 0, None)
    _result, reads = _counted(issued, lambda: _verify(issued, 0, None))
    assert reads >= 2


def test_revocation_visible_after_ttl(issued: Issued) -> None:
    network = issued.network
    clock = FakeClock()
    cache = RegistryStateCache(ttl_seconds=TTL, max_block_lag=100, clock=clock)
    before = _verify(issued, 3, cache)
    tx = revoke_credential(network.keys, network.registry, network.engine,
                           credential_id=issued.batch.credentials[3].credential_id,
                           reason_code=RevocationReason.ISSUED_IN_ERROR, reason="cache test")
    clock.now += TTL / 2
    cached = _verify(issued, 3, cache)
    clock.now += TTL / 2
    after = _verify(issued, 3, cache)
    assert before.status is Status.VALID
    assert cached.status is Status.VALID
    assert cached.block == before.block
    assert after.status is Status.REVOKED
    assert after.block is not None
    assert after.block >= tx.block_number


def test_head_past_lag_refreshes(issued: Issued) -> None:
    clock = FakeClock()
    cache = RegistryStateCache(ttl_seconds=TTL, max_block_lag=2, head_ttl_seconds=1.0,
                               clock=clock)
    first = _verify(issued, 1, cache)
    _mine(issued.network.chain, 3)
    clock.now += 1.0
    second, reads = _counted(issued, lambda: _verify(issued, 1, cache))
    assert first.block is not None
    assert second.block == first.block + 3
    assert reads >= 3


def test_head_within_lag_reuses(issued: Issued) -> None:
    clock = FakeClock()
    cache = RegistryStateCache(ttl_seconds=TTL, max_block_lag=2, head_ttl_seconds=1.0,
                               clock=clock)
    first = _verify(issued, 2, cache)
    _mine(issued.network.chain, 1)
    clock.now += 1.0
    second, reads = _counted(issued, lambda: _verify(issued, 2, cache))
    assert second.block == first.block
    assert reads == 1


def test_other_credential_not_shared(issued: Issued) -> None:
    cache = RegistryStateCache(ttl_seconds=TTL, clock=FakeClock())
    _verify(issued, 0, cache)
    _result, reads = _counted(issued, lambda: _verify(issued, 4, cache))
    assert reads >= 1
    assert cache.misses == 2


def test_entries_bounded(issued: Issued) -> None:
    cache = RegistryStateCache(ttl_seconds=TTL, max_entries=2, clock=FakeClock())
    for index in (0, 1, 2):
        _verify(issued, index, cache)
    _result, reads = _counted(issued, lambda: _verify(issued, 0, cache))
    assert reads >= 1


def test_environment_zero_disables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCBA_STATE_CACHE_TTL_SECONDS", "0")
    assert RegistryStateCache.from_environment() is None


def test_environment_values_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCBA_STATE_CACHE_TTL_SECONDS", "2.5")
    monkeypatch.setenv("HOCBA_STATE_CACHE_MAX_BLOCKS", "7")
    cache = RegistryStateCache.from_environment()
    assert cache is not None
    assert cache.ttl_seconds == 2.5
    assert cache.max_block_lag == 7


@pytest.mark.parametrize("text", ["-1", "soon", "inf", "nan"])
def test_environment_invalid_rejected(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("HOCBA_STATE_CACHE_TTL_SECONDS", text)
    with pytest.raises(InputError):
        RegistryStateCache.from_environment()
