"""A short-lived cache of the registry's ``verificationState`` results.

Verifying the same credential again within a few seconds need not read the chain
again. An entry is reused only while both hold:

- it was read less than ``ttl_seconds`` ago, so a revocation becomes visible to
  every verifier within ``ttl_seconds`` plus the head refresh interval;
- the chain head, as last seen, is at most ``max_block_lag`` blocks past the block
  the entry was read at.

The chain head is read at most once per ``head_ttl_seconds`` (never longer than
``ttl_seconds``) and is the block a verification pins all its reads to. The block
a result reflects is returned with it, so a result can say "as of block N".

The settings are read from the environment: ``HOCBA_STATE_CACHE_TTL_SECONDS`` (default 5,
0 turns the cache off) and ``HOCBA_STATE_CACHE_MAX_BLOCKS`` (default 2).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hocba.chain import Chain
from hocba.errors import InputError
from hocba.registry import RegistryClient

__all__ = [
    "DEFAULT_MAX_BLOCK_LAG",
    "DEFAULT_TTL_SECONDS",
    "RegistryState",
    "RegistryStateCache",
    "read_registry_state",
]

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 5.0
DEFAULT_MAX_BLOCK_LAG = 2
# The head is re-read at most this often; a verification pins its reads to it.
DEFAULT_HEAD_TTL_SECONDS = 1.0
# Entries kept at once; the least recently used is dropped first.
DEFAULT_MAX_ENTRIES = 20_000

_CacheKey = tuple[int, str, bytes, bytes, str, bytes]


@dataclass(frozen=True)
class RegistryState:
    """The registry's state for one credential and the block it reflects."""

    state: dict[str, Any]
    accreditor: dict[str, Any] | None
    block: int


@dataclass
class _Head:
    block: int
    read_at: float


@dataclass
class _Entry:
    value: RegistryState
    read_at: float


def _read_at(registry: RegistryClient, root: bytes, leaf: bytes, issuer: str, public_key: bytes,
             block: int) -> RegistryState:
    state = registry.verification_state(root, leaf, issuer, public_key, block=block)
    accreditor = None
    if int(state["issuerAccreditor"], 16):
        accreditor = registry.accreditor(state["issuerAccreditor"], block=block)
    return RegistryState(state, accreditor, block)


def read_registry_state(registry: RegistryClient, root: bytes, leaf: bytes, issuer: str,
                        public_key: bytes, cache: RegistryStateCache | None = None
                        ) -> RegistryState:
    """Read the registry for one credential at one pinned block, through ``cache`` if given.

    Raises ``ChainError`` when the chain cannot be read.
    """
    if cache is None:
        block, _timestamp = registry.chain.pinned_block()
        return _read_at(registry, root, leaf, issuer, public_key, block)
    return cache.read(registry, root, leaf, issuer, public_key)


class RegistryStateCache:
    """``verificationState`` results kept for ``ttl_seconds`` and ``max_block_lag`` blocks."""

    def __init__(self, *, ttl_seconds: float = DEFAULT_TTL_SECONDS,
                 max_block_lag: int = DEFAULT_MAX_BLOCK_LAG,
                 head_ttl_seconds: float = DEFAULT_HEAD_TTL_SECONDS,
                 max_entries: int = DEFAULT_MAX_ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_block_lag = max_block_lag
        self.head_ttl_seconds = min(head_ttl_seconds, ttl_seconds)
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._clock = clock
        self._lock = threading.Lock()
        self._heads: dict[int, _Head] = {}
        self._entries: OrderedDict[_CacheKey, _Entry] = OrderedDict()

    @classmethod
    def from_environment(cls) -> RegistryStateCache | None:
        """Build the cache from the environment settings, or return None when its TTL is 0."""
        ttl = _number_from_environment("HOCBA_STATE_CACHE_TTL_SECONDS", DEFAULT_TTL_SECONDS)
        lag = _number_from_environment("HOCBA_STATE_CACHE_MAX_BLOCKS", DEFAULT_MAX_BLOCK_LAG)
        if ttl == 0:
            return None
        return cls(ttl_seconds=ttl, max_block_lag=int(lag))

    def head(self, chain: Chain) -> int:
        """Return the latest block number, read again once the last read is too old."""
        now = self._clock()
        with self._lock:
            known = self._heads.get(chain.chain_id)
            if known is not None and now - known.read_at < self.head_ttl_seconds:
                return known.block
        block, _timestamp = chain.pinned_block()
        with self._lock:
            known = self._heads.get(chain.chain_id)
            # Another thread may have read a newer head meanwhile; never go backwards.
            if known is None or block >= known.block:
                self._heads[chain.chain_id] = _Head(block, now)
            return max(block, known.block) if known else block

    def read(self, registry: RegistryClient, root: bytes, leaf: bytes, issuer: str,
             public_key: bytes) -> RegistryState:
        """Return the cached state while it is fresh, else read it at the current head."""
        head = self.head(registry.chain)
        key: _CacheKey = (registry.chain.chain_id, registry.address.lower(), root, leaf,
                          issuer.lower(), public_key)
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self._fresh(entry, head, now):
                self._entries.move_to_end(key)
                self.hits += 1
                return entry.value
            self.misses += 1

        value = _read_at(registry, root, leaf, issuer, public_key, head)
        with self._lock:
            self._entries[key] = _Entry(value, now)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry and every chain head."""
        with self._lock:
            self._entries.clear()
            self._heads.clear()

    def _fresh(self, entry: _Entry, head: int, now: float) -> bool:
        if now - entry.read_at >= self.ttl_seconds:
            return False
        return head - entry.value.block <= self.max_block_lag


def _number_from_environment(name: str, default: float) -> float:
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise InputError(
            f"invalid {name} {text!r}: expected a number of at least 0",
            code="settings_invalid",
            message_vi=f"Giá trị {name} «{text}» không hợp lệ: cần một số không âm.",
        )
    return value
