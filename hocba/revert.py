"""Decoding of contract revert data into a Solidity error name and its arguments.

Custom-error reverts reach Python in two shapes. With a JSON-RPC node, web3.py raises
``ContractCustomError`` (or another ``ContractLogicError``) whose ``data`` is the hex revert
data. The in-process eth-tester chain raises ``eth_tester.exceptions.TransactionFailed``, whose
message contains the revert bytes as a Python ``bytes`` literal. ``revert_data_from_exception``
reduces both to raw bytes, and ``decode_revert`` decodes them.
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils import function_signature_to_4byte_selector, to_checksum_address
from web3.exceptions import ContractLogicError

from hocba.errors import ChainError, RegistryRevertError

__all__ = [
    "RevertDecodeError",
    "decode_revert",
    "registry_error_from_exception",
    "revert_data_from_exception",
]

logger = logging.getLogger(__name__)

_MAX_CHAIN_DEPTH = 5
_TESTER_PREFIX = "execution reverted: "

# Errors that Solidity itself raises: require/revert with a string, and checked-arithmetic or
# other panics.
_BUILTIN_ERRORS: tuple[dict[str, Any], ...] = (
    {"type": "error", "name": "Error", "inputs": [{"name": "message", "type": "string"}]},
    {"type": "error", "name": "Panic", "inputs": [{"name": "code", "type": "uint256"}]},
)


class RevertDecodeError(ChainError):
    """Revert data that matches no error of the ABI or cannot be decoded."""

    code = "revert_undecodable"


def _abi_type(parameter: Mapping[str, Any]) -> str:
    kind = str(parameter["type"])
    if not kind.startswith("tuple"):
        return kind
    inner = ",".join(_abi_type(component) for component in parameter.get("components", []))
    return f"({inner}){kind[len('tuple') :]}"


def _selector(entry: Mapping[str, Any]) -> bytes:
    types = ",".join(_abi_type(parameter) for parameter in entry.get("inputs", []))
    return function_signature_to_4byte_selector(f"{entry['name']}({types})")


def _normalize(kind: str, value: Any) -> Any:
    if kind == "address":
        return to_checksum_address(value)
    return value


def decode_revert(abi: Sequence[Mapping[str, Any]], data: bytes) -> tuple[str, dict[str, Any]]:
    """Decode revert ``data`` against the errors declared in ``abi``.

    Returns the error name and its arguments by parameter name (``arg0``, ``arg1`` … for
    unnamed ones). Addresses come back checksummed, ``bytesN`` as ``bytes``, integers as
    ``int``. ``Error(string)`` and ``Panic(uint256)`` are decoded even when absent from the
    ABI. Raises ``RevertDecodeError`` when the data is shorter than a selector, the selector
    is unknown or the arguments do not decode.
    """
    if len(data) < 4:
        raise RevertDecodeError(f"revert data of {len(data)} bytes has no 4-byte error selector")
    entries = [entry for entry in abi if entry.get("type") == "error"]
    by_selector = {_selector(entry): entry for entry in (*entries, *_BUILTIN_ERRORS)}
    entry = by_selector.get(bytes(data[:4]))
    if entry is None:
        raise RevertDecodeError(
            f"revert selector 0x{bytes(data[:4]).hex()} matches no error in the ABI"
        )

    inputs = list(entry.get("inputs", []))
    types = [_abi_type(parameter) for parameter in inputs]
    try:
        values = abi_decode(types, bytes(data[4:]))
    except DecodingError as exc:
        raise RevertDecodeError(f"arguments of {entry['name']} do not decode: {exc}") from exc

    arguments = {
        (parameter.get("name") or f"arg{index}"): _normalize(kind, value)
        for index, (parameter, kind, value) in enumerate(zip(inputs, types, values, strict=True))
    }
    return str(entry["name"]), arguments


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _MAX_CHAIN_DEPTH:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _bytes_from_hex(value: object) -> bytes | None:
    if isinstance(value, Mapping):
        value = value.get("data")
    if not isinstance(value, str) or not value.startswith("0x"):
        return None
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        return None


def _bytes_from_tester_message(value: object) -> bytes | None:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, BaseException) and value.args:
        return _bytes_from_tester_message(value.args[0])
    if not isinstance(value, str):
        return None
    text = value.removeprefix(_TESTER_PREFIX).strip()
    if not text.startswith(("b'", 'b"')):
        # A decoded Error(string) reason or another message: the raw bytes are gone.
        return None
    try:
        literal = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    return literal if isinstance(literal, bytes) else None


def _is_tester_failure(exc: BaseException) -> bool:
    kind = type(exc)
    return kind.__name__ == "TransactionFailed" and kind.__module__.startswith("eth_tester")


def revert_data_from_exception(exc: BaseException) -> bytes | None:
    """Return the raw revert data carried by ``exc``, or ``None`` when it carries none.

    Handles web3's ``ContractLogicError`` family (``data`` as hex) and eth-tester's
    ``TransactionFailed`` (bytes, or a message with a bytes literal), also when either is
    the cause or context of ``exc``.
    """
    for candidate in _exception_chain(exc):
        if isinstance(candidate, ContractLogicError):
            data = _bytes_from_hex(candidate.data)
        elif _is_tester_failure(candidate) and candidate.args:
            data = _bytes_from_tester_message(candidate.args[0])
        else:
            continue
        if data is not None:
            return data
    logger.debug("no revert data in %s", type(exc).__name__)
    return None


def registry_error_from_exception(
    abi: Sequence[Mapping[str, Any]], exc: BaseException
) -> RegistryRevertError | None:
    """Turn a revert carried by ``exc`` into a ``RegistryRevertError``, or return ``None``.

    Raises ``RevertDecodeError`` when there is revert data that the ABI cannot decode.
    """
    data = revert_data_from_exception(exc)
    if data is None:
        return None
    name, arguments = decode_revert(abi, data)
    return RegistryRevertError(name, arguments)
