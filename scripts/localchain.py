"""`hocba chain up`: start the local node (anvil or Hardhat) and deploy or find the registry."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from hocba.chain import connect_rpc
from hocba.errors import ChainError, InputError
from hocba.localnode import (
    DEFAULT_PORT,
    NODE_KINDS,
    LocalNode,
    read_local_node,
    start_anvil,
    start_hardhat,
    write_local_node,
)
from hocba.registry import RegistryClient
from hocba.settings import Settings
from issuer.accreditation import DEPARTMENT_KEY

__all__ = ["bring_up"]

logger = logging.getLogger(__name__)


def bring_up(settings: Settings, *, port: int | None = None, kind: str | None = None
             ) -> LocalNode:
    """Start (or find) the local node and make sure the registry is deployed on it.

    ``kind`` is "anvil" or "hardhat"; None reuses the running node whatever its kind,
    or starts anvil. ``port`` None restarts a stopped node on its previous port, else
    8545. The Department's account, the registry's root admin, is created in the key
    store of ``settings.home`` on first use. A Hardhat node keeps no state, so
    the registry is deployed again every time it starts.
    """
    from hocba.instance import Instance

    if kind is not None and kind not in NODE_KINDS:
        raise InputError(f"unknown node kind {kind!r}: use anvil or hardhat",
                         message_vi=f"Loại nút không hợp lệ: {kind!r}; dùng anvil hoặc hardhat.")
    node = read_local_node(settings.chain_dir)
    if node is not None and node.is_running():
        if kind is not None and node.kind != kind:
            raise ChainError(
                f"a local {node.kind} node is already running (pid {node.pid}); stop it with "
                "`hocba chain down` first",
                code="node_running",
                message_vi=f"Nút {node.kind} cục bộ đang chạy (pid {node.pid}); "
                           "dừng nó bằng `hocba chain down` trước.",
            )
    else:
        if port is None:
            port = _previous_port(node) or DEFAULT_PORT
        started = _start(kind or "anvil", settings, port)
        if node is not None:
            started.registry = node.registry
        node = started
        write_local_node(settings.chain_dir, node)

    chain = connect_rpc(node.rpc_url, expected_chain_id=node.chain_id)
    if node.registry and RegistryClient(chain, node.registry).is_deployed():
        logger.info("found registry %s on the local node", node.registry)
        return node

    keys = Instance(settings).keys
    department = keys.account(DEPARTMENT_KEY, create=True)
    registry = RegistryClient.deploy(chain, department)
    node.registry = registry.address
    write_local_node(settings.chain_dir, node)
    return node


def _previous_port(node: LocalNode | None) -> int | None:
    if node is None:
        return None
    port = urlsplit(node.rpc_url).port
    return int(port) if port else None


def _start(kind: str, settings: Settings, port: int) -> LocalNode:
    if kind == "hardhat":
        return start_hardhat(settings.chain_dir, port=port)
    return start_anvil(settings.chain_dir, port=port)
