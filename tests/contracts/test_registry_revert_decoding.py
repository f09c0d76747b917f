"""hocba.revert: revert data from both exception kinds, decoded against the registry ABI."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_tester.exceptions import TransactionFailed
from eth_utils import function_signature_to_4byte_selector, keccak
from web3.exceptions import ContractCustomError, ContractPanicError

from hocba.artifact import load_artifact
from hocba.errors import RegistryRevertError
from hocba.revert import (
    RevertDecodeError,
    decode_revert,
    registry_error_from_exception,
    revert_data_from_exception,
)
from tests.contracts.registry_env import Chain

ISSUER = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"
ROOT = keccak(b"root")


def _encoded(signature: str, types: list[str], values: list[object]) -> bytes:
    return function_signature_to_4byte_selector(signature) + encode(types, values)


ALREADY_ANCHORED = _encoded(
    "RegistryRootAlreadyAnchored(bytes32,address)", ["bytes32", "address"], [ROOT, ISSUER]
)


@pytest.fixture(scope="module")
def abi() -> list[dict]:
    return load_artifact()["abi"]


def test_decode_custom_error(abi: list[dict]) -> None:
    assert decode_revert(abi, ALREADY_ANCHORED) == (
        "RegistryRootAlreadyAnchored",
        {"root": ROOT, "issuer": ISSUER},
    )


def test_decode_no_arguments(abi: list[dict]) -> None:
    data = function_signature_to_4byte_selector("RegistryZeroRoot()")
    assert decode_revert(abi, data) == ("RegistryZeroRoot", {})


def test_decode_error_string(abi: list[dict]) -> None:
    data = _encoded("Error(string)", ["string"], ["không hợp lệ"])
    assert decode_revert(abi, data) == ("Error", {"message": "không hợp lệ"})


def test_decode_panic(abi: list[dict]) -> None:
    data = _encoded("Panic(uint256)", ["uint256"], [0x11])
    assert decode_revert(abi, data) == ("Panic", {"code": 0x11})


def test_decode_unnamed_argument() -> None:
    abi = [{"type": "error", "name": "Odd", "inputs": [{"name": "", "type": "uint8"}]}]
    data = _encoded("Odd(uint8)", ["uint8"], [7])
    assert decode_revert(abi, data) == ("Odd", {"arg0": 7})


def test_decode_unknown_selector(abi: list[dict]) -> None:
    with pytest.raises(RevertDecodeError) as info:
        decode_revert(abi, b"\xde\xad\xbe\xef")
    assert info.value.code == "revert_undecodable"


def test_decode_short_data(abi: list[dict]) -> None:
    with pytest.raises(RevertDecodeError):
        decode_revert(abi, b"\x01\x02")


def test_decode_truncated_arguments(abi: list[dict]) -> None:
    with pytest.raises(RevertDecodeError):
        decode_revert(abi, ALREADY_ANCHORED[:40])


def test_data_from_custom_error() -> None:
    exc = ContractCustomError("0x" + ALREADY_ANCHORED[:4].hex(), data="0x" + ALREADY_ANCHORED.hex())
    assert revert_data_from_exception(exc) == ALREADY_ANCHORED


def test_data_from_rpc_dict() -> None:
    exc = ContractPanicError("panic", data={"data": "0x" + ALREADY_ANCHORED.hex()})
    assert revert_data_from_exception(exc) == ALREADY_ANCHORED


def test_data_from_tester_bytes() -> None:
    assert revert_data_from_exception(TransactionFailed(ALREADY_ANCHORED)) == ALREADY_ANCHORED


def test_data_from_tester_message() -> None:
    exc = TransactionFailed(f"execution reverted: {ALREADY_ANCHORED!r}")
    assert revert_data_from_exception(exc) == ALREADY_ANCHORED


def test_data_from_wrapped_exception() -> None:
    try:
        try:
            raise TransactionFailed(ALREADY_ANCHORED)
        except TransactionFailed as inner:
            raise RuntimeError("send failed") from inner
    except RuntimeError as outer:
        assert revert_data_from_exception(outer) == ALREADY_ANCHORED


def test_no_data_in_reason_string() -> None:
    assert revert_data_from_exception(TransactionFailed("execution reverted: Ownable")) is None


def test_no_data_in_other_error() -> None:
    assert revert_data_from_exception(ValueError("boom")) is None


def test_registry_error_from_chain(chain: Chain) -> None:
    try:
        chain.registry.functions.anchor(chain.batch.root).transact({"from": chain.roles.issuer})
    except Exception as exc:  # the eth-tester exception kind is what this test inspects
        error = registry_error_from_exception(chain.abi, exc)
    else:
        pytest.fail("anchoring a duplicate root did not revert")

    assert isinstance(error, RegistryRevertError)
    assert error.error_name == "RegistryRootAlreadyAnchored"
    assert error.args_by_name == {"root": chain.batch.root, "issuer": chain.roles.issuer}


def test_every_error_has_unique_selector(abi: list[dict]) -> None:
    errors = [e for e in abi if e["type"] == "error"]
    signatures = {f"{e['name']}({','.join(i['type'] for i in e['inputs'])})" for e in errors}
    selectors = {function_signature_to_4byte_selector(s) for s in signatures}
    assert len(selectors) == len(errors)
