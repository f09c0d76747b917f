"""Revoking batches and credentials, suspending and reinstating credentials."""

from __future__ import annotations

from eth_utils import keccak

from tests.contracts.registry_env import Chain, make_batch, merkle_tree


def _status(chain: Chain, index: int) -> dict:
    return chain.view("credentialStatus", chain.batch.root, chain.batch.leaves[index])


def _revoke(chain: Chain, index: int, reason: int = 3) -> object:
    batch = chain.batch
    return chain.registry.functions.revokeCredential(
        batch.root, batch.leaves[index], batch.proof(index), reason
    )


def _suspend(chain: Chain, index: int) -> object:
    batch = chain.batch
    return chain.registry.functions.suspendCredential(
        batch.root, batch.leaves[index], batch.proof(index)
    )


def _reinstate(chain: Chain, index: int) -> object:
    batch = chain.batch
    return chain.registry.functions.reinstateCredential(
        batch.root, batch.leaves[index], batch.proof(index)
    )


def test_proofs_match_local_tree(chain: Chain) -> None:
    root, _ = merkle_tree(chain.batch.leaves)
    assert root == chain.batch.root


def test_revoke_valid_proof(chain: Chain) -> None:
    receipt = chain.send(_revoke(chain, 0, reason=3), chain.roles.issuer)

    assert chain.events(receipt, "CredentialRevoked") == [
        {"root": chain.batch.root, "leaf": chain.batch.leaves[0], "reason": 3}
    ]
    assert _status(chain, 0) == {
        "revokedBlock": receipt["blockNumber"],
        "revokedReason": 3,
        "suspendedBlock": 0,
    }


def test_revoke_leaves_siblings(chain: Chain) -> None:
    chain.send(_revoke(chain, 0), chain.roles.issuer)
    assert _status(chain, 2)["revokedBlock"] == 0


def test_revoke_every_leaf(chain: Chain) -> None:
    for index in range(len(chain.batch.leaves)):
        chain.send(_revoke(chain, index), chain.roles.issuer)
    revoked = [_status(chain, index)["revokedBlock"] > 0 for index in range(5)]
    assert revoked == [True] * 5


def test_revoke_single_leaf_batch(chain: Chain) -> None:
    batch = make_batch(9, 1)
    fn = chain.registry.functions
    chain.send(fn.anchor(batch.root), chain.roles.issuer)

    receipt = chain.send(
        fn.revokeCredential(batch.root, batch.leaves[0], [], 1), chain.roles.issuer
    )

    assert receipt["status"] == 1


def test_revoke_invalid_proof(chain: Chain) -> None:
    batch = chain.batch
    wrong_proof = batch.proof(1)
    call = chain.registry.functions.revokeCredential(batch.root, batch.leaves[0], wrong_proof, 1)

    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryInvalidProof",
        {"root": batch.root, "leaf": batch.leaves[0]},
    )


def test_revoke_unknown_leaf(chain: Chain) -> None:
    batch = chain.batch
    stranger_leaf = keccak(b"not in the batch")
    call = chain.registry.functions.revokeCredential(batch.root, stranger_leaf, batch.proof(0), 1)

    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryInvalidProof",
        {"root": batch.root, "leaf": stranger_leaf},
    )


def test_revoke_proof_for_other_root(chain: Chain) -> None:
    fn = chain.registry.functions
    mine = make_batch(11, 4)
    chain.send(fn.anchor(mine.root), chain.roles.issuer)
    call = fn.revokeCredential(mine.root, chain.batch.leaves[0], chain.batch.proof(0), 1)

    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryInvalidProof",
        {"root": mine.root, "leaf": chain.batch.leaves[0]},
    )


def test_revoke_by_other_issuer(chain: Chain) -> None:
    assert chain.revert_of(_revoke(chain, 0), chain.roles.other_issuer) == (
        "RegistryNotBatchIssuer",
        {"root": chain.batch.root, "caller": chain.roles.other_issuer},
    )


def test_revoke_unknown_root(chain: Chain) -> None:
    root = keccak(b"never anchored")
    call = chain.registry.functions.revokeCredential(root, chain.batch.leaves[0], [], 1)

    assert chain.revert_of(call, chain.roles.issuer) == ("RegistryUnknownRoot", {"root": root})


def test_copied_leaf_isolated(chain: Chain) -> None:
    # Another issuer anchors a tree that contains a copy of this issuer's leaf and revokes it:
    # the original credential's status under the original root must not change.
    fn = chain.registry.functions
    copied = chain.batch.leaves[0]
    root, proofs = merkle_tree([copied, keccak(b"filler")])
    chain.send(fn.anchor(root), chain.roles.other_issuer)

    chain.send(fn.revokeCredential(root, copied, proofs[copied], 9), chain.roles.other_issuer)

    assert chain.view("credentialStatus", root, copied)["revokedBlock"] > 0
    assert _status(chain, 0)["revokedBlock"] == 0


def test_revoked_stays_revoked(chain: Chain) -> None:
    receipt = chain.send(_revoke(chain, 0), chain.roles.issuer)
    block = receipt["blockNumber"]
    expected = (
        "RegistryCredentialAlreadyRevoked",
        {"root": chain.batch.root, "leaf": chain.batch.leaves[0], "revokedBlock": block},
    )

    assert chain.revert_of(_revoke(chain, 0), chain.roles.issuer) == expected
    assert chain.revert_of(_suspend(chain, 0), chain.roles.issuer) == expected
    assert chain.revert_of(_reinstate(chain, 0), chain.roles.issuer) == expected


def test_revoke_ends_suspension(chain: Chain) -> None:
    receipt = chain.send(_revoke(chain, 1), chain.roles.issuer)
    assert _status(chain, 1) == {
        "revokedBlock": receipt["blockNumber"],
        "revokedReason": 3,
        "suspendedBlock": 0,
    }


def test_revoke_withdrawn_issuer(chain: Chain) -> None:
    fn = chain.registry.functions
    chain.send(fn.withdrawIssuer(chain.roles.issuer, chain.head()), chain.roles.accreditor)

    receipt = chain.send(_revoke(chain, 0), chain.roles.issuer)

    assert receipt["status"] == 1


# ---------------------------------------------------------------- batches


def test_revoke_batch(chain: Chain) -> None:
    receipt = chain.send(
        chain.registry.functions.revokeBatch(chain.batch.root, 4), chain.roles.issuer
    )

    assert chain.events(receipt, "BatchRevoked") == [
        {"root": chain.batch.root, "issuer": chain.roles.issuer, "reason": 4}
    ]
    assert chain.view("batch", chain.batch.root)["revokedBlock"] == receipt["blockNumber"]
    assert chain.view("batch", chain.batch.root)["revokedReason"] == 4


def test_revoke_batch_twice(chain: Chain) -> None:
    fn = chain.registry.functions
    block = chain.send(fn.revokeBatch(chain.batch.root, 4), chain.roles.issuer)["blockNumber"]

    assert chain.revert_of(fn.revokeBatch(chain.batch.root, 5), chain.roles.issuer) == (
        "RegistryBatchAlreadyRevoked",
        {"root": chain.batch.root, "revokedBlock": block},
    )


def test_revoked_batch_frozen(chain: Chain) -> None:
    fn = chain.registry.functions
    block = chain.send(fn.revokeBatch(chain.batch.root, 4), chain.roles.issuer)["blockNumber"]
    expected = ("RegistryBatchAlreadyRevoked", {"root": chain.batch.root, "revokedBlock": block})

    assert chain.revert_of(_revoke(chain, 0), chain.roles.issuer) == expected
    assert chain.revert_of(_suspend(chain, 0), chain.roles.issuer) == expected
    assert chain.revert_of(_reinstate(chain, 1), chain.roles.issuer) == expected


def test_revoke_batch_unknown_root(chain: Chain) -> None:
    root = keccak(b"never anchored")
    call = chain.registry.functions.revokeBatch(root, 1)
    assert chain.revert_of(call, chain.roles.issuer) == ("RegistryUnknownRoot", {"root": root})


def test_revoke_batch_other_issuer(chain: Chain) -> None:
    call = chain.registry.functions.revokeBatch(chain.other_batch.root, 1)
    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryNotBatchIssuer",
        {"root": chain.other_batch.root, "caller": chain.roles.issuer},
    )


# ---------------------------------------------------------------- suspension


def test_suspend_and_reinstate(chain: Chain) -> None:
    suspended = chain.send(_suspend(chain, 0), chain.roles.issuer)
    suspended_block = _status(chain, 0)["suspendedBlock"]
    reinstated = chain.send(_reinstate(chain, 0), chain.roles.issuer)

    assert chain.events(suspended, "CredentialSuspended") == [
        {"root": chain.batch.root, "leaf": chain.batch.leaves[0]}
    ]
    assert suspended_block == suspended["blockNumber"]
    assert chain.events(reinstated, "CredentialReinstated") == [
        {"root": chain.batch.root, "leaf": chain.batch.leaves[0]}
    ]
    assert _status(chain, 0)["suspendedBlock"] == 0


def test_suspend_twice(chain: Chain) -> None:
    block = _status(chain, 1)["suspendedBlock"]
    assert chain.revert_of(_suspend(chain, 1), chain.roles.issuer) == (
        "RegistryCredentialAlreadySuspended",
        {"root": chain.batch.root, "leaf": chain.batch.leaves[1], "suspendedBlock": block},
    )


def test_reinstate_not_suspended(chain: Chain) -> None:
    assert chain.revert_of(_reinstate(chain, 0), chain.roles.issuer) == (
        "RegistryCredentialNotSuspended",
        {"root": chain.batch.root, "leaf": chain.batch.leaves[0]},
    )


def test_suspend_invalid_proof(chain: Chain) -> None:
    batch = chain.batch
    call = chain.registry.functions.suspendCredential(batch.root, batch.leaves[0], [])
    assert chain.revert_of(call, chain.roles.issuer) == (
        "RegistryInvalidProof",
        {"root": batch.root, "leaf": batch.leaves[0]},
    )


def test_resuspend_after_reinstate(chain: Chain) -> None:
    chain.send(_reinstate(chain, 1), chain.roles.issuer)
    receipt = chain.send(_suspend(chain, 1), chain.roles.issuer)
    assert _status(chain, 1)["suspendedBlock"] == receipt["blockNumber"]
