"""`hocba chain up`: start the local anvil node and deploy or find the registry."""

from __future__ import annotations

import logging

from hocba.chain import connect_rpc
from hocba.localnode import LocalNode, read_local_node, start_anvil, write_local_node
from hocba.registry import RegistryClient
from hocba.settings import Settings
from issuer.accreditation import DEPARTMENT_KEY

__all__ = ["bring_up"]

logger = logging.getLogger(__name__)


def bring_up(settings: Settings, *, port: int = 8545) -> LocalNode:
    """Start (or find) the local node and make sure the registry is deployed on it.

    The Department's account, the registry's root admin, is created in the key
    store of ``settings.home`` on first use.
    """
    from hocba.instance import Instance

    node = read_local_node(settings.chain_dir)
    if node is None or not node.is_running():
        started = start_anvil(settings.chain_dir, port=port)
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
