"""The verifier's single view, read at pinned blocks."""

from __future__ import annotations

from eth_utils import keccak

from tests.contracts.registry_env import ADMIN_UNIT, KEY, NEW_KEY, Chain

ZERO_ADDRESS = "0x" + "00" * 20


def _state(chain: Chain, leaf_index: int = 0, public_key: bytes = KEY, **call: object) -> dict:
    batch = chain.batch
    result = chain.registry.functions.verificationState(
        batch.root, batch.leaves[leaf_index], chain.roles.issuer, public_key
    ).call(**call)
    entry = next(e for e in chain.abi if e.get("name") == "verificationState")
    names = [component["name"] for component in entry["outputs"][0]["components"]]
    return dict(zip(names, result, strict=True))


def test_state_of_valid_credential(chain: Chain) -> None:
    batch_record = chain.view("batch", chain.batch.root)
    issuer_record = chain.view("issuer", chain.roles.issuer)
    key_record = chain.view("issuerKey", chain.roles.issuer, KEY)

    assert _state(chain) == {
        "batchIssuer": chain.roles.issuer,
        "batchBlock": batch_record["anchoredBlock"],
        "batchTimestamp": batch_record["anchoredAt"],
        "batchRevokedBlock": 0,
        "batchRevokedReason": 0,
        "credentialRevokedBlock": 0,
        "credentialRevokedReason": 0,
        "credentialSuspendedBlock": 0,
        "issuerAccreditor": chain.roles.accreditor,
        "accreditedFrom": issuer_record["accreditedFrom"],
        "withdrawnCutoff": 0,
        "keyAddedBlock": key_record["addedBlock"],
        "keyCutoff": 0,
        "issuerName": "Trường THCS Văn Lang",
        "schoolCode": "79000701",
        "adminUnitCode": ADMIN_UNIT,
    }


def test_state_ordering(chain: Chain) -> None:
    state = _state(chain)
    assert state["accreditedFrom"] <= state["keyAddedBlock"] <= state["batchBlock"]


def test_state_suspended(chain: Chain) -> None:
    status = chain.view("credentialStatus", chain.batch.root, chain.batch.leaves[1])
    assert _state(chain, 1)["credentialSuspendedBlock"] == status["suspendedBlock"]


def test_state_after_changes(chain: Chain) -> None:
    fn = chain.registry.functions
    batch = chain.batch
    revoked = chain.send(
        fn.revokeCredential(batch.root, batch.leaves[0], batch.proof(0), 2), chain.roles.issuer
    )
    batch_revoked = chain.send(fn.revokeBatch(batch.root, 6), chain.roles.issuer)
    key_cutoff = chain.head()
    chain.send(fn.revokeIssuerKey(chain.roles.issuer, KEY, key_cutoff), chain.roles.issuer)
    chain.send(
        fn.renameIssuer(chain.roles.issuer, "Trường THCS Văn Lang 2"), chain.roles.accreditor
    )
    withdrawn = chain.head()
    chain.send(fn.withdrawIssuer(chain.roles.issuer, withdrawn), chain.roles.accreditor)

    state = _state(chain)

    assert state["credentialRevokedBlock"] == revoked["blockNumber"]
    assert state["credentialRevokedReason"] == 2
    assert state["batchRevokedBlock"] == batch_revoked["blockNumber"]
    assert state["batchRevokedReason"] == 6
    assert state["keyCutoff"] == key_cutoff
    assert state["issuerName"] == "Trường THCS Văn Lang 2"
    assert state["withdrawnCutoff"] == withdrawn


def test_state_pinned_block(chain: Chain) -> None:
    fn = chain.registry.functions
    pinned = chain.head()
    chain.send(fn.revokeBatch(chain.batch.root, 1), chain.roles.issuer)

    assert _state(chain, block_identifier=pinned)["batchRevokedBlock"] == 0
    assert _state(chain)["batchRevokedBlock"] == pinned + 1


def test_state_unknown_key(chain: Chain) -> None:
    state = _state(chain, public_key=NEW_KEY)
    assert (state["keyAddedBlock"], state["keyCutoff"]) == (0, 0)


def test_state_batch_of_other_issuer(chain: Chain) -> None:
    batch = chain.other_batch
    result = chain.registry.functions.verificationState(
        batch.root, batch.leaves[0], chain.roles.issuer, KEY
    ).call()
    assert result[0] == chain.roles.other_issuer


def test_state_all_unknown(chain: Chain) -> None:
    result = chain.registry.functions.verificationState(
        keccak(b"r"), keccak(b"l"), chain.roles.fresh, NEW_KEY
    ).call()
    assert result == (ZERO_ADDRESS, 0, 0, 0, 0, 0, 0, 0, ZERO_ADDRESS, 0, 0, 0, 0, "", "", 0)
