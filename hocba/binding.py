"""Network binding: check at start-up that the configured registry is really our contract.

The chain id is checked by ``hocba.chain.connect_rpc``. Here the code at the
registry address is compared with the committed artifact's ``deployedBytecode``,
without the trailing CBOR metadata (its length is in the last two bytes), so a
rebuild that only changes source paths or comments still matches.
"""

from __future__ import annotations

import logging

from eth_utils import keccak

from hocba.artifact import load_artifact
from hocba.errors import ChainError
from hocba.registry import RegistryClient

__all__ = ["check_registry_code", "code_without_metadata"]

logger = logging.getLogger(__name__)


def code_without_metadata(code: bytes) -> bytes:
    """Return runtime ``code`` without the solc CBOR metadata tail, if it has a plausible one."""
    if len(code) < 2:
        return code
    length = int.from_bytes(code[-2:], "big")
    if length + 2 > len(code):
        return code
    return code[: -(length + 2)]


def check_registry_code(registry: RegistryClient) -> None:
    """Raise ChainError ``registry_mismatch`` unless the address has the registry's code."""
    code = bytes(registry.chain.call(lambda: registry.chain.w3.eth.get_code(registry.address)))
    expected = bytes.fromhex(load_artifact()["deployedBytecode"].removeprefix("0x"))
    if code and keccak(code_without_metadata(code)) == keccak(code_without_metadata(expected)):
        logger.debug("registry %s on chain %d has the expected code", registry.address,
                     registry.chain.chain_id)
        return
    found = "no code" if not code else f"other code ({len(code)} bytes)"
    raise ChainError(
        f"address {registry.address} on chain {registry.chain.chain_id} has {found}, "
        "not the learning record registry; check [chain] registry in hocba.toml",
        code="registry_mismatch",
        message_vi=(
            f"Địa chỉ {registry.address} trên chuỗi {registry.chain.chain_id} không phải hợp đồng "
            "sổ đăng ký học bạ. Kiểm tra [chain] registry trong cấu hình."
        ),
    )
