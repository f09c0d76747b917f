"""One hocba instance: its settings, database, key store, chain and registry.

Commands choose the chain with ``--chain``: ``embedded`` (an in-process EVM that
lives as long as the command), ``local`` (the node started by `hocba chain up`),
or a JSON-RPC URL. Without the option, the settings' ``rpc_url`` is used, else
the local node if one was started.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlmodel import Session, select

if TYPE_CHECKING:
    from verifier.engine import VerifierContext

from hocba.binding import check_registry_code
from hocba.chain import Chain, FeePolicy, connect_embedded, connect_rpc
from hocba.db import CredentialRecord, open_database
from hocba.errors import ChainError, HocbaError, InputError
from hocba.localnode import read_local_node
from hocba.registry import RegistryClient
from hocba.settings import RegistryRef, Settings

__all__ = ["Instance", "open_chain", "trusted_settings"]

logger = logging.getLogger(__name__)


@dataclass
class Instance:
    """Everything a command needs, opened lazily so `hocba verify` of a JSON file stays cheap."""

    settings: Settings
    chain_choice: str | None = None
    _chain: Chain | None = field(default=None, repr=False)
    _registry_address: str | None = None
    _checked_registry: str | None = None

    def __post_init__(self) -> None:
        # Trust the local node's registry even while the node is down, so that a
        # verification then reports "unavailable" rather than "wrong network".
        self.settings = trusted_settings(self.settings, self.chain_choice)

    @cached_property
    def engine(self) -> Engine:
        return open_database(self.settings.database_url)

    @cached_property
    def keys(self):  # type: ignore[no-untyped-def]
        from issuer.keystore import KeyStore, passphrase_for_home

        passphrase = passphrase_for_home(self.settings.home, self.settings.key_passphrase)
        return KeyStore(self.engine, passphrase)

    @property
    def chain(self) -> Chain:
        if self._chain is None:
            self._chain, address, self.settings = open_chain(self.settings, self.chain_choice)
            self._registry_address = self._registry_address or address
        return self._chain

    def use_registry(self, address: str) -> None:
        """Issue into ``address`` from now on and trust it for verification."""
        self._registry_address = address
        self.settings = self.settings.with_trusted(RegistryRef(self.chain.chain_id, address))

    @property
    def registry(self) -> RegistryClient:
        chain = self.chain
        if self._registry_address is None:
            raise InputError(
                "no registry configured for this chain: run `hocba chain up` or set "
                "[chain] registry in hocba.toml",
                code="registry_missing",
                message_vi="Chưa cấu hình sổ đăng ký: chạy `hocba chain up` hoặc khai báo "
                           "[chain] registry trong hocba.toml.",
            )
        registry = RegistryClient(chain, self._registry_address)
        if self._checked_registry != registry.address:
            check_registry_code(registry)
            self._checked_registry = registry.address
        return registry

    def verifier_context(self) -> VerifierContext:
        """Return a verifier context; without a reachable chain, verdicts become unavailable."""
        from verifier.engine import VerifierContext

        try:
            chain = self.chain
        except HocbaError as exc:
            logger.warning("chain not reachable, verifying without it: %s", exc)
            return VerifierContext(self.settings)
        return VerifierContext(self.settings, chains={chain.chain_id: chain})

    def lookup_credential(self, credential_id: str) -> bytes | None:
        """Return a stored credential's JSON by id (for QR codes), or None."""
        with Session(self.engine) as db:
            row = db.exec(select(CredentialRecord).where(CredentialRecord.id == credential_id)
                          ).first()
        return row.credential_json.encode("utf-8") if row else None


def trusted_settings(settings: Settings, choice: str | None) -> Settings:
    """Return ``settings`` also trusting the local node's registry when ``choice`` uses it."""
    if choice == "local" or (choice is None and settings.rpc_url is None):
        node = read_local_node(settings.chain_dir)
        if node is not None and node.registry:
            return settings.with_trusted(RegistryRef(node.chain_id, node.registry))
    return settings


def open_chain(settings: Settings, choice: str | None) -> tuple[Chain, str | None, Settings]:
    """Connect to the chain ``choice`` names; return it, its registry and the trusting settings."""
    fees = FeePolicy(priority_fee=settings.priority_fee, max_fee_cap=settings.max_fee_per_gas_cap)
    if choice == "embedded":
        return connect_embedded(fees), None, settings
    if choice == "local" or (choice is None and settings.rpc_url is None):
        node = read_local_node(settings.chain_dir)
        if node is None:
            raise ChainError(
                "no local node: run `hocba chain up` first, or set rpc_url in hocba.toml",
                code="node_missing",
                message_vi="Chưa có nút chuỗi khối cục bộ: chạy `hocba chain up` trước, hoặc "
                           "khai báo rpc_url trong hocba.toml.",
            )
        chain = connect_rpc(node.rpc_url, expected_chain_id=node.chain_id, fees=fees)
        if node.registry:
            settings = settings.with_trusted(RegistryRef(node.chain_id, node.registry))
        return chain, node.registry, settings
    url = choice or settings.rpc_url
    if url is None or not url.startswith(("http://", "https://")):
        raise InputError(
            f"invalid --chain value {choice!r}: use embedded, local or an http(s) JSON-RPC URL",
            code="chain_choice_invalid",
            message_vi=f"Giá trị --chain {choice!r} không hợp lệ: dùng embedded, local hoặc "
                       "một địa chỉ JSON-RPC http(s).",
        )
    chain = connect_rpc(url, expected_chain_id=settings.chain_id, fees=fees)
    return chain, settings.registry, replace(settings)
